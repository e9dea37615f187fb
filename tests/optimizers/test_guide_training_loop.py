"""The optimizer lines of keras.io's "Writing a training loop from scratch in JAX" guide, on kerasish and on Keras 3.

The guide's `train_step` and loop are below as the guide writes them; only `model` is a stand-in with Keras's
`stateless_call(trainable_variables, non_trainable_variables, x)` and `trainable_variables` (the model's side of
that guide is issue 18's). The guide passes `optimizer.variables` (Variable objects) into `jax.jit`: kerasish's
Variables are pytrees, Keras 3.15's cannot be abstracted by JAX 0.10, so the Keras run passes their values.
Both runs start from the same weights and see the same batches: the losses match step by step.
"""

import jax
import jax.numpy as jnp
import keras as keras3
import numpy as np
from sklearn.datasets import load_digits

import kerasish


class TwoLayers:
    """A 64-16-10 perceptron with Keras's stateless call, its weights made by `variable_class`."""

    def __init__(self, variable_class):
        rng = np.random.default_rng(0)
        shapes = [(64, 16), (16,), (16, 10), (10,)]
        self.trainable_variables = [variable_class((rng.normal(size=s) * 0.1).astype(np.float32)) for s in shapes]
        self.non_trainable_variables = []

    def stateless_call(self, trainable_variables, non_trainable_variables, x):
        w1, b1, w2, b2 = trainable_variables
        return jax.nn.relu(x @ w1 + b1) @ w2 + b2, non_trainable_variables


def guide(keras, pass_variables):
    """The guide's program (keras.io guides/writing_a_custom_training_loop_in_jax.py), on `keras`."""
    model = TwoLayers(keras.Variable if keras is keras3 else keras.backend.Variable)
    x, y = load_digits(return_X_y=True)
    x, y = (x / 16.0).astype(np.float32), np.eye(10, dtype=np.float32)[y]
    train_dataset = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 1280, 32)]
    loss_fn = lambda y_true, y_pred: jnp.mean(-jnp.sum(y_true * jax.nn.log_softmax(y_pred), axis=-1))

    # Instantiate an optimizer.
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)

    def compute_loss_and_updates(trainable_variables, non_trainable_variables, x, y):
        y_pred, non_trainable_variables = model.stateless_call(trainable_variables, non_trainable_variables, x)
        loss = loss_fn(y, y_pred)
        return loss, non_trainable_variables

    grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)

    @jax.jit
    def train_step(state, data):
        trainable_variables, non_trainable_variables, optimizer_variables = state
        x, y = data
        (loss, non_trainable_variables), grads = grad_fn(trainable_variables, non_trainable_variables, x, y)
        trainable_variables, optimizer_variables = optimizer.stateless_apply(
            optimizer_variables, grads, trainable_variables
        )
        # Return updated state
        return loss, (
            trainable_variables,
            non_trainable_variables,
            optimizer_variables,
        )

    # Build optimizer variables.
    optimizer.build(model.trainable_variables)

    trainable_variables = model.trainable_variables
    non_trainable_variables = model.non_trainable_variables
    optimizer_variables = optimizer.variables
    if not pass_variables:
        trainable_variables = [v.value for v in trainable_variables]
        optimizer_variables = [v.value for v in optimizer_variables]
    state = trainable_variables, non_trainable_variables, optimizer_variables

    losses = []
    for data in train_dataset:
        loss, state = train_step(state, data)
        losses.append(float(loss))

    trainable_variables, non_trainable_variables, optimizer_variables = state
    for variable, value in zip(model.trainable_variables, trainable_variables):
        variable.assign(value)
    return losses, [v.numpy() for v in model.trainable_variables], optimizer_variables


def test_the_guides_loop_runs_with_only_the_import_changed_and_matches_keras():
    ours, our_weights, our_state = guide(kerasish, pass_variables=True)
    theirs, their_weights, their_state = guide(keras3, pass_variables=False)
    assert np.mean(ours[-5:]) < np.mean(ours[:5]) - 0.03, ours  # it learns (slowly, at the guide's rate)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    for got, expected in zip(our_weights, their_weights):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert int(our_state[0]) == int(their_state[0]) == 40  # the optimizer's iteration
