"""What `imdb` and `reuters` share: Keras's shifting, filtering and out-of-vocabulary rules for word indexes."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from kerasish.datasets.cache import cached_file

__all__ = ["as_object_array", "encode", "load_word_index", "shift", "without_long"]


def shift(sequences: Any, start_char: int | None, index_from: int) -> list[list[int]]:
    """Each sequence's word indexes plus `index_from`, after `start_char` when it is not None (Keras's rule)."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in seq] for seq in sequences]
    if index_from:
        return [[w + index_from for w in seq] for seq in sequences]
    return [list(seq) for seq in sequences]


def without_long(maxlen: int | None, sequences: list, labels: Any) -> tuple[list, list]:
    """Drops the sequences of `maxlen` items or more (as Keras's `remove_long_seq`: it keeps `len < maxlen`)."""
    if not maxlen:
        return sequences, list(labels)
    kept = [(seq, label) for seq, label in zip(sequences, labels) if len(seq) < maxlen]
    return [seq for seq, _ in kept], [label for _, label in kept]


def encode(sequences: list[list[int]], num_words: int | None, skip_top: int, oov_char: int | None) -> list[list[int]]:
    """Word indexes outside `[skip_top, num_words)` become `oov_char`, or are dropped when it is None."""
    if not num_words:
        num_words = max(max(seq) for seq in sequences if seq)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in seq] for seq in sequences]
    return [[w for w in seq if skip_top <= w < num_words] for seq in sequences]


def as_object_array(sequences: list[list[int]]) -> np.ndarray:
    """A 1-D NumPy array of dtype object holding the lists (never a 2-D array, even when lengths agree)."""
    array = np.empty(len(sequences), dtype=object)
    array[:] = sequences
    return array


def check_options(owner: str, num_words: Any, skip_top: Any, maxlen: Any, start_char: Any, oov_char: Any,
                  index_from: Any) -> None:
    for name, value, allow_none in (("num_words", num_words, True), ("skip_top", skip_top, False),
                                    ("maxlen", maxlen, True), ("start_char", start_char, True),
                                    ("oov_char", oov_char, True), ("index_from", index_from, False)):
        if value is None and allow_none:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            accepted = "None or an int >= 0" if allow_none else "an int >= 0"
            raise ValueError(f"Argument `{name}` of {owner} must be {accepted}, received {value!r}.")


def load_word_index(path: Any, origin: str, file_hash: str) -> dict[str, int]:
    """A JSON word index from Keras's cache (or a path): `{word: index}`."""
    with open(cached_file(path, origin, file_hash), encoding="utf-8") as f:
        return json.load(f)
