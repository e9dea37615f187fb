"""PyDatasets for the tests, in a module of their own: worker processes import it to unpickle them."""

import os
import threading
import time

import numpy as np

from kerasish.data.py_dataset import PyDataset


class Numbered(PyDataset):
    """Batch i is `(x, y)` with x full of `i + 100 * epochs_ended`; records what was asked and when."""

    def __init__(self, count=6, delay=0.0, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.count, self.delay, self.fail_at = count, delay, fail_at
        self.epochs_ended = 0
        self.events = []
        self.requested = []
        self.lock = threading.Lock()

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        with self.lock:
            self.requested.append(index)
        if self.delay:
            time.sleep(self.delay)
        if index == self.fail_at:
            raise KeyError(f"no batch {index} here")
        x = np.full((2, 3), index + 100 * self.epochs_ended, dtype="float32")
        return x, np.array([index, os.getpid()])

    def on_epoch_begin(self):
        self.events.append("begin")

    def on_epoch_end(self):
        self.events.append("end")
        self.epochs_ended += 1

    def __getstate__(self):  # a lock cannot be pickled; a worker process gets a fresh one
        state = dict(self.__dict__)
        del state["lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state, lock=threading.Lock())


class Endless(PyDataset):
    """Batches without end: `num_batches` is None."""

    @property
    def num_batches(self):
        return None

    def __getitem__(self, index):
        return (np.array([index]),)


class Unpicklable(Numbered):
    """Holds a generator, which cannot be pickled into a worker process."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stream = (i for i in range(3))
