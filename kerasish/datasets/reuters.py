"""Reuters newswires (`keras.datasets.reuters`): 11,228 newswires as word-index sequences, in 46 topics."""

from __future__ import annotations

from typing import Any

import numpy as np

import kerasish.datasets.sequences as sequences
from kerasish.datasets.boston_housing import check_test_split
from kerasish.datasets.cache import KERAS_DATASETS_URL, cached_file
from kerasish.datasets.npz_utils import load_npz

__all__ = ["FILE_HASH", "LABEL_NAMES", "ORIGIN", "get_label_names", "get_word_index", "load_data"]

ORIGIN = f"{KERAS_DATASETS_URL}reuters.npz"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"  # sha256 of Keras's file
WORD_INDEX_ORIGIN = f"{KERAS_DATASETS_URL}reuters_word_index.json"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"  # md5
LABEL_NAMES = ("cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
               "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
               "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
               "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
               "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path: Any = "reuters.npz", num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None,
              test_split: float = 0.2, seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2,
              index_from: int = 3):
    """Loads Reuters from the file Keras caches, as `keras.datasets.reuters.load_data`; never downloads.

    The newswires are shuffled (`RandomState(seed)`), shifted, filtered and encoded as in
    `kerasish.datasets.imdb.load_data`, then the last `test_split` of them are the test part. The file is
    `reuters.npz` in Keras's cache folder (`$KERAS_HOME/datasets/`, by default `~/.keras/datasets/`),
    checked against Keras's sha256; its ragged arrays are read with a restricted unpickler.

    Args:
      path: the file's name in the cache, or a path to it.
      num_words: keep the `num_words` most frequent words (the largest index when None).
      skip_top: also treat the `skip_top` most frequent words as out of vocabulary.
      maxlen: drop the newswires of `maxlen` items or more, as Keras does.
      test_split: the fraction held out for testing, in [0, 1).
      seed: the seed of the shuffle.
      start_char: the index marking a sequence's start (None: no mark).
      oov_char: the index of out-of-vocabulary words (None: they are dropped).
      index_from: added to every word index.

    Returns:
      `(x_train, y_train), (x_test, y_test)`: `x_*` 1-D object arrays of lists of ints, `y_*` int arrays of
      topic indexes (0-45, see `get_label_names()`).

    Raises:
      ValueError: for options out of range, or a cached file whose hash is not Keras's.
      FileNotFoundError: when the file is missing (the message names where to put it and the URL).
    """
    sequences.check_options("reuters.load_data", num_words, skip_top, maxlen, start_char, oov_char, index_from)
    test_split = check_test_split(test_split)
    arrays = load_npz(cached_file(path, ORIGIN, FILE_HASH))
    xs, labels = arrays["x"], arrays["y"]
    order = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(order)
    xs, labels = sequences.without_long(maxlen, sequences.shift(xs[order], start_char, index_from), labels[order])
    if not xs:
        raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. Increase "
                         f"maxlen.")
    xs = sequences.encode(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels, dtype=arrays["y"].dtype)
    return ((sequences.as_object_array(xs[:cut]), labels[:cut]),
            (sequences.as_object_array(xs[cut:]), labels[cut:]))


def get_word_index(path: Any = "reuters_word_index.json") -> dict[str, int]:
    """The word index of Reuters (`{word: rank}`), from the JSON file Keras caches (without the `index_from` shift).

    Raises:
      FileNotFoundError: when the file is missing (the message names where to put it and the URL).
    """
    return sequences.load_word_index(path, WORD_INDEX_ORIGIN, WORD_INDEX_HASH)


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed by label.

    Example:
      >>> get_label_names()[:3]
      ('cocoa', 'grain', 'veg-oil')
    """
    return LABEL_NAMES
