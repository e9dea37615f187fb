"""An optax transformation behind the optimizer interface: its optax face is itself, its Keras face holds its
state's leaves; the injected learning rate reads and sets; it has no config."""

import jax.numpy as jnp
import numpy as np
import optax
import pytest

from kerasish import optimizers
from kerasish.variables import Variable
from tests.optimizers.helpers import GRADIENTS, WEIGHTS


def test_both_faces_compute_what_the_transformation_computes():
    tx = optax.adam(0.1)
    params, state = [jnp.asarray(w) for w in WEIGHTS], tx.init([jnp.asarray(w) for w in WEIGHTS])
    for grads in GRADIENTS:
        updates, state = tx.update([jnp.asarray(g) for g in grads], state, params)
        params = optax.apply_updates(params, updates)
    opt = optimizers.Optimizer.from_optax(tx)
    variables = [Variable(w) for w in WEIGHTS]
    for grads in GRADIENTS:
        opt.apply_gradients(zip(grads, variables))
    face_state = opt.init(WEIGHTS)
    assert [np.shape(x) for x in face_state[0].mu] == [(3, 2), (2,)]
    for got, expected in zip(variables, params):
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)
    assert len(opt.variables) == 5 and opt.iterations is None  # count, mu (2), nu (2)


def test_the_injected_learning_rate():
    opt = optimizers.get(optax.inject_hyperparams(optax.sgd)(learning_rate=0.25))
    assert opt.learning_rate is None
    with pytest.raises(ValueError, match=r"build the optimizer \(or compile a model with it\) before setting it"):
        opt.learning_rate = 0.5
    w = Variable([1.0])
    opt.apply_gradients([(jnp.ones(1), w)])
    assert float(opt.learning_rate) == 0.25
    opt.learning_rate = 0.5
    opt.apply_gradients([(jnp.ones(1), w)])
    np.testing.assert_allclose(w.numpy(), [0.25])
    plain = optimizers.get(optax.sgd(0.1))
    plain.build([w])
    assert plain.learning_rate is None
    with pytest.raises(ValueError, match=r"holds no learning rate"):
        plain.learning_rate = 0.5
    with pytest.raises(ValueError, match=r"wraps an optax transformation, which is code: it has no config"):
        plain.get_config()
    with pytest.raises(TypeError, match=r"`transformation` of OptaxOptimizer must be an optax.GradientTransformation"):
        optimizers.OptaxOptimizer("adam")
