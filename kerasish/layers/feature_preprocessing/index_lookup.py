"""IndexLookup: the vocabulary machinery StringLookup, IntegerLookup and TextVectorization share (Keras's).

A vocabulary maps tokens to indices after the reserved ones: with `mask_token` set (and `output_mode="int"`)
index 0 is the mask, then `num_oov_indices` out-of-vocabulary indices, then the tokens. `adapt` counts tokens
(and, for "tf_idf", the documents each appears in) and keeps the most frequent, ties broken by the larger
token, as Keras does; `get_vocabulary`, `set_vocabulary`, vocabulary files and the configs follow Keras.

Unlike Keras, whose adapted vocabulary lives in the model's assets, `get_config()` always carries the current
vocabulary (and idf weights), so a kerasish model file, which stores no assets, restores it; a layer rebuilt
from such a config holds a fixed vocabulary (it cannot be adapted again).
"""

from __future__ import annotations

import collections
import os
from typing import Any

import jax.numpy as jnp
import numpy as np

import kerasish.layers.checks as checks
import kerasish.layers.feature_preprocessing.hashes as hashes
from kerasish.layers.base import Layer
from kerasish.layers.feature_preprocessing.encoding import encode, encoded_shape
from kerasish.layers.feature_preprocessing.host import (
    adapt_batches,
    as_text_array,
    host_call,
    is_traced,
    prepare_call,
)
from kerasish.shapes import Shape

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
IGNORED = -1  # the index of a masked token in the encoded modes: it adds nothing to the encoding
_INT32 = np.iinfo(np.int32)


class IndexLookup(Layer):
    """Maps tokens to integer indices through a vocabulary (base of StringLookup and IntegerLookup).

    Args:
      max_tokens: the largest vocabulary size, reserved indices included (None: unbounded).
      num_oov_indices: how many indices out-of-vocabulary tokens share (hashed among them when > 1).
      mask_token: a token meaning "padding": index 0 in "int" mode, nothing in the encoded modes.
      oov_token: what `invert=True` and `get_vocabulary` give for an out-of-vocabulary index.
      vocabulary_dtype: "string" or "int64".
      vocabulary: the tokens (a list or array, optionally starting with the reserved tokens), or the path of a
        text file with one token per line.
      idf_weights: with `output_mode="tf_idf"` and a `vocabulary`, the inverse document frequency of each token.
      invert: map indices back to tokens (output_mode "int" only).
      output_mode: "int", "one_hot", "multi_hot", "count" or "tf_idf" ("binary" and "tf-idf" are aliases).
      sparse: must be False (JAX arrays are dense).
      pad_to_max_tokens: encode to `max_tokens` entries even when the vocabulary is smaller.
      oov_method: "floormod" (integer tokens: `token % num_oov_indices`) or "farmhash".
      salt: hash out-of-vocabulary tokens with SipHash under this key (an int or a pair).
    """

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any, oov_token: Any,
                 vocabulary_dtype: str, vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", sparse: bool = False, pad_to_max_tokens: bool = False,
                 oov_method: str = "floormod", name: str | None = None, salt: Any = None, **kwargs: Any) -> None:
        cls = type(self).__name__
        if max_tokens is not None and (not checks.is_int(max_tokens) or max_tokens <= 1):
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if not checks.is_int(num_oov_indices) or num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"Unknown value for `oov_method` of {cls}. Allowed values are ['floormod', 'farmhash']. "
                             f"Received: oov_method={oov_method!r}")
        if salt is not None:
            if vocabulary_dtype != "string" and oov_method != "farmhash":
                raise ValueError(f"`salt` can only be used when `oov_method='farmhash'`. Received: "
                                 f"oov_method={oov_method}")
            if isinstance(salt, (tuple, list)) and len(salt) == 2 and all(checks.is_int(s) for s in salt):
                salt = [int(s) for s in salt]
            elif checks.is_int(salt):
                salt = [int(salt), int(salt)]
            else:
                raise ValueError(f"The `salt` argument for `IndexLookup` can only be a tuple of 2 integers, or a "
                                 f"single integer. Received: salt={salt}.")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"Unknown value for `output_mode` of {cls}. Allowed values are {list(OUTPUT_MODES)}. "
                             f"Received: output_mode={output_mode!r}")
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if checks.boolean(sparse, "sparse", cls) and output_mode == "int":
            raise ValueError(f"`sparse` may only be true if `output_mode` is `'one_hot'`, `'multi_hot'`, `'count'` or "
                             f"`'tf_idf'`. Received: sparse={sparse} and output_mode={output_mode}")
        if sparse:
            raise ValueError(f"Argument `sparse=True` of {cls} needs sparse tensors (TensorFlow); JAX arrays are "
                             f"dense: use sparse=False.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                             f"idf_weights={idf_weights} and output_mode={output_mode}")
        frozen_size = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword argument(s) of {cls}: {kwargs}")
        super().__init__(name=name)
        self.invert = checks.boolean(invert, "invert", cls)
        self.max_tokens = max_tokens
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = checks.boolean(pad_to_max_tokens, "pad_to_max_tokens", cls)
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self._frozen_vocab_size = frozen_size
        self.input_vocabulary = None if isinstance(vocabulary, (str, os.PathLike)) else _listify(vocabulary)
        self.input_idf_weights = _listify(idf_weights)
        self._has_input_vocabulary = has_input_vocabulary
        self._tokens: list | None = None  # the vocabulary, reserved tokens excluded
        self._index: dict = {}
        self._idf: tuple[float, ...] | None = None  # a tuple: NNX keeps plain values of a layer as static
        if output_mode == "tf_idf" and has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` "
                             "argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.reset_state()
        self.built = True

    def __call__(self, x, *args: Any, **kwargs: Any):
        return super().__call__(prepare_call(self, x), *args, **kwargs)

    # -- tokens --------------------------------------------------------------------------------

    @property
    def _is_string(self) -> bool:
        return self.vocabulary_dtype == "string"

    def _token(self, value: Any) -> Any:
        """A token in its canonical Python form: `str` for strings, `int` for integers."""
        if self._is_string:
            return value.decode(getattr(self, "encoding", "utf-8")) if isinstance(value, bytes) else str(value)
        return int(value)

    def _tokens_of(self, values: Any) -> np.ndarray:
        """A host array of tokens: an object array of `str`, or an int64 array."""
        if self._is_string:
            return as_text_array(values, getattr(self, "encoding", "utf-8"))
        array = np.asarray(values)
        if array.dtype.kind not in "iuf":
            raise TypeError(f"Layer '{self.name}' looks up integers, received values of dtype {array.dtype}.")
        return array.astype(np.int64)

    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The number of indices: reserved ones plus the tokens."""
        return len(self._tokens or ()) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary in index order: mask (in "int" mode), OOV tokens, then the tokens."""
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens or ())
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index():]
        return vocab

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Sets the vocabulary (and, for "tf_idf", the idf weights), as Keras's `set_vocabulary`.

        Args:
          vocabulary: a list / array of tokens, which may start with the reserved tokens (mask, OOV) in
            their order, or the path of a text file with one token per line (every line a token).
          idf_weights: one inverse document frequency per entry of `vocabulary` ("tf_idf" only).

        Raises:
          ValueError: for an empty vocabulary, repeated tokens, a reserved token elsewhere than at the start,
            more than `max_tokens` entries, a missing file, or idf weights that do not fit.
        """
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                             f"output_mode={self.output_mode} and idf_weights={idf_weights}")
        if isinstance(vocabulary, (str, os.PathLike)):
            path = os.fspath(vocabulary)
            if not os.path.exists(path):
                raise ValueError(f"Vocabulary file {path} does not exist.")
            if self.output_mode == "tf_idf":
                raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary from file.")
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
            while lines and lines[-1] == "":
                lines.pop()
            self._set_tokens([self._token(line) for line in lines])
            self._record_vocabulary_size()
            return
        values = [self._token(v) for v in np.asarray(vocabulary, dtype=object).reshape(-1).tolist()]
        if not values:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        token_start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        found_special = values[:token_start] == special
        tokens = values[token_start:] if found_special else values
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are: {repeated}")
        if self.mask_token is not None and self.mask_token in tokens:
            where = len(values) - 1 - values[::-1].index(self.mask_token)
            raise ValueError(f"Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                             f"`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask "
                             f"and OOV tokens, or include them only at the start of the vocabulary in precisely this "
                             f"order: {special}. Received: mask_token={self.mask_token} at vocabulary index {where}")
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            where = len(values) - 1 - values[::-1].index(self.oov_token)
            raise ValueError(f"Found reserved OOV token at unexpected location in `vocabulary`. Note that passed "
                             f"`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask "
                             f"and OOV tokens, or include them only at the start of the vocabulary in precisely this "
                             f"order: {special}. Received: oov_token={self.oov_token} at vocabulary index {where}")
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
                             f"size is {token_start + len(tokens)}; `max_tokens` is {self.max_tokens}.")
        self._set_tokens(tokens)
        self._record_vocabulary_size()
        if self.output_mode == "tf_idf":
            self._set_idf_weights(values, idf_weights, found_special)

    def _set_idf_weights(self, values: list, idf_weights: Any, found_special: bool) -> None:
        weights = np.asarray(idf_weights, dtype=np.float64)
        if len(values) != len(weights):
            raise ValueError(f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                             f"{len(weights)}; len(vocabulary) is {len(values)}")
        if weights.ndim != 1:
            raise ValueError(f"TF-IDF data must be a 1-index array. Received: type(idf_weights)={type(idf_weights)}")
        front = 0 if found_special else self._token_start_index()
        front_value = 0.0 if found_special else float(np.average(weights))
        back = self.max_tokens - front - len(weights) if self.pad_to_max_tokens and self.max_tokens else 0
        self._idf = tuple(np.pad(weights, (front, back), "constant",
                                 constant_values=(front_value, 0.0)).astype(np.float32).tolist())

    @property
    def idf_weights(self) -> np.ndarray | None:
        """The inverse document frequency of every index ("tf_idf" mode), float32, or None."""
        return None if self._idf is None else np.asarray(self._idf, np.float32)

    def _set_tokens(self, tokens: list) -> None:
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {token: start + i for i, token in enumerate(self._tokens)}

    def _record_vocabulary_size(self) -> None:
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            size = self.vocabulary_size()
            if self._frozen_vocab_size is not None and size != self._frozen_vocab_size:
                raise RuntimeError(f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, the "
                                   f"vocabulary size cannot be changed after the layer is called. Old vocab size is "
                                   f"{self._frozen_vocab_size}, new vocab size is {size}")
        self._frozen_vocab_size = self.vocabulary_size()

    # -- adapt ---------------------------------------------------------------------------------

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learns the vocabulary from `data`: an array or list of tokens (each element of a 1-D input is one
        document), or an iterable of batches (at most `steps` of them).

        Raises:
          ValueError: if the layer was given a vocabulary.
        """
        self.reset_state()
        for batch in adapt_batches(data, batch_size, steps, f"{type(self).__name__}.adapt"):
            if isinstance(data, (np.ndarray, list, tuple, str, bytes)) or hasattr(data, "shape"):
                batch = np.asarray(batch, dtype=object if self._is_string else None)
                if batch.ndim == 1:
                    batch = batch[:, None]
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        """Counts the tokens of one batch (rows are documents; a 1-D batch is one document)."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             f"argument or `set_vocabulary()` method.")
        if isinstance(data, list) and data and all(isinstance(r, (list, np.ndarray)) for r in data):
            rows = [list(self._tokens_of(r).reshape(-1)) for r in data]  # ragged rows
        else:
            array = self._tokens_of(data)
            if array.ndim <= 1:
                array = array.reshape(1, -1)
            rows = [list(r.reshape(-1)) for r in array]
        self._count_rows([[self._token(t) for t in row] for row in rows])

    def _count_rows(self, rows: list[list]) -> None:
        for row in rows:
            self._token_counts.update(row)
        if self.output_mode == "tf_idf":
            for row in rows:
                self._document_counts.update(set(row))
            self._num_documents += len(rows)

    def finalize_state(self) -> None:
        """Keeps the most frequent tokens (ties: the larger token first) as the vocabulary."""
        if self._has_input_vocabulary or not self._token_counts:
            self._record_vocabulary_size()
            return
        counts = dict(self._token_counts)
        counts.pop(self.mask_token, None)
        counts.pop(self.oov_token, None)
        ordered = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            ordered = ordered[:self.max_tokens - self._token_start_index()]
        self._set_tokens(ordered)
        if self.output_mode == "tf_idf":
            document_counts = np.asarray([self._document_counts[t] for t in ordered], np.float64)
            idf = np.log(1 + self._num_documents / (1 + document_counts)).astype(np.float32)
            idf = np.pad(idf, (self._token_start_index(), 0), constant_values=np.mean(idf) if idf.size else 0.0)
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self._idf = tuple(idf.astype(np.float32).tolist())
        self.reset_state()
        self._record_vocabulary_size()

    def reset_state(self) -> None:
        self._token_counts: collections.Counter = collections.Counter()
        self._document_counts: collections.Counter = collections.Counter()
        self._num_documents = 0

    # -- lookups -------------------------------------------------------------------------------

    def _oov_buckets(self, values: np.ndarray) -> np.ndarray:
        """The OOV index of each value when `num_oov_indices > 1`: hashed strings, `value % n` for integers
        (or hashed with `oov_method="farmhash"`)."""
        if not self._is_string and self.oov_method != "farmhash":
            return np.mod(values, self.num_oov_indices)
        salt = tuple(self.salt) if self.salt is not None else None
        return hashes.hash_buckets(values, self.num_oov_indices, salt)

    def lookup_on_host(self, values: np.ndarray) -> np.ndarray:
        """Token -> index for a host array (int64 result; masked tokens give the mask index)."""
        default = self._oov_start_index() if self.num_oov_indices == 1 else -1
        unique, inverse = np.unique(values.reshape(-1), return_inverse=True)
        found = np.asarray([self._index.get(self._token(v), default) for v in unique.tolist()], np.int64)
        lookups = found[inverse].reshape(values.shape)
        is_mask = (values == self.mask_token) if self.mask_token is not None else np.zeros(values.shape, bool)
        lookups = np.where(is_mask, 0 if self.output_mode == "int" else IGNORED, lookups)
        missing = (lookups == -1) & ~is_mask
        if self.num_oov_indices == 0 and missing.any():
            raise ValueError(f"When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                             f"{sorted(set(values[missing].tolist()))[:10]}, consider setting `num_oov_indices=1`.")
        if self.num_oov_indices > 1 and missing.any():
            lookups = np.where(missing, self._oov_buckets(values) + self._oov_start_index(), lookups)
        return lookups

    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        """The vocabulary as sorted int32 keys and their indices (values outside int32 cannot occur traced)."""
        items = sorted((t, i) for t, i in self._index.items() if _INT32.min <= t <= _INT32.max)
        keys = np.asarray([t for t, _ in items], np.int32)
        return keys, np.asarray([i for _, i in items], np.int32)

    def _lookup_traced(self, x):
        x = x.astype(jnp.int32)
        default = self._oov_start_index() if self.num_oov_indices == 1 else -1
        keys, indices = self._table()
        if keys.size:
            position = jnp.clip(jnp.searchsorted(jnp.asarray(keys), x), 0, keys.size - 1)
            out = jnp.where(jnp.asarray(keys)[position] == x, jnp.asarray(indices)[position], default)
        else:
            out = jnp.full(x.shape, default, jnp.int32)
        is_mask = jnp.zeros(x.shape, bool) if self.mask_token is None else x == self.mask_token
        out = jnp.where(is_mask, 0 if self.output_mode == "int" else IGNORED, out)
        if self.num_oov_indices > 1:
            if self.oov_method == "farmhash":
                buckets = host_call(lambda v: self._oov_buckets(v.astype(np.int64)).astype(np.int32), x, np.int32)
            else:
                buckets = jnp.mod(x, self.num_oov_indices)
            out = jnp.where((out == -1) & ~is_mask, buckets + self._oov_start_index(), out)
        return out.astype(jnp.int32)

    def _invert_traced(self, indices):
        indices = indices.astype(jnp.int32)
        tokens = np.asarray(self._tokens or [self.oov_token], np.int64).clip(_INT32.min, _INT32.max).astype(np.int32)
        position = indices - self._token_start_index()
        valid = (position >= 0) & (position < len(self._tokens or ()))
        out = jnp.where(valid, jnp.asarray(tokens)[jnp.clip(position, 0, tokens.size - 1)], self.oov_token)
        if self.mask_token is not None:
            out = jnp.where(indices == 0, self.mask_token, out)
        return out.astype(jnp.int32)

    def _invert_host(self, indices: np.ndarray) -> np.ndarray:
        """Index -> token for a host array of indices."""
        start, tokens = self._token_start_index(), self._tokens or []
        out = np.empty(indices.shape, dtype=object)
        for position, i in np.ndenumerate(indices):
            if start <= i < start + len(tokens):
                out[position] = tokens[i - start]
            elif self.mask_token is not None and i == 0:
                out[position] = self.mask_token
            else:
                out[position] = self.oov_token
        return out

    def call(self, inputs):
        """Tokens to indices (or encodings); with `invert`, indices to tokens. Strings and concrete inputs are
        looked up on the host; traced integers (inside a compiled step) through a sorted `jnp` table."""
        traced = is_traced(inputs)
        if traced and self._is_string:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) looks up strings on the host: call it on "
                             f"NumPy data before the model (strings cannot be JAX arrays inside a compiled step).")
        if self.invert:
            if traced:
                return self._invert_traced(inputs)
            tokens = self._invert_host(np.asarray(inputs).astype(np.int64))
            return tokens.astype(str) if self._is_string else jnp.asarray(tokens.astype(np.int64).astype(np.int32))
        if traced:
            lookups = self._lookup_traced(inputs)
        else:
            values = self._tokens_of(inputs)
            scalar = values.ndim == 0
            found = self.lookup_on_host(values.reshape(1) if scalar else values).astype(np.int32)
            lookups = jnp.asarray(found[0] if scalar and self.output_mode == "int" else found)
        if self.output_mode == "int":
            return lookups
        return self.encode_lookups(lookups)

    def encode_lookups(self, lookups):
        """The encoded modes: `lookups` (indices, masked ones IGNORED) to vectors of the vocabulary's size."""
        if not self.pad_to_max_tokens and self._frozen_vocab_size is None:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, you must "
                               f"set the layer's vocabulary before calling it. Either pass a `vocabulary` argument to "
                               f"the layer, or call `adapt` with some sample data.")
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        if self.output_mode != "tf_idf":
            return encode(lookups, self.output_mode, depth, self.compute_dtype)
        if self.idf_weights is None:
            raise ValueError("When `output_mode` is `'tf_idf'`, `idf_weights` must be provided.")
        counts = encode(lookups, "count", depth, self.compute_dtype)
        return counts * jnp.asarray(self.idf_weights, self.compute_dtype)

    def _depth(self) -> int | None:
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(input_shape, "count" if self.output_mode == "tf_idf" else self.output_mode,
                             self._depth())

    def check_input_shape(self, shape: Shape) -> None:
        """Any shape."""

    def rows_independent(self, training: bool) -> bool:
        one_sample = self.output_mode in ("multi_hot", "count", "tf_idf") and self.input_shape is not None and len(
            self.input_shape) == 1
        return super().rows_independent(training) and not one_sample

    def save_assets(self, dir_path: str) -> None:
        """Writes the vocabulary (reserved tokens included) to `dir_path/vocabulary.txt`, one token a line, as
        Keras saves an adapted vocabulary (nothing when the vocabulary was given as an argument)."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path: str) -> None:
        """Reads the vocabulary `save_assets` wrote (trailing empty lines ignored)."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = [str(line) for line in lines] if self._is_string else [int(line) for line in lines]
        if self.output_mode == "tf_idf":
            self.set_vocabulary(values, idf_weights=self.idf_weights)
        else:
            self.set_vocabulary(values)

    def get_config(self) -> dict[str, Any]:
        vocabulary = self.input_vocabulary
        idf_weights = self.input_idf_weights
        if vocabulary is None and self._tokens is not None:  # adapted, or read from a file: kept in the config
            vocabulary = list(self._tokens)
            if self.output_mode == "tf_idf" and self.idf_weights is not None:
                start = self._token_start_index()
                idf_weights = self.idf_weights[start:start + len(self._tokens)].tolist()
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token, "mask_token": self.mask_token,
                "output_mode": self.output_mode, "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self.vocabulary_dtype, "idf_weights": idf_weights, "vocabulary": vocabulary,
                "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method, "salt": self.salt}


def _listify(value: Any) -> Any:
    """A vocabulary or weights as a JSON-ready list (bytes decoded as UTF-8)."""
    if value is None or isinstance(value, (str, os.PathLike)):
        return value
    values = np.asarray(value, dtype=object).tolist()
    return [v.decode("utf-8") if isinstance(v, bytes) else v for v in values] if isinstance(values, list) else values
