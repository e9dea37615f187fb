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
    pydataset: bool = False  # fed by a PyDataset (`make_pydataset`) instead of arrays
    impls: tuple = ()  # the implementations run by default (empty: run.py's DEFAULT_IMPLS)


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
    "transformer": Workload("transformer", "Embedding(5000,64)+position-2x[MHA(4x16)-Add-LN-FF(128,64)-Add-LN]-GAP-"
                            "Dense2 on 2,048 x 128 tokens", 2048, 64, "adam", 1e-3, "sparse_categorical_crossentropy",
                            2, ("Embedding", "MultiHeadAttention", "LayerNormalization", "Add",
                                "GlobalAveragePooling1D", "Dense")),
    "resnet": Workload("resnet", "Conv16-BN-ReLU-2x[res 16]-[res 32, stride 2]-[res 32]-GAP-Dense10 on 2,560 x "
                       "32x32x3", 2560, 128, "adam", 1e-3, "sparse_categorical_crossentropy", 2,
                       ("Conv2D", "BatchNormalization", "Activation", "Add", "GlobalAveragePooling2D", "Dense"),
                       scan_subset=256),
    "pydataset": Workload("pydataset", "the mlp workload read from a PyDataset whose __getitem__ takes 2 ms more",
                          60000, 128, "adam", 1e-3, "sparse_categorical_crossentropy", 3, ("Dense",), pydataset=True,
                          impls=("kerasish:workers=1", "kerasish:workers=2", "keras:workers=1", "keras:workers=2",
                                 "jit:workers=1", "jit:workers=2")),
}

#: Shapes of the transformer and ResNet workloads, shared by the three implementations.
TRANSFORMER = {"vocab": 5000, "maxlen": 128, "dim": 64, "heads": 4, "key_dim": 16, "ff": 128, "blocks": 2,
               "classes": 2}
#: Residual stages of the ResNet workload: (filters, stride of the stage's first block), one block each.
RESNET = {"stem": 16, "stages": ((16, 1), (16, 1), (32, 2), (32, 1)), "classes": 10}
#: What the PyDataset workload's __getitem__ waits per batch (a file read, a decode), in seconds.
PYDATASET_DELAY = 0.002


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
    elif name == "transformer":
        x = rng.integers(0, TRANSFORMER["vocab"], (n, TRANSFORMER["maxlen"])).astype(np.int32)
        y = rng.integers(0, TRANSFORMER["classes"], n).astype(np.int32)
    elif name == "resnet":
        x = rng.random((n, 32, 32, 3), dtype=np.float32)
        y = rng.integers(0, RESNET["classes"], n).astype(np.int32)
    elif name == "pydataset":
        return make_data("mlp", samples)
    else:
        raise ValueError(f"unknown workload {name!r}; known: {sorted(WORKLOADS)}")
    return x, y


def make_pydataset(base: type, x: np.ndarray, y: np.ndarray, batch_size: int, workers: int = 1,
                   delay: float = PYDATASET_DELAY, **kwargs):
    """A PyDataset of `(x, y)` batches in order whose `__getitem__` also waits `delay` seconds (what reading and
    decoding a batch from files costs; `time.sleep` releases the GIL as file reads do), built on `base`:
    `kerasish.utils.PyDataset`, `keras.utils.PyDataset`, or `object` for the hand-written loop (which then reads
    `workers` itself)."""
    import time

    class Batches(base):
        def __init__(self):
            if base is not object:
                super().__init__(workers=workers, **kwargs)
            self.workers_wanted = workers

        def __len__(self):
            return -(-len(x) // batch_size)

        def __getitem__(self, index):
            time.sleep(delay)
            rows = slice(index * batch_size, (index + 1) * batch_size)
            return x[rows], y[rows]

    return Batches()
