"""keras.io's JAX guides and its generative examples, run with only the import changed (issue 18).

Sources (keras-team/keras-io): guides/writing_a_custom_training_loop_in_jax.py, guides/custom_train_step_in_jax.py,
examples/generative/vae.py, examples/generative/dcgan_overriding_train_step.py.

Each `_guide_*` / `_program_*` function is the program's code with `import keras` turned into its argument, so the
very same lines run on kerasish (`import kerasish as keras`) and on Keras 3 (the oracle), from the same initial
weights and the same batches, in the same order; the tests compare what both report (losses, metrics) at rtol 1e-4
(float32 sums in another order). Data is offline and small, with the programs' shapes: scikit-learn's 8x8 digits
scaled up to MNIST's 28x28 (and, for the loop guide, to MNIST's 0-255 pixel values), random values for the guide
that uses random data.

What had to change, and why:
- The loop guide reads batches from `tf.data` (TensorFlow is not a dependency): the same batches come from a list
  of `(x, y)` pairs of `_Tensor`s, which have the `.numpy()` the guide calls.
- Keras 3.15 on JAX 0.10 cannot pass its own variables into `jax.jit` (JAX no longer reads `__jax_array__` there;
  keras-io's open fix replaces them with `[v.value for v in ...]`): on the Keras side only, the state is turned into
  arrays before the loop (`keras_values`). kerasish runs the guide's lines as they are.
- keras.io's VAE and DCGAN examples override `train_step(self, data)` with `tf.GradientTape`, which exists on the
  TensorFlow backend only. They are written here the way Keras 3 trains on JAX (the custom-train-step guide's form:
  `train_step(self, state, data)`, `jax.value_and_grad` over `stateless_call`, `optimizer.stateless_apply`, Mean
  trackers updated statelessly), with the examples' models, losses and trackers. The VAE runs as is on Keras 3 too.
  The GAN trains two optimizers, which Keras 3's JAX `fit` does not carry (only `model.optimizer`'s variables are in
  the state): kerasish carries every optimizer the model holds and binds its variables during the step (as Keras's
  StatelessScope binds variables), so the GAN's step writes their new values with `variable.assign`. Its oracle is
  the same step math in a hand-written loop on Keras 3 (the loop guide's form, two optimizers' variables threaded by
  hand).
"""

import warnings

import jax
import numpy as np
import pytest

keras3 = pytest.importorskip("keras")

import kerasish as keras  # noqa: E402  -- the only change the programs get

RTOL = 1e-4


class _Tensor(np.ndarray):
    """An array with TensorFlow's `.numpy()`, standing in for the tensors `tf.data` yields."""

    def numpy(self):
        return np.asarray(self)


def _batches(x, y, batch_size):
    return [(x[i:i + batch_size].view(_Tensor), y[i:i + batch_size].view(_Tensor))
            for i in range(0, len(x), batch_size)]


def _digits(n, size=28):
    """n digit images (n, size, size, 1) in [0, 1] and their labels: 8x8 digits, each pixel 3x3, zero-padded."""
    (x, y), _ = keras.datasets.load_digits(flatten=False, test_size=0.1)
    x = np.kron(x[:n, ..., 0], np.ones((3, 3), np.float32))
    pad = (size - 24) // 2
    return np.pad(x, ((0, 0), (pad, pad), (pad, pad)))[..., None].astype("float32"), y[:n]


def keras_values(tree):
    """Keras 3.15's variables as arrays (see the module docstring): the Keras side only."""
    return jax.tree.map(lambda v: v.value, tree, is_leaf=lambda v: isinstance(v, keras3.Variable))


def _same_weights(model3, model):
    model3.set_weights([np.asarray(w) for w in model.get_weights()])


# --------------------------------------------------------------------------------------------------------------
# guides/writing_a_custom_training_loop_in_jax.py
# --------------------------------------------------------------------------------------------------------------

def _mnist_like(n_train=256, n_val=64):
    x, y = _digits(n_train + n_val)
    x = np.reshape(x, (-1, 784)).astype("float32") * 255.0  # MNIST's raw pixel values, as the guide uses them
    y = keras.utils.to_categorical(y, 10)
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def _guide_training_loop(keras, initial_weights, data, on_keras=False):
    """The guide's first end-to-end example and its metrics section; returns the losses and accuracies printed."""
    (x_train, y_train), (x_val, y_val) = data
    printed = {"loss": [], "acc": [], "val_loss": [], "val_acc": []}

    def get_model():
        inputs = keras.Input(shape=(784,), name="digits")
        x1 = keras.layers.Dense(64, activation="relu")(inputs)
        x2 = keras.layers.Dense(64, activation="relu")(x1)
        outputs = keras.layers.Dense(10, name="predictions")(x2)
        model = keras.Model(inputs=inputs, outputs=outputs)
        return model

    model = get_model()
    model.set_weights(initial_weights)
    batch_size = 32
    train_dataset = _batches(x_train, y_train, batch_size)  # tf.data.Dataset ... .batch(batch_size)
    val_dataset = _batches(x_val, y_val, batch_size)

    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)

    def compute_loss_and_updates(trainable_variables, non_trainable_variables, x, y):
        y_pred, non_trainable_variables = model.stateless_call(
            trainable_variables, non_trainable_variables, x
        )
        loss = loss_fn(y, y_pred)
        return loss, non_trainable_variables

    grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)

    @jax.jit
    def train_step(state, data):
        trainable_variables, non_trainable_variables, optimizer_variables = state
        x, y = data
        (loss, non_trainable_variables), grads = grad_fn(
            trainable_variables, non_trainable_variables, x, y
        )
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
    state = trainable_variables, non_trainable_variables, optimizer_variables
    if on_keras:
        state = keras_values(state)

    # Training loop
    for step, data in enumerate(train_dataset):
        data = (data[0].numpy(), data[1].numpy())
        loss, state = train_step(state, data)
        printed["loss"].append(float(loss))
        # Log every 100 batches.
        if step % 100 == 0:
            print(f"Training loss (for 1 batch) at step {step}: {float(loss):.4f}")
            print(f"Seen so far: {(step + 1) * batch_size} samples")

    trainable_variables, non_trainable_variables, optimizer_variables = state
    for variable, value in zip(model.trainable_variables, trainable_variables):
        variable.assign(value)
    for variable, value in zip(model.non_trainable_variables, non_trainable_variables):
        variable.assign(value)
    trained = [np.asarray(w) for w in model.get_weights()]

    # -- Low-level handling of metrics --
    model = get_model()
    model.set_weights(initial_weights)
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
    train_acc_metric = keras.metrics.CategoricalAccuracy()
    val_acc_metric = keras.metrics.CategoricalAccuracy()

    def compute_loss_and_updates(trainable_variables, non_trainable_variables, metric_variables, x, y):
        y_pred, non_trainable_variables = model.stateless_call(
            trainable_variables, non_trainable_variables, x
        )
        loss = loss_fn(y, y_pred)
        metric_variables = train_acc_metric.stateless_update_state(
            metric_variables, y, y_pred
        )
        return loss, (non_trainable_variables, metric_variables)

    grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)

    @jax.jit
    def train_step(state, data):
        (
            trainable_variables,
            non_trainable_variables,
            optimizer_variables,
            metric_variables,
        ) = state
        x, y = data
        (loss, (non_trainable_variables, metric_variables)), grads = grad_fn(
            trainable_variables, non_trainable_variables, metric_variables, x, y
        )
        trainable_variables, optimizer_variables = optimizer.stateless_apply(
            optimizer_variables, grads, trainable_variables
        )
        # Return updated state
        return loss, (
            trainable_variables,
            non_trainable_variables,
            optimizer_variables,
            metric_variables,
        )

    @jax.jit
    def eval_step(state, data):
        trainable_variables, non_trainable_variables, metric_variables = state
        x, y = data
        y_pred, non_trainable_variables = model.stateless_call(
            trainable_variables, non_trainable_variables, x
        )
        loss = loss_fn(y, y_pred)
        metric_variables = val_acc_metric.stateless_update_state(
            metric_variables, y, y_pred
        )
        return loss, (
            trainable_variables,
            non_trainable_variables,
            metric_variables,
        )

    # Build optimizer variables.
    optimizer.build(model.trainable_variables)

    trainable_variables = model.trainable_variables
    non_trainable_variables = model.non_trainable_variables
    optimizer_variables = optimizer.variables
    metric_variables = train_acc_metric.variables
    state = (
        trainable_variables,
        non_trainable_variables,
        optimizer_variables,
        metric_variables,
    )
    if on_keras:
        state = keras_values(state)

    # Training loop
    for step, data in enumerate(train_dataset):
        data = (data[0].numpy(), data[1].numpy())
        loss, state = train_step(state, data)
        # Log every 100 batches (here every batch: the test compares each).
        print(f"Training loss (for 1 batch) at step {step}: {float(loss):.4f}")
        _, _, _, metric_variables = state
        for variable, value in zip(train_acc_metric.variables, metric_variables):
            variable.assign(value)
        print(f"Training accuracy: {train_acc_metric.result()}")
        printed["acc"].append(float(train_acc_metric.result()))

    metric_variables = val_acc_metric.variables
    (
        trainable_variables,
        non_trainable_variables,
        optimizer_variables,
        metric_variables,
    ) = state
    state = trainable_variables, non_trainable_variables, metric_variables

    # Eval loop
    for step, data in enumerate(val_dataset):
        data = (data[0].numpy(), data[1].numpy())
        loss, state = eval_step(state, data)
        # Log every 100 batches (here every batch: the test compares each).
        print(f"Validation loss (for 1 batch) at step {step}: {float(loss):.4f}")
        printed["val_loss"].append(float(loss))
        _, _, metric_variables = state
        for variable, value in zip(val_acc_metric.variables, metric_variables):
            variable.assign(value)
        print(f"Validation accuracy: {val_acc_metric.result()}")
        printed["val_acc"].append(float(val_acc_metric.result()))
    return printed, trained


@pytest.fixture(scope="module")
def loop_guide_keras3():
    """What Keras 3 prints for the loop guide, from the initial weights of a kerasish model."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(784,))
    x = keras.layers.Dense(64, activation="relu")(inputs)
    x = keras.layers.Dense(64, activation="relu")(x)
    weights = [np.asarray(w) for w in keras.Model(inputs, keras.layers.Dense(10)(x)).get_weights()]
    data = _mnist_like()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        printed, trained = _guide_training_loop(keras3, weights, data, on_keras=True)
    return weights, data, printed, trained


def test_custom_training_loop_guide_reaches_keras_losses(loop_guide_keras3):
    weights, data, expected, expected_weights = loop_guide_keras3
    printed, trained = _guide_training_loop(keras, weights, data)
    for key in ("loss", "acc", "val_loss", "val_acc"):
        np.testing.assert_allclose(printed[key], expected[key], rtol=RTOL, err_msg=key)
    assert printed["loss"][-1] < printed["loss"][0]  # it learns (the oracle would agree on a broken loop too)
    for got, want in zip(trained, expected_weights):  # written back with variable.assign, as the guide ends
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-5)


# --------------------------------------------------------------------------------------------------------------
# guides/custom_train_step_in_jax.py
# --------------------------------------------------------------------------------------------------------------

def _guide_custom_train_step(keras, initial_weights, x, y):
    """The guide's three models: fit with a train_step over the compiled loss and metrics, fit with its own
    trackers and no compiled loss, evaluate with a test_step. Returns their histories and evaluation."""
    results = {}

    class CustomModel(keras.Model):
        def compute_loss_and_updates(
            self,
            trainable_variables,
            non_trainable_variables,
            metrics_variables,
            x,
            y,
            sample_weight,
            training=False,
        ):
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables,
                non_trainable_variables,
                x,
                training=training,
            )
            loss, (
                trainable_variables,
                non_trainable_variables,
                metrics_variables,
            ) = self.stateless_compute_loss(
                trainable_variables,
                non_trainable_variables,
                metrics_variables,
                x=x,
                y=y,
                y_pred=y_pred,
                sample_weight=sample_weight,
                training=training,
            )
            return loss, (y_pred, non_trainable_variables, metrics_variables)

        def train_step(self, state, data):
            (
                trainable_variables,
                non_trainable_variables,
                optimizer_variables,
                metrics_variables,
            ) = state
            x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)

            # Get the gradient function.
            grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)

            # Compute the gradients.
            (loss, (y_pred, non_trainable_variables, metrics_variables)), grads = grad_fn(
                trainable_variables,
                non_trainable_variables,
                metrics_variables,
                x,
                y,
                sample_weight,
                training=True,
            )

            # Update trainable variables and optimizer variables.
            trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable_variables
            )

            # Update metrics.
            new_metrics_vars = []
            logs = {}
            for metric in self.metrics:
                this_metric_vars = metrics_variables[
                    len(new_metrics_vars) : len(new_metrics_vars) + len(metric.variables)
                ]
                if metric.name == "loss":
                    this_metric_vars = metric.stateless_update_state(
                        this_metric_vars, loss, sample_weight=sample_weight
                    )
                else:
                    this_metric_vars = metric.stateless_update_state(
                        this_metric_vars, y, y_pred, sample_weight=sample_weight
                    )
                logs[metric.name] = metric.stateless_result(this_metric_vars)
                new_metrics_vars += this_metric_vars

            # Return metric logs and updated state variables.
            state = (
                trainable_variables,
                non_trainable_variables,
                optimizer_variables,
                new_metrics_vars,
            )
            return logs, state

    # Construct and compile an instance of CustomModel
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.set_weights(initial_weights)

    # Just use `fit` as usual (the guide's random x, y are the arguments; shuffle=False: the same order for both)
    results["first"] = model.fit(x, y, epochs=3, verbose=0, shuffle=False).history

    class CustomModel(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = keras.losses.MeanSquaredError()

        def compute_loss_and_updates(
            self,
            trainable_variables,
            non_trainable_variables,
            x,
            y,
            sample_weight,
            training=False,
        ):
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables,
                non_trainable_variables,
                x,
                training=training,
            )
            loss = self.loss_fn(y, y_pred, sample_weight=sample_weight)
            return loss, (y_pred, non_trainable_variables)

        def train_step(self, state, data):
            (
                trainable_variables,
                non_trainable_variables,
                optimizer_variables,
                metrics_variables,
            ) = state
            x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)

            # Get the gradient function.
            grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)

            # Compute the gradients.
            (loss, (y_pred, non_trainable_variables)), grads = grad_fn(
                trainable_variables,
                non_trainable_variables,
                x,
                y,
                sample_weight,
                training=True,
            )

            # Update trainable variables and optimizer variables.
            trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable_variables
            )

            # Update metrics.
            loss_tracker_vars = metrics_variables[: len(self.loss_tracker.variables)]
            mae_metric_vars = metrics_variables[len(self.loss_tracker.variables) :]

            loss_tracker_vars = self.loss_tracker.stateless_update_state(
                loss_tracker_vars, loss, sample_weight=sample_weight
            )
            mae_metric_vars = self.mae_metric.stateless_update_state(
                mae_metric_vars, y, y_pred, sample_weight=sample_weight
            )

            logs = {}
            logs[self.loss_tracker.name] = self.loss_tracker.stateless_result(
                loss_tracker_vars
            )
            logs[self.mae_metric.name] = self.mae_metric.stateless_result(mae_metric_vars)

            new_metrics_vars = loss_tracker_vars + mae_metric_vars

            # Return metric logs and updated state variables.
            state = (
                trainable_variables,
                non_trainable_variables,
                optimizer_variables,
                new_metrics_vars,
            )
            return logs, state

        @property
        def metrics(self):
            # We list our `Metric` objects here so that `reset_states()` can be
            # called automatically at the start of each epoch
            # or at the start of `evaluate()`.
            return [self.loss_tracker, self.mae_metric]

    # Construct an instance of CustomModel
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)

    # We don't pass a loss or metrics here.
    model.compile(optimizer="adam")
    model.set_weights(initial_weights)

    # Just use `fit` as usual -- you can use callbacks, etc.
    results["lower_level"] = model.fit(x, y, epochs=5, verbose=0, shuffle=False).history

    class CustomModel(keras.Model):
        def test_step(self, state, data):
            # Unpack the data.
            x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
            (
                trainable_variables,
                non_trainable_variables,
                metrics_variables,
            ) = state

            # Compute predictions and loss.
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables,
                non_trainable_variables,
                x,
                training=False,
            )
            loss, (
                trainable_variables,
                non_trainable_variables,
                metrics_variables,
            ) = self.stateless_compute_loss(
                trainable_variables,
                non_trainable_variables,
                metrics_variables,
                x=x,
                y=y,
                y_pred=y_pred,
                sample_weight=sample_weight,
                training=False,
            )

            # Update metrics.
            new_metrics_vars = []
            logs = {}
            for metric in self.metrics:
                this_metric_vars = metrics_variables[
                    len(new_metrics_vars) : len(new_metrics_vars) + len(metric.variables)
                ]
                if metric.name == "loss":
                    this_metric_vars = metric.stateless_update_state(
                        this_metric_vars, loss, sample_weight=sample_weight
                    )
                else:
                    this_metric_vars = metric.stateless_update_state(
                        this_metric_vars, y, y_pred, sample_weight=sample_weight
                    )
                logs[metric.name] = metric.stateless_result(this_metric_vars)
                new_metrics_vars += this_metric_vars

            # Return metric logs and updated state variables.
            state = (
                trainable_variables,
                non_trainable_variables,
                new_metrics_vars,
            )
            return logs, state

    # Construct an instance of CustomModel
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(loss="mse", metrics=["mae"])
    model.set_weights(initial_weights)

    # Evaluate with our custom test_step
    results["evaluate"] = model.evaluate(x, y, return_dict=True, verbose=0)
    results["evaluate_list"] = model.evaluate(x, y, verbose=0)
    return results


def test_custom_train_step_guide_gives_keras_logs():
    rng = np.random.default_rng(0)
    x, y = rng.random((1000, 32)), rng.random((1000, 1))  # the guide's np.random.random data
    keras.utils.set_random_seed(0)
    weights = [np.asarray(w) for w in keras.Sequential([keras.Input((32,)), keras.layers.Dense(1)]).get_weights()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _guide_custom_train_step(keras3, weights, x, y)
    got = _guide_custom_train_step(keras, weights, x, y)
    for key in ("first", "lower_level"):
        assert got[key].keys() == expected[key].keys(), key
        for name in expected[key]:
            np.testing.assert_allclose(got[key][name], expected[key][name], rtol=RTOL, err_msg=f"{key} {name}")
    assert got["lower_level"]["loss"][-1] < got["lower_level"]["loss"][0]
    assert got["evaluate"].keys() == expected["evaluate"].keys()
    for name in expected["evaluate"]:
        np.testing.assert_allclose(got["evaluate"][name], expected["evaluate"][name], rtol=RTOL)
    np.testing.assert_allclose(got["evaluate_list"], expected["evaluate_list"], rtol=RTOL)


# --------------------------------------------------------------------------------------------------------------
# examples/generative/vae.py, in the custom-train-step guide's JAX form
# --------------------------------------------------------------------------------------------------------------

def _program_vae(keras, digits, initial_weights=None, epochs=2):
    """The VAE example's encoder, decoder, losses and three Mean trackers, trained by `fit` with a JAX
    `train_step`. Returns the history and the trained weights (None for the initial ones)."""
    layers, ops = keras.layers, keras.ops  # the example's `from keras import layers, ops`

    class Sampling(layers.Layer):
        """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            batch = ops.shape(z_mean)[0]
            dim = ops.shape(z_mean)[1]
            epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    latent_dim = 2

    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")

    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 64, activation="relu")(latent_inputs)
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")

    class VAE(keras.Model):
        def __init__(self, encoder, decoder, **kwargs):
            super().__init__(**kwargs)
            self.encoder = encoder
            self.decoder = decoder
            self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
            self.reconstruction_loss_tracker = keras.metrics.Mean(
                name="reconstruction_loss"
            )
            self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

        @property
        def metrics(self):
            return [
                self.total_loss_tracker,
                self.reconstruction_loss_tracker,
                self.kl_loss_tracker,
            ]

        def call(self, x):
            z_mean, z_log_var, z = self.encoder(x)
            return self.decoder(z), z_mean, z_log_var

        def losses_and_updates(self, trainable_variables, non_trainable_variables, data):
            (reconstruction, z_mean, z_log_var), non_trainable_variables = self.stateless_call(
                trainable_variables, non_trainable_variables, data
            )
            reconstruction_loss = ops.mean(
                ops.sum(
                    keras.losses.binary_crossentropy(data, reconstruction),
                    axis=(1, 2),
                )
            )
            kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
            kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
            total_loss = reconstruction_loss + kl_loss
            return total_loss, (non_trainable_variables, reconstruction_loss, kl_loss)

        def train_step(self, state, data):
            (
                trainable_variables,
                non_trainable_variables,
                optimizer_variables,
                metrics_variables,
            ) = state
            grad_fn = jax.value_and_grad(self.losses_and_updates, has_aux=True)
            (total_loss, (non_trainable_variables, reconstruction_loss, kl_loss)), grads = grad_fn(
                trainable_variables, non_trainable_variables, data
            )
            trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable_variables
            )
            new_metrics_vars = []
            logs = {}
            for metric, value in zip(self.metrics, (total_loss, reconstruction_loss, kl_loss)):
                this_metric_vars = metrics_variables[
                    len(new_metrics_vars) : len(new_metrics_vars) + len(metric.variables)
                ]
                this_metric_vars = metric.stateless_update_state(this_metric_vars, value)
                logs[metric.name] = metric.stateless_result(this_metric_vars)
                new_metrics_vars += this_metric_vars
            state = (
                trainable_variables,
                non_trainable_variables,
                optimizer_variables,
                new_metrics_vars,
            )
            return logs, state

    vae = VAE(encoder, decoder)
    vae.compile(optimizer=keras.optimizers.Adam())
    if initial_weights is None:
        vae(digits[:2])
        return None, [np.asarray(w) for w in vae.get_weights()]
    vae(digits[:2])
    vae.set_weights(initial_weights)
    history = vae.fit(digits, epochs=epochs, batch_size=32, verbose=0, shuffle=False)
    return history.history, [np.asarray(w) for w in vae.get_weights()]


def test_vae_example_trains_as_on_keras():
    digits, _ = _digits(128)
    keras.utils.set_random_seed(0)
    _, weights = _program_vae(keras, digits)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, _ = _program_vae(keras3, digits, weights)
    got, trained = _program_vae(keras, digits, weights)
    assert got.keys() == expected.keys() == {"total_loss", "reconstruction_loss", "kl_loss"}
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], rtol=RTOL, err_msg=name)
    assert got["total_loss"][-1] < got["total_loss"][0]
    assert any(not np.array_equal(a, b) for a, b in zip(trained, weights))


# --------------------------------------------------------------------------------------------------------------
# examples/generative/dcgan_overriding_train_step.py, in the custom-train-step guide's JAX form
# --------------------------------------------------------------------------------------------------------------

def _gan_models(keras, latent_dim):
    """The DCGAN example's discriminator and generator."""
    layers = keras.layers

    def leaky_relu():
        if hasattr(layers, "LeakyReLU"):
            return layers.LeakyReLU(negative_slope=0.2)
        return layers.Activation("leaky_relu")  # MISSING in kerasish until the LeakyReLU layer lands (same maths)

    discriminator = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(64, kernel_size=4, strides=2, padding="same"),
            leaky_relu(),
            layers.Conv2D(128, kernel_size=4, strides=2, padding="same"),
            leaky_relu(),
            layers.GlobalMaxPooling2D(),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    generator = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * 128),
            leaky_relu(),
            layers.Reshape((7, 7, 128)),
            layers.Conv2DTranspose(128, kernel_size=4, strides=2, padding="same"),
            leaky_relu(),
            layers.Conv2DTranspose(128, kernel_size=4, strides=2, padding="same"),
            leaky_relu(),
            layers.Conv2D(1, kernel_size=5, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )
    return discriminator, generator


def _gan_step(keras, discriminator, generator, d_optimizer, g_optimizer, loss_fn, latent_dim, d_trainable,
              g_trainable, d_optimizer_variables, g_optimizer_variables, real_images, step):
    """One step of the DCGAN example as pure JAX (its `train_step` without `tf.GradientTape`): the discriminator
    learns real from generated images (noisy labels), then the generator learns to fool it. The noise comes from
    `step` (no seed generator in the pure step)."""
    ops = keras.ops
    batch_size = ops.shape(real_images)[0]
    key_fake, key_noise, key_misleading = jax.random.split(jax.random.fold_in(jax.random.key(1337), step), 3)

    # Decode random points of the latent space to fake images, and combine them with real images
    random_latent_vectors = jax.random.normal(key_fake, (batch_size, latent_dim))
    generated_images, _ = generator.stateless_call(g_trainable, [], random_latent_vectors)
    combined_images = ops.concatenate([generated_images, real_images], axis=0)
    # Assemble labels discriminating real from fake images, with noise - important trick!
    labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
    labels += 0.05 * jax.random.uniform(key_noise, labels.shape)

    # Train the discriminator
    def d_loss_fn(d_trainable):
        predictions, _ = discriminator.stateless_call(d_trainable, [], combined_images)
        return loss_fn(labels, predictions)

    d_loss, d_grads = jax.value_and_grad(d_loss_fn)(d_trainable)
    d_trainable, d_optimizer_variables = d_optimizer.stateless_apply(d_optimizer_variables, d_grads, d_trainable)

    # Train the generator (the discriminator's weights are not updated), labels saying "all real images"
    random_latent_vectors = jax.random.normal(key_misleading, (batch_size, latent_dim))
    misleading_labels = ops.zeros((batch_size, 1))

    def g_loss_fn(g_trainable):
        fakes, _ = generator.stateless_call(g_trainable, [], random_latent_vectors)
        predictions, _ = discriminator.stateless_call(d_trainable, [], fakes)
        return loss_fn(misleading_labels, predictions)

    g_loss, g_grads = jax.value_and_grad(g_loss_fn)(g_trainable)
    g_trainable, g_optimizer_variables = g_optimizer.stateless_apply(g_optimizer_variables, g_grads, g_trainable)
    return d_loss, g_loss, d_trainable, g_trainable, d_optimizer_variables, g_optimizer_variables


def _program_gan(keras, images, initial_weights, epochs=2, batch_size=16, latent_dim=32):
    """The DCGAN example's `GAN` model (two optimizers, two Mean trackers, `compile(d_optimizer, g_optimizer,
    loss_fn)`) trained by `fit` with a JAX `train_step`, and a callback reading the generator during training (the
    example's GANMonitor). Returns the history, the per-batch logs and the trained weights."""

    class GAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
            self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn
            # built outside the step: their variables are part of the state fit carries
            d_optimizer.build(self.discriminator.trainable_variables)
            g_optimizer.build(self.generator.trainable_variables)

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def train_step(self, state, real_images):
            trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = state
            n_d = len(self.discriminator.trainable_variables)
            d_loss, g_loss, d_trainable, g_trainable, d_variables, g_variables = _gan_step(
                keras, self.discriminator, self.generator, self.d_optimizer, self.g_optimizer, self.loss_fn,
                self.latent_dim, trainable_variables[:n_d], trainable_variables[n_d:],
                [v.value for v in self.d_optimizer.variables], [v.value for v in self.g_optimizer.variables],
                real_images, self.d_optimizer.iterations.value)
            for variable, value in zip(self.d_optimizer.variables, d_variables):
                variable.assign(value)
            for variable, value in zip(self.g_optimizer.variables, g_variables):
                variable.assign(value)
            d_metric = self.d_loss_tracker.stateless_update_state(metrics_variables[:2], d_loss)
            g_metric = self.g_loss_tracker.stateless_update_state(metrics_variables[2:], g_loss)
            logs = {"d_loss": self.d_loss_tracker.stateless_result(d_metric),
                    "g_loss": self.g_loss_tracker.stateless_result(g_metric)}
            state = (d_trainable + g_trainable, non_trainable_variables, optimizer_variables, d_metric + g_metric)
            return logs, state

    class GANMonitor(keras.callbacks.Callback):
        def __init__(self, latent_dim):
            self.latent_dim = latent_dim
            self.images = []

        def on_epoch_end(self, epoch, logs=None):
            random_latent_vectors = np.random.default_rng(epoch).normal(size=(2, self.latent_dim))
            self.images.append(np.asarray(self.model.generator(random_latent_vectors)))

    class BatchLogs(keras.callbacks.Callback):
        def __init__(self):
            self.seen = []

        def on_train_batch_end(self, batch, logs=None):
            self.seen.append(dict(logs))

    discriminator, generator = _gan_models(keras, latent_dim)
    n_d = len(discriminator.trainable_variables)
    discriminator.set_weights(initial_weights[:n_d])
    generator.set_weights(initial_weights[n_d:])
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    monitor, batch_logs = GANMonitor(latent_dim), BatchLogs()
    history = gan.fit(images, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0,
                      callbacks=[monitor, batch_logs])
    return history.history, batch_logs.seen, monitor.images, [np.asarray(w) for w in gan.get_weights()]


def _keras_gan_loop(images, initial_weights, epochs=2, batch_size=16, latent_dim=32):
    """The oracle: the same GAN step on Keras 3, in a hand-written loop (the loop guide's form) that threads both
    optimizers' variables; the per-batch means the trackers report, and the trained weights."""
    discriminator, generator = _gan_models(keras3, latent_dim)
    n_d = len(discriminator.trainable_variables)
    discriminator.set_weights(initial_weights[:n_d])
    generator.set_weights(initial_weights[n_d:])
    d_optimizer = keras3.optimizers.Adam(learning_rate=0.0003)
    g_optimizer = keras3.optimizers.Adam(learning_rate=0.0003)
    d_optimizer.build(discriminator.trainable_variables)
    g_optimizer.build(generator.trainable_variables)
    loss_fn = keras3.losses.BinaryCrossentropy(from_logits=True)
    step_fn = jax.jit(lambda d, g, dv, gv, x, step: _gan_step(
        keras3, discriminator, generator, d_optimizer, g_optimizer, loss_fn, latent_dim, d, g, dv, gv, x, step))
    state = keras_values((discriminator.trainable_variables, generator.trainable_variables, d_optimizer.variables,
                          g_optimizer.variables))
    history, per_batch, step = {"d_loss": [], "g_loss": []}, [], 0
    for _ in range(epochs):
        d_losses, g_losses = [], []
        for start in range(0, len(images), batch_size):
            d_loss, g_loss, *state = step_fn(*state, images[start:start + batch_size], step)
            step += 1
            d_losses.append(float(d_loss))
            g_losses.append(float(g_loss))
            per_batch.append({"d_loss": np.mean(d_losses), "g_loss": np.mean(g_losses)})
        history["d_loss"].append(np.mean(d_losses))
        history["g_loss"].append(np.mean(g_losses))
    weights = [np.asarray(w) for w in state[0] + state[1]]
    return history, per_batch, weights


def test_gan_example_trains_two_optimizers_as_the_same_steps_on_keras():
    images, _ = _digits(48)
    keras.utils.set_random_seed(0)
    discriminator, generator = _gan_models(keras, 32)
    weights = [np.asarray(w) for w in discriminator.get_weights() + generator.get_weights()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, expected_batches, expected_weights = _keras_gan_loop(images, weights)
    history, batches, generated, trained = _program_gan(keras, images, weights)
    assert history.keys() == {"d_loss", "g_loss"}
    for name in expected:
        np.testing.assert_allclose(history[name], expected[name], rtol=RTOL, err_msg=name)
    assert len(batches) == len(expected_batches) == 6  # fit(verbose=0, shuffle=False): 3 batches per epoch, K=1
    for got, want in zip(batches, expected_batches):
        np.testing.assert_allclose([got["d_loss"], got["g_loss"]], [want["d_loss"], want["g_loss"]], rtol=RTOL)
    for got, want in zip(trained, expected_weights):  # both optimizers stepped as Keras's (Adam's moments carried)
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-5)
    assert len(generated) == 2 and generated[0].shape == (2, 28, 28, 1)
