"""IMDB movie reviews (`keras.datasets.imdb`): 50,000 reviews as word-index sequences, labelled by sentiment."""

from __future__ import annotations

from typing import Any

import numpy as np

import kerasish.datasets.sequences as sequences
from kerasish.datasets.cache import KERAS_DATASETS_URL, cached_file
from kerasish.datasets.npz_utils import load_npz

__all__ = ["FILE_HASH", "ORIGIN", "get_word_index", "load_data"]

ORIGIN = f"{KERAS_DATASETS_URL}imdb.npz"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"  # sha256 of Keras's file
WORD_INDEX_ORIGIN = f"{KERAS_DATASETS_URL}imdb_word_index.json"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"  # md5


def load_data(path: Any = "imdb.npz", num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None,
              seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3,
              **kwargs: Any):
    """Loads IMDB from the file Keras caches, as `keras.datasets.imdb.load_data`; never downloads.

    Each review is a list of word indexes (a word's rank by frequency, plus `index_from`), after
    `start_char`; words ranked outside `[skip_top, num_words)` become `oov_char` (or are dropped when it is
    None). Index 0 is never used (padding). The file is `imdb.npz` in Keras's cache folder
    (`$KERAS_HOME/datasets/`, by default `~/.keras/datasets/`), checked against Keras's sha256; its ragged
    arrays are read with a restricted unpickler (NumPy arrays and Python values only).

    Args:
      path: the file's name in the cache, or a path to it.
      num_words: keep the `num_words` most frequent words (the largest index in the data when None).
      skip_top: also treat the `skip_top` most frequent words as out of vocabulary.
      maxlen: drop the reviews of `maxlen` items or more (start mark included), as Keras does.
      seed: the seed of the shuffles of the training and the test reviews.
      start_char: the index marking a review's start (None: no mark).
      oov_char: the index of out-of-vocabulary words (None: they are dropped).
      index_from: added to every word index.

    Returns:
      `(x_train, y_train), (x_test, y_test)`: `x_*` 1-D object arrays of lists of ints, `y_*` int arrays of
      the labels (1 positive, 0 negative); 25,000 reviews each for the real file.

    Raises:
      TypeError: for another keyword argument (Keras accepts and ignores any).
      ValueError: for options that are not ints >= 0, a `maxlen` that keeps no review, or a cached file
        whose hash is not Keras's.
      FileNotFoundError: when the file is missing (the message names where to put it and the URL).

    Example:
      >>> import os, tempfile
      >>> from kerasish.datasets.sequences import as_object_array
      >>> path = os.path.join(tempfile.mkdtemp(), "imdb.npz")
      >>> np.savez(path, x_train=as_object_array([[1, 5], [3]]), y_train=np.array([1, 0]),
      ...          x_test=as_object_array([[2, 2, 7]]), y_test=np.array([1]))
      >>> (x_train, y_train), (x_test, y_test) = load_data(path, seed=0)
      >>> sorted(x_train.tolist()), x_test.tolist()
      ([[1, 4, 8], [1, 6]], [[1, 5, 5, 2]])
    """
    if kwargs:
        raise TypeError(f"imdb.load_data got unexpected keyword arguments {sorted(kwargs)} (Keras ignores them "
                        f"silently).")
    sequences.check_options("imdb.load_data", num_words, skip_top, maxlen, start_char, oov_char, index_from)
    arrays = load_npz(cached_file(path, ORIGIN, FILE_HASH))
    rng = np.random.RandomState(seed)
    splits = []
    for prefix in ("train", "test"):
        x, y = arrays[f"x_{prefix}"], arrays[f"y_{prefix}"]
        order = np.arange(len(x))
        rng.shuffle(order)
        x, y = sequences.without_long(maxlen, sequences.shift(x[order], start_char, index_from), y[order])
        splits.append((x, y))
    if maxlen and not (splits[0][0] and splits[1][0]):
        raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. Increase "
                         f"maxlen.")
    encoded = sequences.encode(splits[0][0] + splits[1][0], num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(splits[0][1], dtype=arrays["y_train"].dtype),
                             np.asarray(splits[1][1], dtype=arrays["y_test"].dtype)])
    cut = len(splits[0][0])
    return ((sequences.as_object_array(encoded[:cut]), labels[:cut]),
            (sequences.as_object_array(encoded[cut:]), labels[cut:]))


def get_word_index(path: Any = "imdb_word_index.json") -> dict[str, int]:
    """The word index of IMDB (`{word: rank}`, rank 1 the most frequent), from the JSON file Keras caches.

    The ranks do not include `load_data`'s `index_from` shift: word `w` appears in the data as
    `word_index[w] + 3` by default.

    Raises:
      FileNotFoundError: when the file is missing (the message names where to put it and the URL).
    """
    return sequences.load_word_index(path, WORD_INDEX_ORIGIN, WORD_INDEX_HASH)
