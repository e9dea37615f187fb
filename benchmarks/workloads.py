"""The benchmark workloads: data, batch size, optimizer and loss, shared by every implementation.

Every implementation (kerasish, Keras 3, hand-written JAX) builds its data from `make_data`, which is
seeded, so all of them train on the same arrays. Nothing is downloaded: images, tokens and labels are
random (the timings do not depend on what the numbers are).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    samples: int
    batch_size: int
    optimizer: str           # "sgd" or "adam"
    learning_rate: float
    loss: str                # "binary_crossentropy" or "sparse_categorical_crossentropy"
    timed_epochs: int        # default number of timed epochs (after one warm epoch); --epochs overrides
    layers_needed: tuple = ()  # kerasish layer names the workload needs
    scan_subset: int | None = None  # hand-written rolled lax.scan: time this many samples, extrapolate


WORKLOADS = {
    "tiny": Workload("tiny", "Dense(1, sigmoid) on 1,000 x 2", 1000, 32, "sgd", 0.1, "binary_crossentropy", 30,
                     ("Dense",)),
    "mlp": Workload("mlp", "784-128(relu)-10(softmax) on 60,000 x 784", 60000, 128, "adam", 1e-3,
                    "sparse_categorical_crossentropy", 5, ("Dense",)),
    "cnn": Workload("cnn", "Conv32-Pool-Conv64-Pool-Flatten-Dropout(0.5)-Dense10 on 12,800 x 28x28x1", 12800, 128,
                    "adam", 1e-3, "sparse_categorical_crossentropy", 3,
                    ("Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"), scan_subset=256),
    "lstm": Workload("lstm", "Embedding(10000,64)-LSTM(64)-Dense(1, sigmoid) on 5,000 x 100 tokens", 5000, 128,
                     "adam", 1e-3, "binary_crossentropy", 3, ("Embedding", "LSTM", "Dense")),
}


def make_data(name: str, samples: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`(x, y)` of workload `name` (float32 inputs / int32 token ids; float32 or int32 labels)."""
    w = WORKLOADS[name]
    n = samples or w.samples
    rng = np.random.default_rng(0)
    if name == "tiny":
        x = rng.normal(size=(n, 2)).astype(np.float32)
        y = (x[:, :1] + 0.5 * x[:, 1:] > 0).astype(np.float32)
    elif name == "mlp":
        x = rng.random((n, 784), dtype=np.float32)
        y = rng.integers(0, 10, n).astype(np.int32)
    elif name == "cnn":
        x = rng.random((n, 28, 28, 1), dtype=np.float32)
        y = rng.integers(0, 10, n).astype(np.int32)
    elif name == "lstm":
        x = rng.integers(1, 10000, (n, 100)).astype(np.int32)
        y = rng.integers(0, 2, (n, 1)).astype(np.float32)
    else:
        raise ValueError(f"unknown workload {name!r}; known: {sorted(WORKLOADS)}")
    return x, y
