"""Train an MLP on scikit-learn's bundled handwritten digits, with early stopping on a validation split.

Run: python examples/train_digits.py   (offline; about 20 s on a 2-core CPU)
"""

from __future__ import annotations

import time

import kerasish as ks
from kerasish.datasets import load_digits


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
    early_stopping = ks.callbacks.EarlyStopping(monitor="val_loss", patience=8, restore_best_weights=True, verbose=1)
    history = model.fit(x_train, y_train, batch_size=32, epochs=200, validation_split=0.2,
                        callbacks=[early_stopping], verbose=2)
    seconds = time.perf_counter() - start

    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    best = early_stopping.best_epoch + 1
    print(f"{len(history.epoch)} epochs run; the best val_loss, {early_stopping.best:.4f}, was at epoch {best}")
    history.report()  # best epoch, generalisation gap, where validation started to rise, why training stopped
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f} ({seconds:.1f} s of training)")
    return accuracy


if __name__ == "__main__":
    main()
