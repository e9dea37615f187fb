"""LossScaleOptimizer against Keras 3 (its `stateless_apply`: Keras's eager `apply` leaks a tracer on JAX 0.10):
finite steps unscale the gradients and grow the scale, a non-finite step is skipped and halves it."""

import jax.numpy as jnp
import numpy as np
import pytest

from kerasish import optimizers
from kerasish.variables import Variable
from tests.optimizers.helpers import GRADIENTS, WEIGHTS, assert_config_matches_keras, assert_matches_keras

WITH_OVERFLOW = [GRADIENTS[0], [np.full_like(GRADIENTS[1][0], np.inf), GRADIENTS[1][1]], *GRADIENTS[1:]]


@pytest.mark.parametrize("gradients, ways", [(GRADIENTS, ("apply",)), (WITH_OVERFLOW, ("apply", "optax"))],
                         ids=["finite", "overflow"])
def test_matches_keras(gradients, ways):
    make = lambda m: m.LossScaleOptimizer(m.Adam(0.1), initial_scale=8.0, dynamic_growth_steps=2, name="o")
    assert_matches_keras(make, ways=ways, gradients=gradients)


def test_config_matches_keras_and_round_trips():
    assert_config_matches_keras(lambda m: m.LossScaleOptimizer(m.SGD(0.5, name="s"), initial_scale=4.0, name="o"))


def test_the_scale_and_the_wrapped_optimizers_rate_and_steps():
    inner = optimizers.SGD(0.5, loss_scale_factor=2.0)
    opt = optimizers.LossScaleOptimizer(inner, initial_scale=4.0, dynamic_growth_steps=1)
    assert inner.loss_scale_factor is None  # the gradients are unscaled once, by the wrapper
    assert float(opt.scale_loss(1.5)) == 6.0
    w = Variable(WEIGHTS[1])
    opt.apply_gradients([(jnp.asarray(GRADIENTS[0][1]) * 4.0, w)])
    np.testing.assert_allclose(w.numpy(), WEIGHTS[1] - 0.5 * GRADIENTS[0][1], rtol=1e-6)
    assert float(opt.scale_loss(1.0)) == 8.0 and int(opt.iterations) == 1  # grown after 1 finite step
    opt.learning_rate = 0.25
    assert float(inner.learning_rate) == 0.25 and float(opt.learning_rate) == 0.25
    state = opt.init({"w": jnp.zeros(2)})
    assert float(opt.loss_scale(state)) == 4.0 and optimizers.get_learning_rate(state) == 0.25


@pytest.mark.parametrize("make, error, message", [
    (lambda: optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic=False), ValueError,
     r"no longer supports `dynamic=False`"),
    (lambda: optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=1.0), ValueError,
     r"does not support `clipnorm`. Instead, set `clipnorm` on the `inner_optimizer`"),
    (lambda: optimizers.LossScaleOptimizer(optimizers.SGD(), colour="red"), ValueError,
     r"does not support arguments: `colour`"),
    (lambda: optimizers.LossScaleOptimizer("sgd"), TypeError, r"`inner_optimizer` of LossScaleOptimizer must be a "
                                                              r"kerasish optimizer, received 'sgd'"),
    (lambda: optimizers.LossScaleOptimizer(optimizers.SGD(), initial_scale=0.0), ValueError,
     r"`initial_scale` of LossScaleOptimizer must be a finite number > 0"),
    (lambda: optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic_growth_steps=0), ValueError,
     r"`dynamic_growth_steps` of LossScaleOptimizer must be an integer >= 1"),
])
def test_bad_arguments_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_a_foreign_state_is_refused():
    opt = optimizers.LossScaleOptimizer(optimizers.SGD())
    with pytest.raises(ValueError, match=r"LossScaleOptimizer.update received a state it did not make"):
        opt.update(jnp.ones(2), optimizers.SGD().init(jnp.zeros(2)), jnp.zeros(2))
