"""TensorFlow-free input pipelines on the bottom floor (imports nothing of kerasish but itself).

- `PyDataset` / `Sequence` (Keras's batches-by-index base class) and `EpochRunner`, which runs its epochs
  with worker threads or processes building batches ahead of the training step (`py_dataset.py`);
- `Dataset`, the re-iterable dataset of NumPy batches that `kerasish.utils`' `*_dataset_from_*`
  functions and `split_dataset` return where Keras returns a `tf.data.Dataset` (`dataset.py`);
- `pack_x_y_sample_weight` / `unpack_x_y_sample_weight` (`packing.py`).

`kerasish.utils` re-exports the Keras names; `fit`'s data path imports from here.
"""

from kerasish.data.dataset import Dataset
from kerasish.data.packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from kerasish.data.py_dataset import EpochRunner, PyDataset, Sequence, ordered_map, prefetch_iterator

__all__ = ["Dataset", "EpochRunner", "PyDataset", "Sequence", "ordered_map", "pack_x_y_sample_weight",
           "prefetch_iterator", "unpack_x_y_sample_weight"]
