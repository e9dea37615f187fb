"""kerasish.metrics' Mean, Sum and MeanMetricWrapper against keras.metrics (JAX backend): values of rank 1 and 2,
weights of rank 1 and 2, both faces; results before any update; configs."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import losses, metrics
from tests.metrics.oracle import RNG, N, normal


@pytest.mark.parametrize("name", ["Mean", "Sum"])
@pytest.mark.parametrize("shape, weight_shape", [((N,), None), ((N, 3), None), ((N,), (N,)), ((N, 3), (N,)),
                                                 ((N, 3), (N, 3)), ((N, 3), (N, 1)), ((), None)])
def test_matches_keras(name, shape, weight_shape):
    ours, theirs = getattr(metrics, name)(), getattr(keras.metrics, name)()
    pure = getattr(metrics, name)()
    update = jax.jit(lambda s, v, w: pure.stateless_update_state(s, v, sample_weight=w))
    state = pure.stateless_reset_state()
    for _ in range(3):
        values = RNG.normal(size=shape).astype(np.float32)
        weight = None if weight_shape is None else RNG.uniform(0, 2, weight_shape).astype(np.float32)
        ours.update_state(values, sample_weight=weight)
        theirs.update_state(values, sample_weight=weight)
        state = update(state, values, weight)
    np.testing.assert_allclose(ours.result(), theirs.result(), rtol=1e-5)
    np.testing.assert_allclose(pure.stateless_result(state), theirs.result(), rtol=1e-5)
    assert ours.get_config() == theirs.get_config()


def test_result_before_any_update_is_zero():
    m = metrics.Mean()
    assert float(m.result()) == 0.0 and m.result().dtype == jnp.float32
    assert [v.name for v in m.variables] == ["total", "count"]


def test_mean_metric_wrapper_matches_keras_and_configures_its_function():
    def absolute(y_true, y_pred, scale=1.0):
        return scale * jnp.mean(jnp.abs(jnp.asarray(y_true) - jnp.asarray(y_pred)), axis=-1)

    ours = metrics.MeanMetricWrapper(absolute, name="abs", scale=2.0)
    theirs = keras.metrics.MeanMetricWrapper(absolute, name="abs", scale=2.0)
    y_true, y_pred, weight = normal(N, 3), normal(N, 3), RNG.uniform(0, 2, N).astype(np.float32)
    ours.update_state(y_true, y_pred, sample_weight=weight)
    theirs.update_state(y_true, y_pred, sample_weight=weight)
    np.testing.assert_allclose(ours.result(), theirs.result(), rtol=1e-6)
    assert ours.get_config() == {"name": "abs", "dtype": "float32", "fn": "absolute", "scale": 2.0}
    wrapped = metrics.MeanMetricWrapper(losses.mean_squared_error, name="sq")
    revived = metrics.MeanMetricWrapper.from_config(wrapped.get_config())
    assert revived.fn is losses.mean_squared_error and revived.name == "sq"


def test_errors():
    with pytest.raises(TypeError, match="Argument `fn` of MeanMetricWrapper must be a function"):
        metrics.MeanMetricWrapper(3)
    with pytest.raises(ValueError, match="A metric config names function 'nope', which is neither kerasish's"):
        metrics.MeanMetricWrapper.from_config({"fn": "nope", "name": "x", "dtype": "float32"})
