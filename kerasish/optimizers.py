"""Optimizers: optax gradient transformations with Keras 3's names, defaults and maths.

An `Optimizer` has optax's `init(params)` and `update(updates, state, params)` (and unpacks as
`init, update = opt`), so it goes wherever an `optax.GradientTransformation` goes, `optax.chain`
included. Its transformation is built with `optax.inject_hyperparams`, which puts the learning rate in
the optimizer STATE: `get_learning_rate(opt_state)` reads it and `set_learning_rate(opt_state, value)`
returns a new state with another one, without recompiling a jitted train step.

The maths is Keras 3's, checked step by step against `keras.optimizers` in the tests. Where optax's
built-in differs, a small transformation here reproduces Keras:

- `Adam`/`AdamW`: Keras adds epsilon to `sqrt(v)` and folds the bias corrections into the step size,
  `lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + eps)`; optax adds it to `sqrt(v_hat)`. Keras's
  AMSGrad keeps the max of the raw `v`. (`scale_by_keras_adam`.)
- `SGD` with momentum: Keras keeps `m = momentum * m - lr * g` (the learning rate inside the
  momentum); optax's `trace` keeps the raw gradients and scales after, which differs once the learning
  rate changes between steps. (`keras_sgd`.)
- `clipnorm`: Keras clips each gradient array to L2 norm `clipnorm` (optax has only global and
  block-RMS clipping). (`clip_by_norm`.)

`RMSprop` (`scale_by_rms`/`scale_by_stddev`, then the learning rate, then `trace`), `Adagrad`
(`scale_by_rss`), `global_clipnorm` (`clip_by_global_norm`) and `clipvalue` (`clip`) are optax's own.
`weight_decay` is Keras's decoupled decay `w -= lr * weight_decay * w`, applied with the gradient step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

Schedule = Callable[[jax.Array], jax.Array]
_INJECT_STATES = (optax.InjectStatefulHyperparamsState, optax.InjectHyperparamsState)


class KerasAdamState(NamedTuple):
    """State of `scale_by_keras_adam`: step count and first/second moments (params' shapes)."""

    count: jax.Array  # shape (), int32
    mu: optax.Updates
    nu: optax.Updates
    nu_max: optax.Updates  # the running max of `nu` (AMSGrad); empty `()` otherwise


def scale_by_keras_adam(beta_1: float, beta_2: float, epsilon: float, amsgrad: bool) -> optax.GradientTransformation:
    """Keras 3's Adam direction: `sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon)`.

    Args:
      beta_1: decay of the first moment `m`.
      beta_2: decay of the second moment `v`.
      epsilon: added to `sqrt(v)` (not to the bias-corrected `sqrt(v_hat)` as in `optax.scale_by_adam`).
      amsgrad: use the running maximum of `v`.

    Returns:
      An optax transformation (multiply by `-learning_rate` afterwards).

    Example:
      >>> tx = scale_by_keras_adam(0.9, 0.999, 1e-7, False)
      >>> round(float(tx.update(jnp.ones(1), tx.init(jnp.zeros(1)))[0][0]), 4)
      1.0
    """

    def init(params: optax.Params) -> KerasAdamState:
        zeros = lambda: jax.tree.map(jnp.zeros_like, params)
        return KerasAdamState(jnp.zeros((), jnp.int32), zeros(), zeros(), zeros() if amsgrad else ())

    def update(updates: optax.Updates, state: KerasAdamState, params: optax.Params = None):
        count = state.count + 1
        mu = jax.tree.map(lambda m, g: m + (g - m) * (1 - beta_1), state.mu, updates)
        nu = jax.tree.map(lambda v, g: v + (g * g - v) * (1 - beta_2), state.nu, updates)
        nu_max = jax.tree.map(jnp.maximum, state.nu_max, nu) if amsgrad else ()
        step = count.astype(jnp.float32)
        alpha = jnp.sqrt(1 - beta_2**step) / (1 - beta_1**step)
        new = jax.tree.map(
            lambda m, v: (m * alpha.astype(m.dtype)) / (jnp.sqrt(v) + epsilon), mu, nu_max if amsgrad else nu
        )
        return new, KerasAdamState(count, mu, nu, nu_max)

    return optax.GradientTransformation(init, update)


def keras_sgd(learning_rate: Any, momentum: float, nesterov: bool) -> optax.GradientTransformation:
    """Keras 3's SGD: `-lr * g`, or with momentum `m = momentum * m - lr * g` and the update `m`
    (`momentum * m - lr * g` with Nesterov).

    Args:
      learning_rate: the step size (a scalar).
      momentum: the momentum, `>= 0`; 0 keeps no state.
      nesterov: use Nesterov momentum.

    Returns:
      An optax transformation whose updates are added to the parameters.

    Example:
      >>> tx = keras_sgd(0.1, 0.0, False)
      >>> tx.update(jnp.ones(1), tx.init(jnp.zeros(1)))[0]
      Array([-0.1], dtype=float32)
    """
    if momentum == 0:
        return optax.scale_by_learning_rate(learning_rate)

    def init(params: optax.Params) -> optax.TraceState:
        return optax.TraceState(trace=jax.tree.map(jnp.zeros_like, params))

    def update(updates: optax.Updates, state: optax.TraceState, params: optax.Params = None):
        m = jax.tree.map(lambda m, g: momentum * m - learning_rate * g, state.trace, updates)
        new = jax.tree.map(lambda m, g: momentum * m - learning_rate * g, m, updates) if nesterov else m
        return new, optax.TraceState(trace=m)

    return optax.GradientTransformation(init, update)


def clip_by_norm(max_norm: float) -> optax.GradientTransformation:
    """Keras's `clipnorm`: each array `g` becomes `g * max_norm / max(||g||_2, max_norm)`.

    Args:
      max_norm: the largest L2 norm of each gradient array.

    Returns:
      A stateless optax transformation.

    Example:
      >>> tx = clip_by_norm(1.0)
      >>> [round(g, 6) for g in tx.update(jnp.array([3.0, 4.0]), tx.init(None))[0].tolist()]
      [0.6, 0.8]
    """

    def clip(g: jax.Array) -> jax.Array:
        return g * max_norm / jnp.maximum(jnp.sqrt(jnp.sum(g * g)), max_norm)

    def update(updates: optax.Updates, state: optax.EmptyState, params: optax.Params = None):
        return jax.tree.map(clip, updates), state

    return optax.GradientTransformation(lambda params: optax.EmptyState(), update)


def _decay_weights(weight_decay: float, learning_rate: Any) -> optax.GradientTransformation:
    """Adds Keras's decoupled weight decay `-lr * weight_decay * w` to the updates."""

    def update(updates: optax.Updates, state: optax.EmptyState, params: optax.Params = None):
        if params is None:
            raise ValueError(
                "An optimizer with `weight_decay` needs the parameters: call "
                "`optimizer.update(grads, opt_state, params)`."
            )
        return jax.tree.map(lambda u, w: u - learning_rate * weight_decay * w, updates, params), state

    return optax.GradientTransformation(lambda params: optax.EmptyState(), update)


def _check(name: str, value: Any, ok: bool, expected: str) -> None:
    if not ok:
        raise ValueError(f"Argument `{name}` must be {expected}, received {name}={value!r}.")


def _check_number(name: str, value: Any, low: float, high: float | None = None, low_open: bool = False) -> None:
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    ok = is_number and (value > low if low_open else value >= low) and (high is None or value < high)
    bounds = f"{'>' if low_open else '>='} {low}" + ("" if high is None else f" and < {high}")
    _check(name, value, ok, f"a number {bounds}")


class Optimizer:
    """Base class: an optax transformation plus Keras's learning rate, clipping and weight decay.

    Subclasses implement `_direction(learning_rate)`, the transformation from (clipped) gradients to
    updates. This class chains `clip -> direction -> weight decay` and injects the learning rate.

    Args:
      learning_rate: a positive float, or an optax schedule `step -> lr` (step counts from 0).
      weight_decay: `None` or Keras's decoupled weight decay factor, `>= 0`.
      clipnorm: `None` or the largest L2 norm of each gradient array.
      clipvalue: `None` or the largest absolute value of each gradient element.
      global_clipnorm: `None` or the largest L2 norm of all gradients together.

    Raises:
      ValueError: for an invalid argument, or more than one of the three clipping arguments.

    Example:
      >>> opt = SGD(0.1)
      >>> state = opt.init(jnp.zeros(2))
      >>> opt.update(jnp.ones(2), state)[0].tolist()
      [-0.10000000149011612, -0.10000000149011612]
    """

    def __init__(
        self,
        learning_rate: float | Schedule = 0.001,
        *,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
    ) -> None:
        if not callable(learning_rate):
            _check_number("learning_rate", learning_rate, 0.0, low_open=True)
        if weight_decay is not None:
            _check_number("weight_decay", weight_decay, 0.0)
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        for name, value in clips.items():
            if value is not None:
                _check_number(name, value, 0.0, low_open=True)
        if sum(v is not None for v in clips.values()) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set, received {clips}.")
        self._learning_rate, self.weight_decay = learning_rate, weight_decay
        self._engine_ref = None
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.tx = optax.inject_hyperparams(self._build)(learning_rate=learning_rate)

    def _direction(self, learning_rate: Any) -> optax.GradientTransformation:
        raise NotImplementedError(f"{type(self).__name__} must implement `_direction(learning_rate)`.")

    def _build(self, learning_rate: Any) -> optax.GradientTransformation:
        parts = []
        if self.clipnorm is not None:
            parts.append(clip_by_norm(self.clipnorm))
        if self.global_clipnorm is not None:
            parts.append(optax.clip_by_global_norm(self.global_clipnorm))
        if self.clipvalue is not None:
            parts.append(optax.clip(self.clipvalue))
        parts.append(self._direction(learning_rate))
        if self.weight_decay:
            parts.append(_decay_weights(self.weight_decay, learning_rate))
        return optax.chain(*parts)

    def init(self, params: optax.Params) -> optax.OptState:
        """The optimizer state for `params` (a pytree of arrays)."""
        return self.tx.init(params)

    def update(
        self, updates: optax.Updates, state: optax.OptState, params: optax.Params = None, **extra_args: Any
    ) -> tuple[optax.Updates, optax.OptState]:
        """Turns gradients into updates (to add to the params, e.g. with `optax.apply_updates`).

        With a schedule, the returned state holds the learning rate of the NEXT step (what Keras's
        `optimizer.learning_rate` reports), so `get_learning_rate` reads the current value.
        """
        updates, state = self.tx.update(updates, state, params, **extra_args)
        if callable(self._learning_rate) and isinstance(state, _INJECT_STATES):
            hyperparams = dict(state.hyperparams)
            lr = hyperparams["learning_rate"]
            hyperparams["learning_rate"] = jnp.asarray(self._learning_rate(state.count), lr.dtype)
            state = state._replace(hyperparams=hyperparams)
        return updates, state

    def __iter__(self):
        return iter((self.init, self.update))

    @property
    def learning_rate(self) -> Any:
        """The learning rate of the next step.

        Once the optimizer is compiled into a model, it reads (and setting it writes) the rate held
        in that model's optimizer state, live during `fit`: a callback sets
        `self.model.optimizer.learning_rate = 0.01` and the next step uses it, with no
        recompilation. Before that, it is the constructor's value (a float or a schedule).

        Example:
          >>> opt = Adam(0.01)
          >>> opt.learning_rate = 0.5
          >>> get_learning_rate(opt.init(jnp.zeros(1)))
          0.5
        """
        engine = self._engine_ref() if self._engine_ref is not None else None
        if engine is not None:
            value = engine.learning_rate()
            if value is not None:
                return value
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        engine = self._engine_ref() if self._engine_ref is not None else None
        if engine is not None:
            engine.set_learning_rate(value)
            return
        if isinstance(self, _WrappedOptax):
            raise ValueError("The learning rate of a wrapped optax transformation can only be set once it is "
                             "compiled into a model, and only if built with optax.inject_hyperparams.")
        if not callable(value):
            _check_number("learning_rate", value, 0.0, low_open=True)
        self._learning_rate = value
        self.tx = optax.inject_hyperparams(self._build)(learning_rate=value)

    def bind(self, engine: Any) -> None:
        """Makes `learning_rate` read and write `engine`'s optimizer state (done by `compile`/`fit`)."""
        import weakref

        self._engine_ref = weakref.ref(engine)

    @classmethod
    def from_optax(cls, tx: optax.GradientTransformation) -> Optimizer:
        """Wraps any optax transformation; its learning rate is readable and settable only if it was
        built with `optax.inject_hyperparams` (with a `learning_rate` argument).

        Example:
          >>> opt = Optimizer.from_optax(optax.inject_hyperparams(optax.sgd)(learning_rate=0.1))
          >>> get_learning_rate(opt.init(jnp.zeros(1)))
          0.1
        """
        return _WrappedOptax(tx)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (a schedule `learning_rate` is returned as the callable)."""
        config = {
            "learning_rate": self._learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
        }
        return {**config, **self._own_config()}

    def _own_config(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


class _WrappedOptax(Optimizer):
    """Any optax transformation behind the `Optimizer` interface (see `Optimizer.from_optax`)."""

    def __init__(self, tx: optax.GradientTransformation) -> None:
        self.tx, self._learning_rate, self._engine_ref = tx, None, None

    def update(self, updates, state, params=None, **extra_args):
        return self.tx.update(updates, state, params, **extra_args)

    def get_config(self) -> dict[str, Any]:
        return {"tx": self.tx}


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum, as Keras 3 computes it.

    Args:
      learning_rate: a positive float or an optax schedule.
      momentum: `>= 0`.
      nesterov: use Nesterov momentum.
      **kwargs: `weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm` (see `Optimizer`).

    Raises:
      ValueError: for an invalid argument.

    Example:
      >>> SGD(momentum=0.9).get_config()["momentum"]
      0.9
    """

    def __init__(
        self,
        learning_rate: float | Schedule = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ) -> None:
        _check_number("momentum", momentum, 0.0)
        self.momentum, self.nesterov = momentum, bool(nesterov)
        super().__init__(learning_rate, **kwargs)

    def _direction(self, learning_rate: Any) -> optax.GradientTransformation:
        return keras_sgd(learning_rate, self.momentum, self.nesterov)

    def _own_config(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam, with Keras 3's placement of epsilon (`scale_by_keras_adam`).

    Args:
      learning_rate: a positive float or an optax schedule.
      beta_1: first-moment decay, in `[0, 1)`.
      beta_2: second-moment decay, in `[0, 1)`.
      epsilon: `>= 0`, added to `sqrt(v)`.
      amsgrad: use the AMSGrad variant.
      **kwargs: `weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm` (see `Optimizer`).

    Raises:
      ValueError: for an invalid argument.

    Example:
      >>> Adam().get_config()["epsilon"]
      1e-07
    """

    def __init__(
        self,
        learning_rate: float | Schedule = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        _check_number("beta_1", beta_1, 0.0, 1.0)
        _check_number("beta_2", beta_2, 0.0, 1.0)
        _check_number("epsilon", epsilon, 0.0)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, bool(amsgrad)
        super().__init__(learning_rate, **kwargs)

    def _direction(self, learning_rate: Any) -> optax.GradientTransformation:
        return optax.chain(
            scale_by_keras_adam(self.beta_1, self.beta_2, self.epsilon, self.amsgrad),
            optax.scale_by_learning_rate(learning_rate),
        )

    def _own_config(self) -> dict[str, Any]:
        return {
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with Keras's decoupled weight decay, `w -= lr * weight_decay * w` each step.

    Args:
      learning_rate: a positive float or an optax schedule.
      weight_decay: `>= 0`.
      beta_1: first-moment decay, in `[0, 1)`.
      beta_2: second-moment decay, in `[0, 1)`.
      epsilon: `>= 0`, added to `sqrt(v)`.
      amsgrad: use the AMSGrad variant.
      **kwargs: `clipnorm`, `clipvalue`, `global_clipnorm` (see `Optimizer`).

    Raises:
      ValueError: for an invalid argument.

    Example:
      >>> AdamW().get_config()["weight_decay"]
      0.004
    """

    def __init__(
        self,
        learning_rate: float | Schedule = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        _check_number("weight_decay", weight_decay, 0.0)
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)


class RMSprop(Optimizer):
    """RMSprop as Keras 3 computes it: `v = rho v + (1 - rho) g**2`, step `lr * g / sqrt(v + eps)`
    (centered: `sqrt(v - mean_g**2 + eps)`), accumulated in a momentum `mom = momentum * mom + step`.

    Args:
      learning_rate: a positive float or an optax schedule.
      rho: decay of the squared-gradient average, in `[0, 1)`.
      momentum: `>= 0`.
      epsilon: `>= 0`.
      centered: normalize by the variance instead of the second moment.
      **kwargs: `weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm` (see `Optimizer`).

    Raises:
      ValueError: for an invalid argument.

    Example:
      >>> RMSprop().get_config()["rho"]
      0.9
    """

    def __init__(
        self,
        learning_rate: float | Schedule = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ) -> None:
        _check_number("rho", rho, 0.0, 1.0)
        _check_number("momentum", momentum, 0.0)
        _check_number("epsilon", epsilon, 0.0)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, bool(centered)
        super().__init__(learning_rate, **kwargs)

    def _direction(self, learning_rate: Any) -> optax.GradientTransformation:
        scale = optax.scale_by_stddev if self.centered else optax.scale_by_rms
        parts = [
            scale(decay=self.rho, eps=self.epsilon, initial_scale=0.0, eps_in_sqrt=True),
            optax.scale_by_learning_rate(learning_rate),
        ]
        if self.momentum > 0:
            parts.append(optax.trace(decay=self.momentum))
        return optax.chain(*parts)

    def _own_config(self) -> dict[str, Any]:
        return {
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adagrad(Optimizer):
    """Adagrad as Keras 3 computes it: `acc += g**2`, step `lr * g / sqrt(acc + eps)` (optax's
    `scale_by_rss`).

    Args:
      learning_rate: a positive float or an optax schedule.
      initial_accumulator_value: the starting value of `acc`, `>= 0`.
      epsilon: `>= 0`.
      **kwargs: `weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm` (see `Optimizer`).

    Raises:
      ValueError: for an invalid argument.

    Example:
      >>> Adagrad().get_config()["initial_accumulator_value"]
      0.1
    """

    def __init__(
        self,
        learning_rate: float | Schedule = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        _check_number("initial_accumulator_value", initial_accumulator_value, 0.0)
        _check_number("epsilon", epsilon, 0.0)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon
        super().__init__(learning_rate, **kwargs)

    def _direction(self, learning_rate: Any) -> optax.GradientTransformation:
        return optax.chain(
            optax.scale_by_rss(self.initial_accumulator_value, self.epsilon),
            optax.scale_by_learning_rate(learning_rate),
        )

    def _own_config(self) -> dict[str, Any]:
        return {"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon}


def _find_injected(opt_state: optax.OptState) -> Any:
    is_inject = lambda x: isinstance(x, _INJECT_STATES)
    for node in jax.tree.leaves(opt_state, is_leaf=is_inject):
        if is_inject(node) and "learning_rate" in node.hyperparams:
            return node
    return None


def get_learning_rate(opt_state: optax.OptState) -> float | None:
    """The learning rate held in an optimizer state (the one the next step uses), or `None` if the
    optimizer was not built with `optax.inject_hyperparams`.

    Args:
      opt_state: a state from `Optimizer.init` / `Optimizer.update` (or any optax state).

    Returns:
      A Python float (the shortest decimal that rounds to the stored float32, e.g. `0.01` rather
      than `0.009999999776482582`), or `None`.

    Example:
      >>> get_learning_rate(Adam(0.01).init(jnp.zeros(2)))
      0.01
    """
    node = _find_injected(opt_state)
    return None if node is None else float(str(np.asarray(node.hyperparams["learning_rate"])[()]))


def set_learning_rate(opt_state: optax.OptState, value: float | jax.Array) -> optax.OptState:
    """A new optimizer state whose learning rate is `value` (same dtype and shape, so a jitted step
    taking the state as an argument does not recompile); `opt_state` is unchanged.

    Args:
      opt_state: a state from `Optimizer.init` / `Optimizer.update`.
      value: the new learning rate, positive.

    Returns:
      The new state.

    Raises:
      ValueError: if the state has no injected learning rate, if its learning rate comes from a
        schedule (which would overwrite it), or if `value` is not positive.

    Example:
      >>> state = set_learning_rate(SGD(0.1).init(jnp.zeros(2)), 0.5)
      >>> get_learning_rate(state)
      0.5
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        _check_number("value", value, 0.0, low_open=True)
    node = _find_injected(opt_state)
    if node is None:
        raise ValueError(
            "This optimizer state holds no learning rate: the optimizer must be a kerasish "
            "optimizer or built with optax.inject_hyperparams(...)(learning_rate=...)."
        )
    if "learning_rate" in getattr(node, "hyperparams_states", {}):
        raise ValueError(
            "This optimizer's learning rate is a schedule, hence not settable; received "
            f"value={value!r}. Build the optimizer with a float learning rate to set it."
        )
    old = node.hyperparams["learning_rate"]
    new_node = node._replace(hyperparams={**node.hyperparams, "learning_rate": jnp.asarray(value, old.dtype)})
    is_inject = lambda x: isinstance(x, _INJECT_STATES)
    return jax.tree.map(lambda x: new_node if x is node else x, opt_state, is_leaf=is_inject)


_BY_NAME: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
    **{cls.__name__: cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad)},
}


def get(identifier: str | Optimizer | optax.GradientTransformation) -> Optimizer:
    """Resolves an optimizer name or object to an `Optimizer`.

    Args:
      identifier: a name (`"sgd"`, `"adam"`, `"adamw"`, `"rmsprop"`, `"adagrad"` or a class name; an
        instance with Keras's defaults), an `Optimizer` (returned as is), or any optax
        `GradientTransformation` (wrapped with `Optimizer.from_optax`).

    Returns:
      An `Optimizer`.

    Raises:
      ValueError: for an unknown name (the message lists the accepted ones).
      TypeError: for anything else.

    Example:
      >>> get("adam").get_config()["beta_2"]
      0.999
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(
                f"Unknown optimizer {identifier!r}. Expected one of {sorted(_BY_NAME)}, a "
                "kerasish.optimizers.Optimizer or an optax.GradientTransformation."
            )
        return _BY_NAME[identifier]()
    if isinstance(identifier, optax.GradientTransformation):
        return Optimizer.from_optax(identifier)
    raise TypeError(
        "Argument `identifier` must be an optimizer name, a kerasish.optimizers.Optimizer or an "
        f"optax.GradientTransformation, received {identifier!r} of type {type(identifier).__name__}."
    )


def serialize(optimizer: Optimizer) -> dict[str, Any] | None:
    """`{"class_name", "config"}` of a kerasish optimizer, as Keras's `optimizers.serialize`; None for one whose
    configuration is code, not data (a wrapped optax transformation, a schedule as the learning rate).

    Example:
      >>> serialize(SGD(0.1))["class_name"], serialize(Optimizer.from_optax(optax.sgd(0.1))) is None
      ('SGD', True)
    """
    config = optimizer.get_config()
    if _BY_NAME.get(type(optimizer).__name__) is not type(optimizer) or callable(config["learning_rate"]):
        return None
    return {"class_name": type(optimizer).__name__, "config": config}


def deserialize(config: dict[str, Any]) -> Optimizer:
    """The optimizer `serialize` described.

    Raises:
      ValueError: for a class name kerasish does not have, or a config that is not a dict.
    """
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict) \
            or config.get("class_name") not in _BY_NAME:
        raise ValueError(f"An optimizer config must be {{'class_name': one of {sorted(_BY_NAME)}, 'config': {{...}}}}, "
                         f"received {str(config)[:200]}.")
    return _BY_NAME[config["class_name"]](**config["config"])
