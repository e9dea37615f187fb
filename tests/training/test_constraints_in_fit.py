"""Weight constraints are applied after every optimizer update inside the compiled step, as Keras does."""

import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")


def _twins():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 5)).astype("float32"), rng.normal(size=(64, 3)).astype("float32")
    built = []
    for lib in (keras, ks):
        lib.utils.set_random_seed(0)
        model = lib.Sequential([lib.Input((5,)), lib.layers.Dense(8, kernel_constraint=lib.constraints.MaxNorm(0.5)),
                                lib.layers.Dense(3, bias_constraint=lib.constraints.NonNeg(),
                                                 kernel_constraint=lib.constraints.UnitNorm(axis=0))])
        model.compile(optimizer=lib.optimizers.SGD(0.5, momentum=0.9), loss="mse")
        built.append(model)
    built[1].set_weights(built[0].get_weights())
    return built, x, y


def test_constrained_weights_train_as_in_keras():
    (theirs, ours), x, y = _twins()
    for model in (theirs, ours):
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for got, want in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    kernel, _, last_kernel, last_bias = ours.get_weights()
    assert (np.linalg.norm(kernel, axis=0) <= 0.5 + 1e-6).all() and (last_bias >= 0).all()
    np.testing.assert_allclose(np.linalg.norm(last_kernel, axis=0), 1.0, rtol=1e-5)
