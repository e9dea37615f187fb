"""`OptaxOptimizer`: any optax `GradientTransformation` behind kerasish's optimizer interface.

`compile(optimizer=optax.adamw(1e-3))` and `Optimizer.from_optax(tx)` give one. Its optax face is the
transformation itself; its Keras face (`build`, `variables`, `apply`, `stateless_apply`) holds the optax state's
leaves as variables. Its learning rate is readable and settable only when the transformation was built with
`optax.inject_hyperparams(...)(learning_rate=...)`. It has no config: a transformation is code.
"""

from __future__ import annotations

import weakref
from typing import Any

import jax
import jax.numpy as jnp
import optax

from kerasish import backend
from kerasish.optimizers.base import Optimizer, read_value, snake_case
from kerasish.optimizers.state import get_learning_rate, set_learning_rate
from kerasish.variables import Variable


class OptaxOptimizer(Optimizer):
    """An optax transformation as a kerasish optimizer (see the module docstring).

    Args:
      transformation: an `optax.GradientTransformation`.
      name: the optimizer's name (`"optax_optimizer"` by default).

    Raises:
      TypeError: if `transformation` is not an optax `GradientTransformation`.

    Example:
      >>> opt = OptaxOptimizer(optax.inject_hyperparams(optax.sgd)(learning_rate=0.5))
      >>> w = Variable([1.0])
      >>> _ = opt.apply_gradients([(jnp.array([1.0]), w)])
      >>> float(w[0]), float(opt.learning_rate)
      (0.5, 0.5)
    """

    def __init__(self, transformation: optax.GradientTransformation, name: str | None = None) -> None:
        if not isinstance(transformation, optax.GradientTransformation):
            raise TypeError(f"Argument `transformation` of OptaxOptimizer must be an optax.GradientTransformation, "
                            f"received {transformation!r}.")
        self.transformation = transformation
        self.name = name or backend.unique_name(snake_case(type(self).__name__))
        self.built, self._holder, self._programs = False, None, {}
        self._variables, self._trainable_variables, self._references = [], [], []
        self._trainable_variables_indices: dict[int, int] = {}
        self._treedef = None
        self.loss_scale_factor = self.gradient_accumulation_steps = None
        self.use_ema, self._iterations = False, None

    # -- the optax face: the transformation itself -------------------------------------------------

    def init(self, params: Any) -> Any:
        return self.transformation.init(params)

    def update(self, updates: Any, state: Any, params: Any = None, **extra_args: Any) -> tuple[Any, Any]:
        return self.transformation.update(updates, state, params, **extra_args)

    # -- the Keras face: the state's leaves as variables ------------------------------------------

    def build(self, var_list) -> None:
        var_list = list(var_list)
        super().build(var_list)
        self._variables = []
        leaves, self._treedef = jax.tree.flatten(self.transformation.init([read_value(v) for v in var_list]))
        for i, leaf in enumerate(leaves):
            variable = Variable(leaf, dtype=backend.standardize_dtype(jnp.result_type(leaf)), trainable=False,
                                name=f"optax_state_{i}")
            variable.path = f"{self.name}/{variable.name}"
            self._variables.append(variable)

    def stateless_step(self, state: list, grads: list, trained: list, indices: list[int]) -> tuple[list, list]:
        full = [jnp.zeros_like(w) for w in trained]
        for i, g in zip(indices, grads):
            if g is not None:
                full[i] = g
        updates, new_state = self.transformation.update(full, self._treedef.unflatten(state), trained)
        return list(optax.apply_updates(trained, updates)), jax.tree.leaves(new_state)

    @property
    def learning_rate(self) -> Any:
        """The injected learning rate (live during `fit`), or None when the transformation has none."""
        holder = self._live_holder()
        if holder is not None:
            return holder.learning_rate()
        return get_learning_rate(self._treedef.unflatten([v.value for v in self._variables])) if self.built else None

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        holder = self._live_holder()
        if holder is not None:
            holder.set_learning_rate(value)
            return
        if not self.built:
            raise ValueError("The learning rate of an optax transformation lives in its state: build the optimizer "
                             "(or compile a model with it) before setting it, and build the transformation with "
                             "optax.inject_hyperparams(...)(learning_rate=...).")
        state = set_learning_rate(self._treedef.unflatten([v.value for v in self._variables]), read_value(value))
        for variable, leaf in zip(self._variables, jax.tree.leaves(state)):
            variable.assign(leaf)

    @property
    def iterations(self) -> Any:
        return None

    def bind(self, holder: Any) -> None:
        self._holder = weakref.ref(holder)

    def get_config(self) -> dict[str, Any]:
        """Refused: an optax transformation is code, which a config does not store.

        Raises:
          ValueError: always.
        """
        raise ValueError(f"Optimizer {self.name!r} wraps an optax transformation, which is code: it has no config "
                         f"to save. Use a kerasish optimizer (kerasish.optimizers.Adam, ...) to save it with a model.")


def from_optax(transformation: optax.GradientTransformation) -> OptaxOptimizer:
    """Wraps any optax transformation (`OptaxOptimizer`); its learning rate is readable and settable only if it
    was built with `optax.inject_hyperparams(...)(learning_rate=...)`.

    Example:
      >>> from kerasish.optimizers.state import get_learning_rate
      >>> opt = Optimizer.from_optax(optax.inject_hyperparams(optax.sgd)(learning_rate=0.1))
      >>> get_learning_rate(opt.init(jnp.zeros(1)))
      0.1
    """
    return OptaxOptimizer(transformation)


# The base class names its wrapper for optax transformations, which is defined on top of it.
Optimizer.from_optax = staticmethod(from_optax)
