"""`Variable`: Keras 3's variable (a named, mutable array) for state that lives outside a layer.

Layer weights are `flax.nnx` variables (`nnx.Param`); this class is what Keras code creates by hand
(`keras.Variable(...)`, `keras.backend.Variable(...)`) and what an optimizer keeps its state in (its step
count, learning rate, momentums). It holds one array, `value`, and Keras's methods on it: `assign`,
`assign_add`, `assign_sub`, `numpy()`, arithmetic and comparisons that read the value, `shape`, `dtype`
(a Keras dtype name), `name`, `path`, `trainable`.

A Variable is a JAX pytree whose one leaf is its value, so a list of Variables can be passed into
`jax.jit` (inside, each is a Variable holding a traced value) and `jax.tree.map` reaches the values. JAX
no longer reads `__jax_array__` from an argument of `jnp` functions: pass `variable.value` to them (or
use the arithmetic operators, which do).

Functions that run a Keras-style stateful computation purely (an optimizer's `stateless_apply`) bind
traced values to variables for the duration of one trace with `bound_values`.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterator, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasish import initializers, naming
from kerasish import random as _random
from kerasish.dtypes import floatx, standardize_dtype


def _value_dtype(value: Any, dtype: Any) -> Any:
    if dtype is not None:
        return standardize_dtype(dtype)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int32"
    if isinstance(value, float):
        return floatx()
    array_dtype = getattr(value, "dtype", None)
    if array_dtype is None:
        array_dtype = np.asarray(value).dtype
    name = standardize_dtype(array_dtype)
    return floatx() if name == "float64" else ("int32" if name == "int64" else name)


class Variable:
    """A named array that Keras code reads and assigns (`keras.Variable`).

    Args:
      initializer: the initial value (an array, a number, a nested list), or an initializer (a name such as
        `"zeros"`, or a kerasish / JAX initializer `(key, shape, dtype) -> array`), then `shape` is required.
      shape: the shape, when `initializer` is an initializer.
      dtype: a dtype name (`"float32"`, `"int32"`, ...). Default: the value's (Python and float64 floats
        become float32, Python ints and int64 become int32, as in Keras on JAX).
      trainable: whether a gradient should train it.
      autocast: Keras's flag for mixed precision (kept for the config; kerasish casts in the layer).
      aggregation: Keras's multi-replica aggregation name (`"none"`, `"mean"`, `"sum"`,
        `"only_first_replica"`); kept as metadata.
      synchronization: Keras's synchronization name; kept as metadata.
      name: the variable's name (`"variable"`, `"variable_1"`, ... by default, as Keras names them).

    Raises:
      ValueError: for an initializer without a `shape`, a value whose shape contradicts `shape`, an unknown
        dtype, or an unknown `aggregation`.

    Example:
      >>> v = Variable([1.0, 2.0], name="w")
      >>> v.assign_add([0.5, 0.5])
      >>> v.numpy().tolist(), v.dtype, v.shape, float(v[0])
      ([1.5, 2.5], 'float32', (2,), 1.5)
    """

    _AGGREGATIONS = (None, "none", "mean", "sum", "only_first_replica")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        jax.tree_util.register_pytree_node_class(cls)  # JAX registers exact classes only
    _bound = False  # True while `bound_to` has given it a value from outside

    def __init__(self, initializer: Any, shape: Sequence[int] | None = None, dtype: Any = None,
                 trainable: bool = True, autocast: bool = True, aggregation: str | None = "none",
                 synchronization: str = "auto", name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise ValueError(f"Argument `name` of Variable must be a string, received {name!r}.")
        if aggregation not in self._AGGREGATIONS:
            raise ValueError(f"Argument `aggregation` of Variable must be one of {list(self._AGGREGATIONS)}, "
                             f"received aggregation={aggregation!r}.")
        if isinstance(initializer, str) or (callable(initializer) and not hasattr(initializer, "shape")):
            if shape is None:
                raise ValueError(f"Variable {name or 'variable'!r}: when `initializer` is an initializer "
                                 f"({initializer!r}), the `shape` argument is required.")
            dtype = standardize_dtype(dtype)
            initializer = initializers.get(initializer)
            # a constant needs no key: drawing one would move the global random stream of weight initializers
            key = None if isinstance(initializer, initializers.Constant) else _random.next_key()
            value = initializer(key, tuple(int(d) for d in shape), jax.dtypes.canonicalize_dtype(np.dtype(dtype)))
        else:
            dtype = _value_dtype(initializer, dtype)
            value = jnp.asarray(initializer, jax.dtypes.canonicalize_dtype(np.dtype(dtype)))
            if shape is not None and tuple(shape) != value.shape:
                raise ValueError(f"Variable {name or 'variable'!r}: the initial value has shape {value.shape}, "
                                 f"but shape={tuple(shape)} was given.")
        self._dtype = standardize_dtype(dtype)
        # JAX without x64 holds a float64 / int64 variable in 32 bits; its `dtype` stays the one asked for (Keras's)
        self._array_dtype = jax.dtypes.canonicalize_dtype(np.dtype(self._dtype))
        self._value = jnp.asarray(value, self._array_dtype)
        self.name = name or naming.unique_name("variable")
        self.path = self.name
        self.trainable = bool(trainable)
        self.autocast = bool(autocast)
        self.aggregation = aggregation or "none"
        self.synchronization = synchronization
        self.constraint = None
        self.regularizer = None

    # -- the value --------------------------------------------------------------------------------

    @property
    def value(self) -> jax.Array:
        """The current value (a JAX array; traced while the variable is bound inside a transformation)."""
        return self._value

    def get_value(self) -> jax.Array:
        """The current value (the name flax's and kerasish's variables share)."""
        return self.value

    def assign(self, value: Any) -> None:
        """Replaces the value; `value` is cast to this variable's dtype and must have its shape.

        Raises:
          ValueError: if `value`'s shape differs from the variable's.
        """
        new = jnp.asarray(value.value if isinstance(value, Variable) else value, self._array_dtype)
        if new.shape != self.shape:
            raise ValueError(f"The shape of the value assigned to variable {self.path!r} must be {self.shape}, "
                             f"received a value of shape {new.shape}.")
        self._set(new)

    def _set(self, new: jax.Array) -> None:
        self._value = new

    def replace_value(self, value: Any) -> None:
        """Makes `value` the variable's own value as it is: no cast, no shape check, and none of what a subclass
        does on `assign` (an optimizer's learning rate bound to a training run writes there).

        For code that computed `value` purely from this variable's own value and keeps the result (an optimizer
        after its pure step), or that leaves a `jax.ShapeDtypeStruct` where it keeps no array. Everything else
        uses `assign`.

        Example:
          >>> v = Variable([1.0, 2.0])
          >>> v.replace_value(jnp.zeros(2))
          >>> v.numpy().tolist()
          [0.0, 0.0]
        """
        self._value = value

    @contextlib.contextmanager
    def bound_to(self, value: Any) -> Iterator[None]:
        """Within the block the variable holds `value` (traced or concrete; a Variable gives its value), then its
        own value again, whatever was assigned meanwhile.

        This is how a stateful Keras-style computation runs as a pure function (see `bound_values`, which binds
        several). While bound, a variable that reads a training run's live state (an optimizer's learning rate
        and step count) reads `value` instead.

        Example:
          >>> v = Variable(1.0)
          >>> with v.bound_to(jnp.float32(5.0)):
          ...     v.assign_add(1.0)
          ...     inside = float(v)
          >>> inside, float(v)
          (6.0, 1.0)
        """
        saved = self._value, self._bound
        self._value, self._bound = _raw(value), True
        try:
            yield
        finally:
            self._value, self._bound = saved

    def _leaf(self) -> Any:
        """What the variable is as a pytree leaf (its value)."""
        return self._value

    def tree_flatten(self) -> tuple[tuple[Any], tuple]:
        """JAX's pytree protocol: the value is the one child; the rest (name, path, dtype, flags) is static
        data, so two variables differing only in value have the same tree structure."""
        aux = {k: v for k, v in vars(self).items() if k not in _NOT_AUX}
        return (self._leaf(),), (type(self), tuple(sorted(aux.items(), key=lambda kv: kv[0])))

    @classmethod
    def tree_unflatten(cls, aux: tuple, children: Sequence[Any]) -> Variable:
        """JAX's pytree protocol: the flattened variable again (its class and attributes), holding `children[0]`."""
        variable_class, items = aux
        variable = object.__new__(variable_class)
        vars(variable).update(items, _value=children[0])
        return variable

    def assign_add(self, value: Any) -> None:
        """Adds `value` to the variable."""
        self.assign(self.value + _operand(value))

    def assign_sub(self, value: Any) -> None:
        """Subtracts `value` from the variable."""
        self.assign(self.value - _operand(value))

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the value."""
        return np.asarray(jax.device_get(self.value))

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape) if self._value is not None else ()

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, value={self.value}>"

    # -- reading it as an array ---------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = dict(vars(self))
        state.pop("_holder", None)  # a weak reference to a training run: not part of the variable
        state.pop("_bound", None)
        return state

    def __jax_array__(self) -> jax.Array:
        return self.value

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self.numpy(), dtype)

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __getitem__(self, index: Any) -> jax.Array:
        return self.value[index]

    def __iter__(self) -> Iterator[jax.Array]:
        return iter(self.value)

    def __format__(self, spec: str) -> str:
        return format(self.numpy().item() if self.ndim == 0 else self.numpy(), spec)

    def __hash__(self) -> int:
        return id(self)

    def __neg__(self):
        return -self.value

    def __pos__(self):
        return self.value

    def __abs__(self):
        return abs(self.value)

    def __invert__(self):
        return ~self.value

    def astype(self, dtype: Any) -> jax.Array:
        return self.value.astype(standardize_dtype(dtype))


def _raw(x: Any) -> Any:
    return x.value if isinstance(x, Variable) else x


def _operand(x: Any) -> Any:
    x = _raw(x)
    return jnp.asarray(x) if isinstance(x, (list, tuple)) else x


_OPERATORS = {
    "add": jnp.add, "sub": jnp.subtract, "mul": jnp.multiply, "truediv": jnp.true_divide,
    "floordiv": jnp.floor_divide, "mod": jnp.mod, "pow": jnp.power, "matmul": jnp.matmul,
    "and": jnp.bitwise_and, "or": jnp.bitwise_or, "xor": jnp.bitwise_xor,
    "lt": jnp.less, "le": jnp.less_equal, "gt": jnp.greater, "ge": jnp.greater_equal,
    "eq": jnp.equal, "ne": jnp.not_equal,
}


_OPERANDS = (numbers.Number, np.ndarray, np.generic, jax.Array, Variable, list, tuple)


def _operator(name: str, reflected: bool):
    fn = _OPERATORS[name]

    def method(self: Variable, other: Any) -> jax.Array:
        if not isinstance(other, _OPERANDS) and not hasattr(other, "__array__"):
            return NotImplemented  # let the other object answer (e.g. `variable == pytest.approx(0.1)`)
        return fn(_operand(other), self.value) if reflected else fn(self.value, _operand(other))

    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


for _name in _OPERATORS:  # arithmetic and comparisons read the value, elementwise (hashing stays by identity)
    setattr(Variable, f"__{_name}__", _operator(_name, reflected=False))
    if _name not in ("lt", "le", "gt", "ge", "eq", "ne"):
        setattr(Variable, f"__r{_name}__", _operator(_name, reflected=True))


_NOT_AUX = ("_value", "_bound", "_holder")  # what `tree_flatten` leaves out of the static data
jax.tree_util.register_pytree_node_class(Variable)


@contextlib.contextmanager
def bound_values(variables: Sequence[Variable], values: Sequence[Any]) -> Iterator[None]:
    """Within the block, each variable holds the matching value (traced or concrete), then its own again.

    This is how a stateful Keras-style computation (`assign` on variables) runs as a pure function: bind
    the inputs, run it, read the variables' values before leaving the block (`Variable.bound_to` for each).

    Raises:
      ValueError: if the two sequences differ in length.

    Example:
      >>> v = Variable(1.0)
      >>> with bound_values([v], [jnp.float32(5.0)]):
      ...     v.assign_add(1.0)
      ...     inside = float(v)
      >>> inside, float(v)
      (6.0, 1.0)
    """
    if len(variables) != len(values):
        raise ValueError(f"bound_values got {len(variables)} variables and {len(values)} values.")
    with contextlib.ExitStack() as stack:
        for variable, value in zip(variables, values):
            stack.enter_context(variable.bound_to(value))
        yield
