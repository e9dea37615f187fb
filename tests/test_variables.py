"""`kerasish.variables.Variable` against `keras.Variable`: dtypes, assignment, arithmetic, naming; a pytree that
passes into `jax.jit`; values bound for one trace."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import backend
from kerasish.variables import Variable, bound_values


@pytest.mark.parametrize("value", [1.5, 3, True, [1.0, 2.0], np.arange(4.0), np.arange(3), np.float16(2.0)])
def test_dtypes_and_values_as_keras(value):
    ours, theirs = Variable(value), keras.Variable(value)
    assert ours.dtype == theirs.dtype and ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_methods_and_operators_as_keras():
    ours, theirs = Variable([1.0, 4.0], name="w"), keras.Variable([1.0, 4.0], name="w")
    for v in (ours, theirs):
        v.assign_add([1.0, 1.0])
        v.assign_sub(np.array([0.5, 0.5], np.float32))
    for op in [lambda v: v + 1, lambda v: 2 * v, lambda v: v / 2, lambda v: 1 - v, lambda v: v ** 2, lambda v: -v,
               lambda v: v @ np.ones(2, np.float32), lambda v: v > 2, lambda v: v == 1.5, lambda v: abs(v),
               lambda v: v[1], lambda v: v // 2, lambda v: 5 % v]:
        np.testing.assert_array_equal(np.asarray(op(ours)), np.asarray(op(theirs)))
    assert ours.name == "w" and ours.ndim == 1 and len(ours) == 2 and float(ours[0]) == 1.5
    assert backend.convert_to_numpy(ours).tolist() == [1.5, 4.5] and jnp.asarray(ours).dtype == jnp.float32
    assert "path=w, shape=(2,), dtype=float32" in repr(ours) and {ours: 1}[ours] == 1
    assert Variable(0.1) == pytest.approx(0.1) and Variable(2.0) != pytest.approx(1.0)  # others answer for theirs


def test_initializers_names_and_errors():
    v = Variable("ones", shape=(2, 3), dtype="float16", trainable=False)
    assert v.numpy().sum() == 6 and v.dtype == "float16" and not v.trainable
    backend.clear_session(free_memory=False)
    assert [Variable(0.0).name, Variable(0.0).name] == ["variable", "variable_1"]
    with pytest.raises(ValueError, match=r"when `initializer` is an initializer \('zeros'\), the `shape` argument is "
                                         r"required"):
        Variable("zeros")
    with pytest.raises(ValueError, match=r"the initial value has shape \(2,\), but shape=\(3,\) was given"):
        Variable([1.0, 2.0], shape=(3,))
    with pytest.raises(ValueError, match=r"`aggregation` of Variable must be one of .* received aggregation='max'"):
        Variable(1.0, aggregation="max")
    with pytest.raises(ValueError, match=r"must be \(2,\), received a value of shape \(3,\)"):
        Variable([1.0, 2.0]).assign([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"Argument `name` of Variable must be a string, received 3"):
        Variable(1.0, name=3)


def test_a_pytree_that_passes_into_jit():
    v = Variable([1.0, 2.0], name="w")
    doubled = jax.jit(lambda x: jax.tree.map(lambda a: 2 * a, x))(v)
    assert isinstance(doubled, Variable) and doubled.name == "w" and doubled.numpy().tolist() == [2.0, 4.0]
    assert jax.jit(lambda x: x.value.sum())(v) == 3.0


def test_bound_values_are_restored_even_after_an_error():
    v = Variable(1.0)
    with pytest.raises(RuntimeError), bound_values([v], [jnp.float32(7.0)]):
        assert float(v) == 7.0
        raise RuntimeError
    assert float(v) == 1.0
    with pytest.raises(ValueError, match=r"bound_values got 1 variables and 2 values"), bound_values([v], [1, 2]):
        pass


def test_a_variable_bound_twice_in_one_call_gets_its_own_value_back():
    v, w = Variable(1.0), Variable(2.0)
    with bound_values([v, w, v], [jnp.float32(3.0), jnp.float32(4.0), jnp.float32(5.0)]):
        assert (float(v), float(w)) == (5.0, 4.0)  # the last value given wins, as with assignments in order
        v.assign(6.0)
    assert (float(v), float(w)) == (1.0, 2.0)


def test_replace_value_keeps_the_value_as_given():
    v = Variable([1.0, 2.0])
    v.replace_value(jax.ShapeDtypeStruct((2,), jnp.float32))  # a placeholder where no array is kept
    assert v.shape == (2,) and v.dtype == "float32"
    v.replace_value(jnp.array([3.0, 4.0]))
    assert v.numpy().tolist() == [3.0, 4.0]
