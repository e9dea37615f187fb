"""The metric object's two faces (kerasish.metrics.metric): Keras's stateful API for eager use and subclasses,
and the stateless methods that a hand-written JAX loop (and `fit`) compile; the variables' array behaviour."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import backend, metrics, mixed_precision


class BinaryTruePositives(metrics.Metric):
    """Keras's documented example subclass, written the same way."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = (jnp.asarray(y_true, bool) & jnp.asarray(y_pred, bool)).astype(self.dtype)
        if sample_weight is not None:
            values = values * jnp.broadcast_to(jnp.asarray(sample_weight, self.dtype), values.shape)
        self.true_positives.assign(self.true_positives + jnp.sum(values))

    def result(self):
        return self.true_positives  # a variable, as in Keras's example: the stateless face reads its value


Y_TRUE = np.array([1, 1, 0, 1, 0], np.float32)
Y_PRED = np.array([1, 0, 1, 1, 0], np.float32)
WEIGHT = np.array([0.5, 1.0, 1.0, 2.0, 1.0], np.float32)


def test_stateful_face():
    m = BinaryTruePositives()
    m.update_state(Y_TRUE, Y_PRED)
    m.update_state(Y_TRUE, Y_PRED, sample_weight=WEIGHT)
    assert float(m.result()) == 2.0 + 2.5
    assert float(m.stateless_result([np.float32(7.0)])) == 7.0
    assert float(m(Y_TRUE, Y_PRED)) == 6.5  # __call__: update, then result
    assert [v.path for v in m.variables] == ["binary_true_positives/true_positives"]
    m.reset_state()
    assert float(m.result()) == 0.0


def test_stateless_face_is_pure_and_compiles():
    m = BinaryTruePositives()
    m.update_state(Y_TRUE, Y_PRED)
    update = jax.jit(lambda state, t, p, w: m.stateless_update_state(state, t, p, sample_weight=w))
    state = m.stateless_reset_state()
    assert [float(v) for v in state] == [0.0]
    for _ in range(2):
        state = update(state, Y_TRUE, Y_PRED, WEIGHT)
    assert float(jax.jit(m.stateless_result)(state)) == 5.0
    assert float(m.result()) == 2.0  # the object's own state is untouched
    state = m.stateless_update_state(m.variables, Y_TRUE, Y_PRED)  # variables are accepted as values
    assert float(state[0]) == 4.0


def test_a_metric_held_by_a_metric_shares_its_variables():
    outer = BinaryTruePositives(name="outer")
    outer.inner = metrics.Mean(name="inner")
    assert [v.path for v in outer.variables] == ["outer/true_positives", "inner/total", "inner/count"]
    outer.inner = outer.inner  # assigned again: listed once
    assert len(outer.variables) == 3


def test_matches_the_keras_subclass_through_keras_stateless_api():
    class KerasTruePositives(keras.metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")

        def update_state(self, y_true, y_pred, sample_weight=None):
            values = keras.ops.cast(keras.ops.logical_and(keras.ops.cast(y_true, "bool"),
                                                          keras.ops.cast(y_pred, "bool")), self.dtype)
            if sample_weight is not None:
                values = values * keras.ops.cast(sample_weight, self.dtype)
            self.true_positives.assign(self.true_positives + keras.ops.sum(values))

        def result(self):  # Keras's stateless_result would return the variable itself, read after its scope
            return keras.ops.convert_to_tensor(self.true_positives)

    ours, theirs = BinaryTruePositives(), KerasTruePositives()
    ours_state, theirs_state = ours.stateless_reset_state(), theirs.stateless_reset_state()
    for _ in range(3):
        ours_state = ours.stateless_update_state(ours_state, Y_TRUE, Y_PRED, sample_weight=WEIGHT)
        theirs_state = theirs.stateless_update_state(theirs_state, Y_TRUE, Y_PRED, sample_weight=WEIGHT)
    np.testing.assert_allclose(ours.stateless_result(ours_state), theirs.stateless_result(theirs_state))


def test_variables_behave_as_arrays():
    m = metrics.Mean()
    m.update_state([1.0, 3.0])
    total = m.variables[0]
    assert float(total + 1) == 5.0 and float(1 + total) == 5.0 and float(total / 2) == 2.0
    assert float(-total) == -4.0 and float(total ** 2) == 16.0 and bool(total > 3) and float(abs(total)) == 4.0
    assert np.asarray(total) == 4.0 and total.numpy() == 4.0 and float(jnp.asarray(total)) == 4.0
    assert total.shape == () and total.dtype == "float32" and total.trainable is False
    assert "path=mean/total" in repr(total) and isinstance(total, backend.Variable)
    total.assign_sub(1.0)
    assert float(total) == 3.0


def test_dtype_and_name():
    m = BinaryTruePositives(dtype="float16")
    m.update_state(Y_TRUE, Y_PRED)
    assert m.result().dtype == "float16" and m.dtype == "float16"
    assert BinaryTruePositives(dtype=mixed_precision.DTypePolicy("mixed_bfloat16")).dtype == "bfloat16"
    with pytest.raises(AttributeError):
        m.dtype = "float32"
    assert m.get_config() == {"name": "binary_true_positives", "dtype": "float16"}
    assert BinaryTruePositives.from_config(m.get_config()).dtype == "float16"
    assert repr(m) == "<BinaryTruePositives name=binary_true_positives>"
    m.name = "renamed"
    assert m.name == "renamed"


def test_int_variables_and_random_initializers():
    class Counter(metrics.Metric):
        def __init__(self):
            super().__init__(name="counter")
            self.seen = self.add_variable(shape=(), initializer="zeros", dtype="int32", name="seen")
            self.noise = self.add_weight(shape=(2,), initializer="random_normal", name="noise")

        def update_state(self, values):
            self.seen.assign(self.seen + jnp.asarray(values).shape[0])

        def result(self):
            return self.seen.value

    c = Counter()
    c.update_state(np.zeros(4))
    assert int(c.result()) == 4 and c.result().dtype == jnp.int32
    assert c.variables[1].shape == (2,)
    c.reset_state()
    assert c.variables[1].numpy().tolist() == [0.0, 0.0]  # reset means zeros, as in Keras


def test_errors():
    m = BinaryTruePositives()
    with pytest.raises(ValueError, match=r"`metric_variables` must be a list of tensors corresponding 1:1 to "
                                         r"BinaryTruePositives\(\).variables. Received list with length 2, but "
                                         r"expected 1 variables"):
        m.stateless_update_state([0.0, 0.0], Y_TRUE, Y_PRED)
    with pytest.raises(ValueError, match="must be a list of tensors corresponding 1:1"):
        m.stateless_result([])
    with pytest.raises(ValueError, match=r"The shape of the value assigned to variable "
                                         r"'binary_true_positives/true_positives' must be \(\), received a value of "
                                         r"shape \(2,\)"):
        m.variables[0].assign([1.0, 2.0])
    with pytest.raises(ValueError, match=r"Argument `aggregation` of Variable must be one of .*'sum', "
                                         r"'only_first_replica'\], received aggregation='max'"):
        m.add_variable((), "zeros", aggregation="max")
    with pytest.raises(ValueError, match="Argument `name` must be a non-empty string, received name=''"):
        metrics.Mean(name="")
    with pytest.raises(NotImplementedError, match="Metric must implement `update_state`"):
        metrics.Metric().update_state(1)
    with pytest.raises(NotImplementedError, match="Metric must implement `result`"):
        metrics.Metric().result()

    class NoSuper(metrics.Metric):
        def __init__(self):
            pass

    with pytest.raises(RuntimeError, match=r"NoSuper forgot to call `super\(\).__init__\(\)`"):
        NoSuper().add_variable((), "zeros")

    class Lazy(metrics.Metric):
        def update_state(self, values):
            if not self.variables:
                self.total = self.add_variable((), "zeros", name="total")
            self.total.assign_add(jnp.sum(values))

        def result(self):
            return self.total.value

    with pytest.raises(ValueError, match=r"Metric 'lazy' \(Lazy\) created variables in `update_state` during a "
                                         r"stateless update: create them in `__init__`"):
        Lazy(name="lazy").stateless_update_state([], np.ones(2))
