# ruff: noqa
# keras.io guide "Training & evaluation with the built-in methods" (Keras 3 version), its section "Training &
# evaluation using PyDataset instances", with only the import changed. Swapped: MNIST for offline digits of the same
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


class ExamplePyDataset(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x = x
        self.y = y
        self.batch_size = batch_size

    def __len__(self):
        return int(np.ceil(len(self.x) / float(self.batch_size)))

    def __getitem__(self, idx):
        batch_x = self.x[idx * self.batch_size : (idx + 1) * self.batch_size]
        batch_y = self.y[idx * self.batch_size : (idx + 1) * self.batch_size]
        return batch_x, batch_y


train_py_dataset = ExamplePyDataset(x_train, y_train, batch_size=32)
val_py_dataset = ExamplePyDataset(x_val, y_val, batch_size=32)

model = get_compiled_model()
history_py_dataset = model.fit(train_py_dataset, batch_size=64, validation_data=val_py_dataset, epochs=1)

evaluation = model.evaluate(val_py_dataset)

train_py_dataset = ExamplePyDataset(x_train, y_train, batch_size=32, workers=4)
val_py_dataset = ExamplePyDataset(x_val, y_val, batch_size=32, workers=4)

model = get_compiled_model()
history_workers = model.fit(train_py_dataset, batch_size=64, validation_data=val_py_dataset, epochs=1)
