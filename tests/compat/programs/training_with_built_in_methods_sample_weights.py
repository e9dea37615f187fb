# ruff: noqa
# keras.io guide "Training & evaluation with the built-in methods" (Keras 3 version), its section "Using sample
# weighting and class weighting", with only the import changed. Swapped: MNIST for offline digits of the same
# shapes (800 training samples, 200 for validation). The tf.data and PyTorch DataLoader parts are left out (they need
# TensorFlow / PyTorch).
import numpy as np
import kerasish as keras
from kerasish import layers
from tests.compat import offline_data

(x_train, y_train), (x_test, y_test) = offline_data.mnist_load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255
y_train = y_train.astype("float32")
x_val = x_train[-200:]
y_val = y_train[-200:]
x_train = x_train[:-200]
y_train = y_train[:-200]


def get_uncompiled_model():
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


def get_compiled_model():
    model = get_uncompiled_model()
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    return model


class_weight = {
    0: 1.0,
    1: 1.0,
    2: 1.0,
    3: 1.0,
    4: 1.0,
    # Set weight "2" for class "5",
    # making this class 2x more important
    5: 2.0,
    6: 1.0,
    7: 1.0,
    8: 1.0,
    9: 1.0,
}

print("Fit with class weight")
model = get_compiled_model()
history_class_weight = model.fit(x_train, y_train, class_weight=class_weight, batch_size=64, epochs=1)

sample_weight = np.ones(shape=(len(y_train),))
sample_weight[y_train == 5] = 2.0

print("Fit with sample weight")
model = get_compiled_model()
history_sample_weight = model.fit(x_train, y_train, sample_weight=sample_weight, batch_size=64, epochs=1)
