"""Initial weights drawn together: every weight a build creates, drawn by one compiled program when it ends.

`Layer.add_weight` gives a new weight a zeros placeholder of its final shape and hands the drawing to
`defer_draw`; the outermost `drawing_weights_together()` block draws them all at its end.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax.extend import core as _jax_core

from kerasish import random as _random


class _PendingWeights(threading.local):
    """The weights created inside `drawing_weights_together()` whose initial values are not drawn yet."""

    def __init__(self) -> None:
        self.depth = 0
        self.entries: list[tuple[nnx.Variable, Any, tuple, Any, int, int]] = []  # variable, init, shape, dtype, seed, n


_pending = _PendingWeights()


@contextlib.contextmanager
def drawing_weights_together():
    """Draws the initial weights created inside the block in one compiled program when it ends.

    Drawing a weight eagerly compiles a small XLA program for each new shape (and for the key
    arithmetic): seconds for a small MLP on a CPU. Inside this block `add_weight` gives a
    new weight a NumPy zeros placeholder of its final shape and dtype (enough to trace the layer for
    its output shape) and records how to draw it; when the outermost block ends every recorded weight
    is drawn by one program and assigned. The values are bit for bit those of eager drawing: same keys
    (`kerasish.random.next_draw`), same initializers, and each operation of an initializer separated
    from the next as eager dispatch separates them (see `_as_dispatched`). `Layer.build_for` and
    `Sequential` open the block, so a single layer called eagerly is drawn when its build ends.
    """
    _pending.depth += 1
    try:
        yield
    finally:
        _pending.depth -= 1
        if _pending.depth == 0 and _pending.entries:
            entries, _pending.entries = _pending.entries, []
            _draw(entries)


def _draw(entries: list) -> None:
    specs = tuple((init, shape, dtype, seed) for _, init, shape, dtype, seed, _ in entries)
    counts = np.asarray([n for *_, n in entries], np.uint32)
    try:
        program = _draw_program(specs)
    except TypeError:  # an unhashable initializer: no program reuse
        program = _draw_program.__wrapped__(specs)
    for (variable, *_), value in zip(entries, program(counts)):
        variable.set_value(value)


@functools.lru_cache(maxsize=64)
def _draw_program(specs: tuple):
    """One jitted program drawing every weight of `specs` from the draw numbers `counts` (uint32 (n,)).
    Cached: building the same model again (tests, cross-validation loops) reuses it."""
    def draw(counts):
        return [_as_dispatched(lambda key, init=init, shape=shape, dtype=dtype:
                               init(_random.fast_key(key), shape, dtype), _random.key_of(seed, counts[i]))
                for i, (init, shape, dtype, seed) in enumerate(specs)]
    return jax.jit(draw)


def _as_dispatched(fn, *args):
    """`fn(*args)` traced into the surrounding program, with the numerics of running it eagerly.

    Run eagerly, each top-level operation of `fn` is its own compiled program (a jitted function,
    such as `jax.random.normal`, is one). Traced into one program, XLA may fuse across those
    boundaries and rewrite `normal(key) * stddev + mean` (reassociated constants, fused multiply-add),
    which changes the last bit of normal draws. An optimization barrier on the floating-point inputs
    of every top-level operation keeps the boundaries where eager execution has them.
    """
    closed = jax.make_jaxpr(fn)(*args)
    env: dict = {}
    read = lambda v: v.val if isinstance(v, _jax_core.Literal) else env[v]
    is_float = lambda a: jnp.issubdtype(jnp.result_type(a), jnp.floating)
    for var, value in zip(closed.jaxpr.constvars, closed.consts):
        env[var] = value
    for var, value in zip(closed.jaxpr.invars, args):
        env[var] = value
    for eqn in closed.jaxpr.eqns:
        inputs = [read(v) for v in eqn.invars]
        floats = [i for i, a in enumerate(inputs) if is_float(a)]
        if floats:
            fenced = jax.lax.optimization_barrier([inputs[i] for i in floats])
            for i, value in zip(floats, fenced):
                inputs[i] = value
        params = eqn.primitive.get_bind_params(eqn.params)
        subfuns, params = params if isinstance(params, tuple) else ((), params)  # older jax: (subfuns, params)
        outputs = eqn.primitive.bind(*subfuns, *inputs, **params)
        for var, value in zip(eqn.outvars, outputs if eqn.primitive.multiple_results else [outputs]):
            env[var] = value
    return read(closed.jaxpr.outvars[0])


def defer_draw(variable: nnx.Variable, init: Any, shape: tuple, dtype: Any, seed: int, n: int) -> None:
    """Draws `variable`'s initial value `init(key_of(seed, n), shape, dtype)` with the others of the running
    block (at once, by a block of its own, when none is open)."""
    with drawing_weights_together():
        _pending.entries.append((variable, init, shape, dtype, seed, n))
