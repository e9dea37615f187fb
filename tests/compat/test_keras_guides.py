"""Keras's own guides, run with only the import changed (issue 4).

Each `_guide_*` function below is a copy of a keras.io guide's model code with `import keras` /
`from keras import layers` turned into arguments, so the very same lines build the model on kerasish
(`import kerasish as keras`) and on Keras 3 (the oracle for parameter counts). Data is tiny and offline.
Lines the guides have that kerasish lacks are kept as comments, marked "MISSING in kerasish".

Sources (keras-team/keras-io): guides/sequential_model.py, guides/functional_api.py,
examples/vision/mnist_convnet.py, guides/working_with_rnns.py, examples/nlp/bidirectional_lstm_imdb.py.
"""

import contextlib
import os
import shutil
import tempfile
import warnings

import numpy as np
import pytest

keras3 = pytest.importorskip("keras")
layers3 = keras3.layers

import kerasish as keras  # noqa: E402  -- the only change the guides get
from kerasish import layers  # noqa: E402


def _keras3_params(build, *args):
    """The parameter count Keras 3 reports for the same guide code."""
    keras3.utils.set_random_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build(keras3, layers3, *args).count_params()


def _digits_28x28(n_train=512, n_test=128):
    """load_digits 8x8 -> 24x24 (each pixel 3x3) -> zero-padded to MNIST's 28x28x1, scaled to [0, 1]."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.load_digits(flatten=False)

    def up(x):
        x = np.kron(x[..., 0], np.ones((3, 3), np.float32))
        return np.pad(x, ((0, 0), (2, 2), (2, 2)))[..., None].astype("float32")

    return (up(x_train[:n_train]), y_train[:n_train]), (up(x_test[:n_test]), y_test[:n_test])


def _png_or_graphviz_hint():
    """plot_model writes the .png when Graphviz's `dot` is installed, else says how to get it (CI has none)."""
    if shutil.which("dot"):
        return contextlib.nullcontext()
    return pytest.raises(ImportError, match="needs Graphviz's `dot` program")


def _finite_decreasing(losses):
    assert all(np.isfinite(losses)), losses
    assert losses[-1] < losses[0], losses


# --------------------------------------------------------------------------------------------------------------
# guides/sequential_model.py
# --------------------------------------------------------------------------------------------------------------

def test_sequential_guide_basics(seeded):
    # Define Sequential model with 3 layers
    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu", name="layer1"),
            layers.Dense(3, activation="relu", name="layer2"),
            layers.Dense(4, name="layer3"),
        ]
    )
    # Call model on a test input
    x = np.ones((3, 3))  # the guide's tf.ones((3, 3)); TensorFlow is not a dependency
    y = model(x)
    assert y.shape == (3, 4)

    # Create 3 layers
    layer1 = layers.Dense(2, activation="relu", name="layer1")
    layer2 = layers.Dense(3, activation="relu", name="layer2")
    layer3 = layers.Dense(4, name="layer3")

    # Call layers on a test input
    x = np.ones((3, 3))
    y = layer3(layer2(layer1(x)))
    assert y.shape == (3, 4)

    # Same weights -> the Sequential model is the function composition.
    for layer, twin in zip(model.layers, [layer1, layer2, layer3]):
        twin.set_weights(layer.get_weights())
    x = np.random.default_rng(0).normal(size=(3, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(layer3(layer2(layer1(x)))), rtol=1e-6)

    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu"),
            layers.Dense(3, activation="relu"),
            layers.Dense(4),
        ]
    )
    assert len(model.layers) == 3

    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu"))
    model.add(layers.Dense(3, activation="relu"))
    model.add(layers.Dense(4))

    model.pop()
    assert len(model.layers) == 2  # print(len(model.layers))  # 2

    model = keras.Sequential(name="my_sequential")
    model.add(layers.Dense(2, activation="relu", name="layer1"))
    model.add(layers.Dense(3, activation="relu", name="layer2"))
    model.add(layers.Dense(4, name="layer3"))
    assert model.name == "my_sequential"
    assert [layer.name for layer in model.layers] == ["layer1", "layer2", "layer3"]

    layer = layers.Dense(3)
    assert layer.weights == []  # Empty

    # Call layer on a test input
    x = np.ones((1, 4))
    y = layer(x)
    assert [tuple(w.shape) for w in layer.weights] == [(4, 3), (3,)]  # Now it has weights, of shape (4, 3) and (3,)

    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu"),
            layers.Dense(3, activation="relu"),
            layers.Dense(4),
        ]
    )  # No weights at this stage!

    # Call the model on a test input
    x = np.ones((1, 4))
    y = model(x)
    assert len(model.weights) == 6  # "Number of weights after calling the model:" 6
    lines = []
    model.summary(print_fn=lines.append)
    assert "Total params: 35" in "\n".join(lines)  # 4*2+2 + 2*3+3 + 3*4+4
    assert model.count_params() == 35

    model = keras.Sequential()
    model.add(keras.Input(shape=(4,)))
    model.add(layers.Dense(2, activation="relu"))
    model.summary(print_fn=lambda *a, **k: None)
    assert len(model.layers) == 1  # the Input object is not part of model.layers
    assert model.count_params() == 10

    # Keras 3 still accepts the `input_shape=` argument on layers (with a warning); kerasish accepts it silently.
    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu", input_shape=(4,)))
    model.summary(print_fn=lambda *a, **k: None)
    assert model.input_shape == (None, 4) and model.count_params() == 10


def _guide_conv_debugging(keras, layers, stage):
    model = keras.Sequential()
    model.add(keras.Input(shape=(250, 250, 3)))  # 250x250 RGB images
    model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    if stage == 1:
        return model

    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(2))
    if stage == 2:
        return model

    # Now that we have 4x4 feature maps, time to apply global max pooling.
    model.add(layers.GlobalMaxPooling2D())

    # Finally, we add a classification layer.
    model.add(layers.Dense(10))
    return model


def test_sequential_guide_add_summary_debugging(seeded):
    x = np.random.default_rng(0).random((2, 250, 250, 3)).astype("float32")
    # "The answer was: (40, 40, 32)", then 4x4 feature maps, then 10 logits.
    for stage, shape in [(1, (2, 40, 40, 32)), (2, (2, 4, 4, 32)), (3, (2, 10))]:
        model = _guide_conv_debugging(keras, layers, stage)
        lines = []
        model.summary(print_fn=lines.append)
        assert model.count_params() == _keras3_params(_guide_conv_debugging, stage)
        assert model.predict(x, verbose=0).shape == shape
    assert model.count_params() == 2432 + 9248 * 5 + 330


def test_sequential_guide_feature_extraction():
    initial_model = keras.Sequential(
        [
            keras.Input(shape=(250, 250, 3)),
            layers.Conv2D(32, 5, strides=2, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
        ]
    )
    feature_extractor = keras.Model(
        inputs=initial_model.inputs,
        outputs=[layer.output for layer in initial_model.layers],
    )
    # Call feature extractor on test input.
    x = np.ones((1, 250, 250, 3))
    features = feature_extractor(x)
    assert [tuple(f.shape) for f in features] == [(1, 123, 123, 32), (1, 121, 121, 32), (1, 119, 119, 32)]

    initial_model = keras.Sequential(
        [
            keras.Input(shape=(250, 250, 3)),
            layers.Conv2D(32, 5, strides=2, activation="relu"),
            layers.Conv2D(32, 3, activation="relu", name="my_intermediate_layer"),
            layers.Conv2D(32, 3, activation="relu"),
        ]
    )
    feature_extractor = keras.Model(
        inputs=initial_model.inputs,
        outputs=initial_model.get_layer(name="my_intermediate_layer").output,
    )
    # Call feature extractor on test input.
    x = np.ones((1, 250, 250, 3))
    features = feature_extractor(x)
    assert tuple(features.shape) == (1, 121, 121, 32)


# --------------------------------------------------------------------------------------------------------------
# examples/vision/mnist_convnet.py ("Simple MNIST convnet"), on load_digits upscaled to 28x28x1
# --------------------------------------------------------------------------------------------------------------

def _guide_mnist_convnet(keras, layers):
    # Model / data parameters
    num_classes = 10
    input_shape = (28, 28, 1)
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    return model


def test_mnist_convnet_example(seeded):
    num_classes = 10
    (x_train, y_train), (x_test, y_test) = _digits_28x28()  # instead of keras.datasets.mnist.load_data()
    assert x_train.shape[1:] == (28, 28, 1)

    # convert class vectors to binary class matrices
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = _guide_mnist_convnet(keras, layers)
    model.summary(print_fn=lambda *a, **k: None)
    assert model.count_params() == 34826 == _keras3_params(_guide_mnist_convnet)  # "Total params: 34,826"

    batch_size = 128
    epochs = 2  # the guide trains 15 epochs on 60,000 images

    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])

    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1, verbose=0)
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.history)
    _finite_decreasing(history.history["loss"])

    score = model.evaluate(x_test, y_test, verbose=0)
    assert len(score) == 2 and np.isfinite(score[0]) and 0.0 <= score[1] <= 1.0
    predictions = model.predict(x_test, verbose=0)
    assert predictions.shape == (len(x_test), num_classes)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)


# --------------------------------------------------------------------------------------------------------------
# guides/functional_api.py
# --------------------------------------------------------------------------------------------------------------

def _guide_functional_mnist_model(keras, layers):
    inputs = keras.Input(shape=(784,))
    dense = layers.Dense(64, activation="relu")
    x = dense(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
    return model


def test_functional_guide_first_model(seeded, tmp_path):
    inputs = keras.Input(shape=(784,))
    assert tuple(inputs.shape) == (None, 784)
    img_inputs = keras.Input(shape=(32, 32, 3))
    assert tuple(img_inputs.shape) == (None, 32, 32, 3)

    model = _guide_functional_mnist_model(keras, layers)
    assert model.name == "mnist_model"
    model.summary(print_fn=lambda *a, **k: None)
    assert model.count_params() == 55050 == _keras3_params(_guide_functional_mnist_model)  # "Total params: 55,050"
    with _png_or_graphviz_hint():
        keras.utils.plot_model(model, os.path.join(tmp_path, "my_first_model.png"))
    with _png_or_graphviz_hint():
        keras.utils.plot_model(model, os.path.join(tmp_path, "my_first_model_with_shape_info.png"), show_shapes=True)

    (x_train, y_train), (x_test, y_test) = _digits_28x28(n_train=320, n_test=64)
    x_train = x_train.reshape(320, 784).astype("float32")  # the guide: .reshape(60000, 784) ... / 255
    x_test = x_test.reshape(64, 784).astype("float32")

    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"]
    )

    history = model.fit(x_train, y_train, batch_size=64, epochs=2, validation_split=0.2, verbose=0)
    _finite_decreasing(history.history["loss"])
    assert len(history.history["val_accuracy"]) == 2

    test_scores = model.evaluate(x_test, y_test, verbose=0)
    assert len(test_scores) == 2 and np.isfinite(test_scores[0])


def _guide_ticket_model(keras, layers, title_len=None, body_len=None):
    # title_len/body_len: None is the guide's code; a number gives the fixed-length variant (see below).
    num_tags = 12  # Number of unique issue tags
    num_words = 10000  # Size of vocabulary obtained when preprocessing text data
    num_departments = 4  # Number of departments for predictions

    title_input = keras.Input(
        shape=(title_len,), name="title"
    )  # Variable-length sequence of ints
    body_input = keras.Input(shape=(body_len,), name="body")  # Variable-length sequence of ints
    tags_input = keras.Input(
        shape=(num_tags,), name="tags"
    )  # Binary vectors of size `num_tags`

    # Embed each word in the title into a 64-dimensional vector
    title_features = layers.Embedding(num_words, 64)(title_input)
    # Embed each word in the text into a 64-dimensional vector
    body_features = layers.Embedding(num_words, 64)(body_input)

    # Reduce sequence of embedded words in the title into a single 128-dimensional vector
    title_features = layers.LSTM(128)(title_features)
    # Reduce sequence of embedded words in the body into a single 32-dimensional vector
    body_features = layers.LSTM(32)(body_features)

    # Merge all available features into a single large vector via concatenation
    x = layers.concatenate([title_features, body_features, tags_input])

    # Stick a logistic regression for priority prediction on top of the features
    priority_pred = layers.Dense(1, name="priority")(x)
    # Stick a department classifier on top of the features
    department_pred = layers.Dense(num_departments, name="department")(x)

    # Instantiate an end-to-end model predicting both priority and department
    model = keras.Model(
        inputs=[title_input, body_input, tags_input],
        outputs=[priority_pred, department_pred],
    )
    return model


def test_functional_guide_multi_input_multi_output_variable_length(seeded):
    """The guide's model exactly as written: title and body are variable-length sequences."""
    _run_ticket_guide(title_len=None, body_len=None, inputs_as="dict")


def test_functional_guide_multi_input_multi_output_dict_inputs(seeded):
    """Fixed-length title (10) and body (20) inputs, the lengths of the dummy data; the guide's fit() call."""
    _run_ticket_guide(title_len=10, body_len=20, inputs_as="dict")


def test_functional_guide_multi_input_multi_output(seeded):
    """Fixed-length inputs, and x passed as the list `[title_data, body_data, tags_data]`, which the guide names
    as the other accepted form."""
    _run_ticket_guide(title_len=10, body_len=20, inputs_as="list")


def _run_ticket_guide(title_len, body_len, inputs_as="dict"):
    num_tags = 12
    num_words = 10000
    num_departments = 4

    model = _guide_ticket_model(keras, layers, title_len, body_len)
    assert model.count_params() == _keras3_params(_guide_ticket_model, title_len, body_len)
    assert model.count_params() == 10000 * 64 * 2 + 98816 + 12416 + 173 + 692
    with tempfile.TemporaryDirectory() as folder, _png_or_graphviz_hint():
        keras.utils.plot_model(model, os.path.join(folder, "multi_input_and_output_model.png"), show_shapes=True)

    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=[
            keras.losses.BinaryCrossentropy(from_logits=True),
            keras.losses.CategoricalCrossentropy(from_logits=True),
        ],
        loss_weights=[1.0, 0.2]
    )

    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={
            "priority": keras.losses.BinaryCrossentropy(from_logits=True),
            "department": keras.losses.CategoricalCrossentropy(from_logits=True),
        },
        loss_weights={"priority": 1.0, "department": 0.2}
    )

    # Dummy input data (the guide's 1280 samples cut to 64; sequences of 10 and 20 words instead of 10 and 100)
    rng = np.random.default_rng(0)
    title_data = rng.integers(num_words, size=(64, 10))
    body_data = rng.integers(num_words, size=(64, 20))
    tags_data = rng.integers(2, size=(64, num_tags)).astype("float32")

    # Dummy target data
    priority_targets = rng.random(size=(64, 1))
    dept_targets = rng.integers(2, size=(64, num_departments))

    if inputs_as == "list":
        history = model.fit(
            [title_data, body_data, tags_data],
            {"priority": priority_targets, "department": dept_targets},
            epochs=2,
            batch_size=32,
            verbose=0,
        )
    else:
        history = model.fit(
            {"title": title_data, "body": body_data, "tags": tags_data},
            {"priority": priority_targets, "department": dept_targets},
            epochs=2,
            batch_size=32,
            verbose=0,
        )
    assert {"loss", "priority_loss", "department_loss"} <= set(history.history)
    _finite_decreasing(history.history["loss"])
    total = np.array(history.history["priority_loss"]) + 0.2 * np.array(history.history["department_loss"])
    np.testing.assert_allclose(history.history["loss"], total, rtol=1e-4)

    # The list form of the same data, as the guide says a Dataset may yield it.
    priority, department = model.predict([title_data, body_data, tags_data], verbose=0)
    assert priority.shape == (64, 1) and department.shape == (64, num_departments)


# --------------------------------------------------------------------------------------------------------------
# Text classifiers: Embedding + LSTM
# --------------------------------------------------------------------------------------------------------------

def _guide_rnn_model(keras, layers):
    # guides/working_with_rnns.py, "Built-in RNN layers: a simple example"
    model = keras.Sequential()
    # Add an Embedding layer expecting input vocab of size 1000, and
    # output embedding dimension of size 64.
    model.add(layers.Embedding(input_dim=1000, output_dim=64))

    # Add a LSTM layer with 128 internal units.
    model.add(layers.LSTM(128))

    # Add a Dense layer with 10 units.
    model.add(layers.Dense(10))
    return model


def test_rnn_guide_embedding_lstm_classifier(seeded):
    model = _guide_rnn_model(keras, layers)
    rng = np.random.default_rng(0)
    x = rng.integers(1000, size=(64, 12)).astype("int32")
    y = (x[:, 0] % 10).astype("int32")  # the class is readable from the first token
    assert model.predict(x[:4], verbose=0).shape == (4, 10)  # builds the model, as the guide's summary() needs
    model.summary(print_fn=lambda *a, **k: None)

    keras3.utils.set_random_seed(0)
    reference = _guide_rnn_model(keras3, layers3)
    reference(x[:4])
    assert model.count_params() == reference.count_params() == 64000 + 98816 + 1290  # "Total params: 164,106"

    # The guide stops at summary(); train it as a text classifier.
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    _finite_decreasing(history.history["loss"])


def _guide_bidirectional_imdb(keras, layers, maxlen=None):
    # examples/nlp/bidirectional_lstm_imdb.py; maxlen=None is the guide's code, a number the fixed-length variant
    max_features = 20000  # Only consider the top 20k words
    # Input for variable-length sequences of integers
    inputs = keras.Input(shape=(maxlen,), dtype="int32")
    # Embed each integer in a 128-dimensional vector
    x = layers.Embedding(max_features, 128)(inputs)
    # Add 2 bidirectional LSTMs
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    # Add a classifier
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    return model


def test_bidirectional_lstm_imdb_example_variable_length(seeded):
    _run_bidirectional_imdb(maxlen=None)


def test_bidirectional_lstm_imdb_example(seeded):
    """Fixed-length input: the example pads every review to maxlen anyway (20 here instead of 200)."""
    _run_bidirectional_imdb(maxlen=20)


def _run_bidirectional_imdb(maxlen):
    model = _guide_bidirectional_imdb(keras, layers, maxlen)
    assert model.count_params() == _keras3_params(_guide_bidirectional_imdb, maxlen) == 2757761

    # Offline stand-in for keras.datasets.imdb.load_data(num_words=max_features) + pad_sequences(maxlen=200)
    rng = np.random.default_rng(0)
    x_train = rng.integers(1, 20000, size=(64, 20)).astype("int32")
    y_train = (x_train[:, 0] > 10000).astype("float32")
    x_val, y_val = x_train[:16], y_train[:16]
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=2, validation_data=(x_val, y_val), verbose=0)
    _finite_decreasing(history.history["loss"])
    assert model.predict(x_val, verbose=0).shape == (16, 1)
