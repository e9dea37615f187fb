"""The low-level API and the high-level one mix, in both directions."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

import kerasish as ks


class Polynomial(ks.layers.Layer):
    """A custom layer written with jax.numpy: y = a x^2 + b x + c, one (a, b, c) per feature."""

    def build(self, input_shape):
        self.coef = self.add_weight((3, input_shape[-1]), initializer="zeros", name="coef")

    def call(self, x):
        a, b, c = self.coef[...]
        return a * x**2 + b * x + c


def test_custom_jax_numpy_layer_inside_sequential_trained_by_fit(seeded):
    x = np.linspace(-1, 1, 64, dtype=np.float32)[:, None]
    y = 3 * x**2 - x + 0.5
    model = ks.Sequential([ks.Input((1,)), Polynomial()])
    model.compile(optimizer=ks.optimizers.Adam(0.05), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=150, verbose=0)
    assert history.history["loss"][-1] < 1e-3
    np.testing.assert_allclose(model.layers[0].coef[...].ravel(), [3, -1, 0.5], atol=0.05)


def test_sequential_trained_by_a_hand_written_grad_loop_then_evaluated(seeded, blobs):
    x, y = blobs
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(16, activation="relu"), ks.layers.Dense(3)])
    graphdef, params, rest = model.split()
    tx = optax.adam(0.02)
    opt_state = tx.init(params)

    def loss_fn(params, x, y):
        logits, _ = model.stateless_call(params, rest, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    @jax.jit
    def step(params, opt_state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    first = None
    for _ in range(100):
        params, opt_state, loss = step(params, opt_state, x, y)
        first = first if first is not None else float(loss)
    final = float(loss_fn(params, x, y))
    assert final < 0.5 * first

    nnx.update(model, params)  # write the hand-trained weights back into the model
    model.compile(loss=ks.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    loss, accuracy = model.evaluate(x, y, batch_size=96, verbose=0)
    np.testing.assert_allclose(loss, final, rtol=1e-5)
    logits = np.asarray(nnx.merge(graphdef, params, rest)(jnp.asarray(x)))
    np.testing.assert_allclose(accuracy, (logits.argmax(1) == y).mean())
