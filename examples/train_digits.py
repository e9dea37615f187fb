"""Train an MLP on scikit-learn's bundled handwritten digits, with early stopping on a validation split.

Run: python examples/train_digits.py   (offline; about 20 s on a 2-core CPU)
"""

from __future__ import annotations

import time

import kerasish as ks
from kerasish.datasets import load_digits


class StopWhenValidationStalls(ks.callbacks.Callback):
    """Early stopping on val_loss, restoring the best epoch's weights (ks.callbacks.EarlyStopping in full)."""

    def __init__(self, patience: int = 8) -> None:
        super().__init__()
        self.patience = patience

    def on_train_begin(self, logs=None):
        self.best, self.best_weights, self.wait, self.best_epoch = float("inf"), None, 0, 0

    def on_epoch_end(self, epoch, logs=None):
        if logs["val_loss"] < self.best:
            self.best, self.best_weights, self.wait, self.best_epoch = (
                logs["val_loss"], self.model.get_weights(), 0, epoch)
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.model.set_weights(self.best_weights)
        print(f"Stopped after epoch {len(self.model.history.epoch)}; restored the weights of epoch "
              f"{self.best_epoch + 1} (val_loss {self.best:.4f}).")


def main() -> float:
    ks.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load_digits(test_size=0.2, seed=0)
    print(f"digits: {len(x_train)} training images (of which 20% held out for validation), "
          f"{len(x_test)} test images, 8x8 pixels, 10 classes")

    model = ks.Sequential([
        ks.Input((64,)),
        ks.layers.Dense(128, activation="relu"),
        ks.layers.Dropout(0.2),
        ks.layers.Dense(64, activation="relu"),
        ks.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()

    start = time.perf_counter()
    early_stopping = getattr(ks.callbacks, "EarlyStopping", None)
    callback = (early_stopping(monitor="val_loss", patience=8, restore_best_weights=True, verbose=1)
                if early_stopping else StopWhenValidationStalls(patience=8))
    model.fit(x_train, y_train, batch_size=32, epochs=200, validation_split=0.2, callbacks=[callback], verbose=2)
    seconds = time.perf_counter() - start

    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f} ({seconds:.1f} s of training)")
    return accuracy


if __name__ == "__main__":
    main()
