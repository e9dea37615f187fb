"""The metric object and its two faces.

**Stateful (Keras's API).** A metric holds its running state in variables made with `add_variable`;
`update_state(...)` adds a batch (`self.total.assign_add(...)`), `result()` reads the value, `reset_state()`
starts again. This is how a metric is used outside `fit` and how a user subclass is written:

    m = Precision(); m.update_state(y_true, y_pred); m.result()

**Stateless (pure).** The same object is also three pure functions of a list of arrays, one per variable,
which is what a compiled step carries (Keras's JAX stateless API):

    state = m.stateless_reset_state()                          # [zeros, ...]
    state = m.stateless_update_state(state, y_true, y_pred)     # inside jax.jit: traced arrays
    value = m.stateless_result(state)

They run the very `update_state` / `result` code with each variable bound to the given array for the
duration of the call (`kerasish.variables.bound_values`: an `assign` rebinds it; nothing of the object
changes), so any subclass written the Keras way gets its pure form for free, and `fit` keeps the accumulators
inside the compiled step. The variables are `kerasish.variables.Variable`s (Keras's `keras.Variable`), not
trainable, named `<metric name>/<variable name>`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import jax
import jax.numpy as jnp

from kerasish import backend, variables
from kerasish.losses.loss import standardize_dtype_argument, to_snake_case
from kerasish.variables import Variable


def _held(value: Any) -> Iterator[Any]:
    """The metrics and variables in `value`: itself, or inside (nested) lists, tuples and dicts."""
    if isinstance(value, (Metric, Variable)):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _held(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _held(item)


def _values_of(values: Sequence[Any]) -> list[Any]:
    return [v.value if isinstance(v, Variable) else v for v in values]


class Metric:
    """Base class of metrics: state in variables (`add_variable`), `update_state`, `result`, `reset_state`,
    and the same logic as pure functions (`stateless_update_state`, `stateless_result`,
    `stateless_reset_state`); see the module docstring.

    Subclasses create their variables in `__init__` with `self.add_variable(...)`, update them with
    `assign` / `assign_add` in `update_state`, and compute the value from them in `result`.

    Args:
      dtype: the dtype of the computation and of the result (default `backend.floatx()`, float32); a
        `kerasish.mixed_precision.DTypePolicy` gives its compute dtype.
      name: the metric's name, its key in the logs of `fit` (default: the class name in snake_case, numbered
        when taken, as Keras names them).

    Example:
      >>> class Total(Metric):
      ...     def __init__(self, name="total", dtype=None):
      ...         super().__init__(name=name, dtype=dtype)
      ...         self.total = self.add_variable(shape=(), initializer="zeros", name="total")
      ...     def update_state(self, values, sample_weight=None):
      ...         self.total.assign_add(jnp.sum(jnp.asarray(values)))
      ...     def result(self):
      ...         return self.total.value
      >>> m = Total()
      >>> m.update_state([1.0, 2.0]); float(m.result())
      3.0
      >>> state = m.stateless_update_state(m.stateless_reset_state(), [5.0])
      >>> float(m.stateless_result(state)), float(m.result())
      (5.0, 3.0)
    """

    #: Whether a sample of weight 0 leaves the state as if the sample were absent (so `fit` may pad a short last
    #: batch with weight-0 rows and compile one program). True of kerasish's metrics but `R2Score` (which counts
    #: samples); only consulted for kerasish's own classes.
    masks_by_sample_weight = True

    def __init__(self, dtype: Any = None, name: str | None = None) -> None:
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"Argument `name` must be a non-empty string, received name={name!r}.")
        object.__setattr__(self, "_variables", [])
        object.__setattr__(self, "_metrics", [])
        self.name = name or backend.unique_name(to_snake_case(type(self).__name__))
        self._dtype = standardize_dtype_argument(dtype)

    def __setattr__(self, name: str, value: Any) -> None:
        if "_metrics" in self.__dict__:  # a metric (or variable) held by a metric, also in a list or dict, is its
            for held in _held(value):     # state too, as Keras tracks them
                if isinstance(held, Metric) and held is not self and not any(held is m for m in self._metrics):
                    self._metrics.append(held)
                elif isinstance(held, Variable) and not any(held is v for v in self._variables):
                    self._variables.append(held)
        object.__setattr__(self, name, value)

    def _check_super_called(self) -> None:
        if "_variables" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__} forgot to call `super().__init__()` in its `__init__()`.")

    @property
    def dtype(self) -> str:
        """The dtype of the computation and of the result, e.g. `"float32"` (read-only)."""
        return self._dtype

    @property
    def needs_build(self) -> bool:
        """Whether the metric creates (some of) its variables in its first `update_state`, their shapes coming
        from the data (Keras's `AUC(multi_label=True)` without `num_labels`, `F1Score`, `R2Score`). Before
        compiling a step, `fit` then runs one eager `update_state` on a zero batch of the data's shapes and
        resets the metric. A subclass that builds lazily says so by overriding this property."""
        return False

    # -- variables ---------------------------------------------------------------------------------

    def add_variable(self, shape: Any, initializer: Any, dtype: Any = None, aggregation: str = "sum",
                     name: str | None = None) -> Variable:
        """Creates one variable of the state (call it in `__init__`, or once in the first `update_state`).

        Args:
          shape: the variable's shape, e.g. `()` or `(num_thresholds,)`.
          initializer: an initializer name (`"zeros"`, `"ones"`, ...), object or callable
            `(key, shape, dtype) -> array` (see `kerasish.initializers`), or the initial value itself (an array
            of `shape`).
          dtype: the variable's dtype (default the metric's `dtype`).
          aggregation: `"sum"` (default), `"mean"`, `"none"` or `"only_first_replica"`: how replicas combine.
          name: the variable's name.

        Returns:
          The `kerasish.variables.Variable` (also listed in `variables`), not trainable, with path
          `<metric name>/<name>`.

        Raises:
          ValueError: for an unknown `aggregation`, or an initial value of another shape.
        """
        self._check_super_called()
        shape = () if shape is None else tuple(int(d) for d in (shape if isinstance(shape, (list, tuple)) else
                                                                  (shape,)))
        variable = Variable("zeros" if initializer is None else initializer, shape=shape, dtype=dtype or self._dtype,
                            trainable=False, aggregation=aggregation, synchronization="on_read",
                            name=name or f"variable_{len(self._variables)}")
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_weight(self, shape: Any = (), initializer: Any = None, dtype: Any = None,
                   name: str | None = None) -> Variable:
        """`add_variable` with Keras's older argument order (zeros by default)."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list[Variable]:
        """The state's variables in creation order, then those of metrics held as attributes."""
        self._check_super_called()
        out = list(self._variables)
        for metric in self._metrics:
            out.extend(metric.variables)
        return out

    # -- the stateful face -------------------------------------------------------------------------

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Adds one batch to the state (subclasses implement it)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `update_state`.")

    def result(self) -> Any:
        """The metric's value: an array (a scalar for most metrics) or a dict of them."""
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def reset_state(self) -> None:
        """Sets every variable back to zeros."""
        for v in self.variables:
            v.assign(jnp.zeros(v.shape, v.value.dtype))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """`update_state(*args, **kwargs)`, then `result()`."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    # -- the stateless face ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _bound(self, values: Sequence[Any] | None) -> Iterator[list[Variable]]:
        held = self.variables
        if values is None:
            values = [v.value for v in held]
        elif len(values) != len(held):
            raise ValueError(f"Argument `metric_variables` must be a list of tensors corresponding 1:1 to "
                             f"{type(self).__name__}().variables. Received list with length {len(values)}, but "
                             f"expected {len(held)} variables.")
        values = [jnp.asarray(x, v.value.dtype) for v, x in zip(held, _values_of(values))]
        with variables.bound_values(held, values):
            yield held

    def stateless_update_state(self, metric_variables: Sequence[Any], *args: Any, **kwargs: Any) -> list[Any]:
        """`update_state` as a pure function: the state after one more batch.

        Args:
          metric_variables: one array per variable, in `variables`' order (e.g. from `stateless_reset_state`).
          *args, **kwargs: `update_state`'s arguments (`y_true, y_pred, sample_weight=...`).

        Returns:
          The new list of arrays. The metric's own variables are unchanged.

        Raises:
          ValueError: for a list of the wrong length.
        """
        with self._bound(metric_variables) as held:
            self.update_state(*args, **kwargs)
            if len(self.variables) != len(held):
                raise ValueError(f"Metric {self.name!r} ({type(self).__name__}) created variables in "
                                 f"`update_state` during a stateless update: create them in `__init__` with "
                                 f"`add_variable`, or say `needs_build` so that it is built eagerly first.")
            return [v.value for v in held]

    def stateless_result(self, metric_variables: Sequence[Any]) -> Any:
        """`result()` of the state `metric_variables` (a pure function; the variables are unchanged). A result
        that is a variable itself (`return self.total`) gives its value."""
        with self._bound(metric_variables):
            return jax.tree.map(lambda x: x.value if isinstance(x, Variable) else x, self.result(),
                                is_leaf=lambda x: isinstance(x, Variable))

    def stateless_reset_state(self) -> list[Any]:
        """The state after `reset_state()` (a list of arrays), leaving the variables unchanged."""
        with self._bound(None) as variables:
            self.reset_state()
            return [v.value for v in variables]

    # -- configuration -----------------------------------------------------------------------------

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments: `type(m).from_config(m.get_config())` is an equal metric."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """A metric from `get_config()`'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    def __str__(self) -> str:
        return self.__repr__()
