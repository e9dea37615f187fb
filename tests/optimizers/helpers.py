"""Runs one optimizer program on Keras 3 (the oracle) and on kerasish, the three kerasish ways.

`make(module)` builds the optimizer from a module (`keras.optimizers` or `kerasish.optimizers`), so one lambda
describes both. Each run starts from the same two weights (a (3, 2) matrix and a (2,) vector) and applies the
same gradients for `STEPS` steps. Keras runs eagerly with `apply_gradients` (its variables cannot be passed
into `jax.jit` on JAX 0.10); `LossScaleOptimizer`'s eager `apply` leaks a tracer out of its `ops.cond` on JAX
0.10, so Keras's `stateless_apply` (eager, on values) is its reference there.
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import keras
import numpy as np
import optax

from kerasish.variables import Variable

STEPS = 3
_RNG = np.random.default_rng(7)
NAMES = ("a", "b")  # the weights' names, so the optimizers' variable names are comparable
WEIGHTS = [_RNG.normal(size=(3, 2)).astype(np.float32), _RNG.normal(size=(2,)).astype(np.float32)]
GRADIENTS = [[_RNG.normal(size=w.shape).astype(np.float32) for w in WEIGHTS] for _ in range(STEPS)]


def run_keras(make, gradients=GRADIENTS):
    """`(weights, optimizer variable values, optimizer variable paths)` after Keras's steps."""
    optimizer = make(keras.optimizers)
    variables = [keras.Variable(w, name=n) for w, n in zip(WEIGHTS, NAMES)]
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        optimizer.build(variables)
        state, trained = [v.value for v in optimizer.variables], [v.value for v in variables]
        for grads in gradients:
            trained, state = optimizer.stateless_apply(state, [jnp.asarray(g) for g in grads], trained)
        return [np.asarray(t) for t in trained], [np.asarray(s) for s in state], _paths(optimizer)
    for grads in gradients:
        optimizer.apply_gradients(zip(grads, variables))
    return [v.numpy() for v in variables], [np.asarray(v.value) for v in optimizer.variables], _paths(optimizer)


def _paths(optimizer):
    """Variable paths without the optimizer's name (which depends on a counter)."""
    return _paths_of(optimizer.variables)


def _paths_of(variables):
    # Nadam's running product is an unnamed Keras variable: `variable_<a global counter>`
    return [re.sub(r"^variable_\d+$", "variable", v.path.split("/", 1)[1]) for v in variables]


def run_apply(make, gradients=GRADIENTS):
    """kerasish's stateful way: `apply_gradients` on `Variable`s, eagerly."""
    optimizer = make(__import__("kerasish").optimizers)
    variables = [Variable(w, name=n) for w, n in zip(WEIGHTS, NAMES)]
    for grads in gradients:
        optimizer.apply_gradients(zip(grads, variables))
    return [v.numpy() for v in variables], [v.numpy() for v in optimizer.variables], _paths(optimizer)


def run_stateless(make, gradients=GRADIENTS):
    """kerasish's stateless way: `build`, then `stateless_apply` under `jax.jit`."""
    optimizer = make(__import__("kerasish").optimizers)
    variables = [Variable(w, name=n) for w, n in zip(WEIGHTS, NAMES)]
    optimizer.build(variables)
    step = jax.jit(optimizer.stateless_apply)
    state, trained = optimizer.variables, [v.value for v in variables]
    for grads in gradients:
        trained, state = step(state, grads, trained)
    return [np.asarray(t) for t in trained], [np.asarray(s) for s in state], _paths(optimizer)


def run_optax(make, gradients=GRADIENTS):
    """kerasish's optax face: `init` / `update` under `jax.jit` on a dict of parameters."""
    optimizer = make(__import__("kerasish").optimizers)
    params = {"a": jnp.asarray(WEIGHTS[0]), "b": jnp.asarray(WEIGHTS[1])}
    state = optimizer.init(params)

    @jax.jit
    def step(params, state, grads):
        updates, state = optimizer.update({"a": grads[0], "b": grads[1]}, state, params)
        return optax.apply_updates(params, updates), state

    for grads in gradients:
        params, state = step(params, state, grads)
    values = optimizer.state_variables(state, params)
    return [np.asarray(params["a"]), np.asarray(params["b"])], [v.numpy() for v in values], _paths_of(values)


WAYS = {"apply": run_apply, "stateless_apply": run_stateless, "optax": run_optax}


def assert_matches_keras(make, ways=tuple(WAYS), gradients=GRADIENTS, rtol=1e-5, atol=1e-6):
    """Every kerasish way ends with Keras's weights and optimizer variables (same order and names)."""
    weights, state, paths = run_keras(make, gradients)
    assert not all(np.allclose(w, w0) for w, w0 in zip(weights, WEIGHTS)), "the program must move the weights"
    for way in ways:
        got_weights, got_state, got_paths = WAYS[way](make, gradients)
        for got, expected in zip(got_weights, weights, strict=True):
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=f"{way}: weights")
        assert len(got_state) == len(state), f"{way}: {len(got_state)} optimizer variables, Keras has {len(state)}"
        for i, (got, expected) in enumerate(zip(got_state, state)):
            assert np.shape(got) == np.shape(expected), f"{way}: optimizer variable {i}"
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=f"{way}: optimizer variable {i}")
        assert got_paths == paths, way
    return weights


def assert_config_matches_keras(make):
    """Same `get_config()` as Keras (keys and values), and `from_config` gives the same config back."""
    ours, theirs = make(__import__("kerasish").optimizers), make(keras.optimizers)
    assert ours.get_config() == theirs.get_config()
    assert type(ours).from_config(ours.get_config()).get_config() == ours.get_config()
