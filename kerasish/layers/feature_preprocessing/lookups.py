"""StringLookup and IntegerLookup: tokens to vocabulary indices (and back with `invert=True`), Keras's layers.

StringLookup runs on the host (strings cannot be JAX arrays): NumPy string / bytes / object arrays or lists in,
JAX int arrays (or encodings) out; use it before the model, or on the data given to `fit`. IntegerLookup also
runs inside a model's compiled step: its vocabulary becomes a sorted table searched with `jnp.searchsorted`.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from kerasish import registry
from kerasish.layers import checks
from kerasish.layers.feature_preprocessing.host import as_array, host_call, is_traced
from kerasish.layers.feature_preprocessing.index_lookup import IGNORED, IndexLookup

_INT32 = np.iinfo(np.int32)


class StringLookup(IndexLookup):
    """Maps strings to integer indices through a vocabulary, given or learned by `adapt`.

    Index 0 is the mask when `mask_token` is set (in "int" mode), the next `num_oov_indices` are for tokens
    outside the vocabulary (hashed among them with FarmHash, or SipHash with a `salt`, as Keras), then the
    vocabulary, most frequent token first after `adapt`.

    Args:
      max_tokens: the largest vocabulary size, reserved indices included (None: unbounded).
      num_oov_indices: the number of out-of-vocabulary indices (default 1; 0 makes an unknown token an error).
      mask_token: the padding token (None by default: no mask).
      oov_token: the token `invert=True` gives for OOV indices (default "[UNK]").
      vocabulary: a list / array of strings, or the path of a text file with one token per line.
      idf_weights: the inverse document frequencies, with `output_mode="tf_idf"` and a `vocabulary`.
      invert: map indices back to strings.
      output_mode: "int" (default), "one_hot", "multi_hot", "count" or "tf_idf".
      pad_to_max_tokens: encode to `max_tokens` entries.
      sparse: must be False (JAX arrays are dense).
      encoding: the text encoding of bytes inputs (default "utf-8").
      name: the layer's name.
      salt: hash OOV tokens with SipHash-2-4 under this key (an int or a pair of ints).

    Input shape: strings of any shape (ints with `invert=True`). Output shape: the input shape ("int": int32
    JAX array; `invert=True`: a NumPy array of `str`), or `CategoryEncoding`'s for the other modes (float32).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> layer = ks.layers.StringLookup(vocabulary=["a", "b", "c", "d"])
      >>> layer(np.array([["a", "c", "d"], ["d", "z", "b"]])).tolist()
      [[1, 3, 4], [4, 0, 2]]
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: str | None = None,
                 oov_token: str = "[UNK]", vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False, sparse: bool = False,
                 encoding: str = "utf-8", name: str | None = None, salt: Any = None, **kwargs: Any) -> None:
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def __call__(self, x, *args: Any, **kwargs: Any):
        return super().__call__(as_array(x), *args, **kwargs)

    def call(self, inputs):
        if is_traced(inputs):
            raise ValueError(f"Layer '{self.name}' (StringLookup) runs on the host: call it on NumPy data before the "
                             f"model (strings cannot be JAX arrays inside a compiled step).")
        if self.invert:
            tokens = self._invert_host(np.asarray(inputs).astype(np.int64))
            return tokens.astype(str)
        values = self._tokens_of(inputs)
        scalar = values.ndim == 0
        lookups = self._lookup_host(values.reshape(1) if scalar else values)
        if self.output_mode == "int":
            lookups = jnp.asarray(lookups.astype(np.int32))
            return lookups[0] if scalar else lookups
        return self._encode(jnp.asarray(lookups.astype(np.int32)))

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "encoding": self.encoding}
        del config["vocabulary_dtype"]
        return config


class IntegerLookup(IndexLookup):
    """Maps integers to contiguous indices through a vocabulary, given or learned by `adapt`.

    Same reserved indices as `StringLookup`: the mask (0, when `mask_token` is set, "int" mode), then
    `num_oov_indices` indices for unknown values (`value % num_oov_indices` among them, or hashed with
    `oov_method="farmhash"`), then the vocabulary. Runs eagerly on NumPy data and inside a model's compiled
    step.

    Args:
      max_tokens: the largest vocabulary size, reserved indices included (None: unbounded).
      num_oov_indices: the number of out-of-vocabulary indices (default 1).
      mask_token: the padding value (None by default: no mask).
      oov_token: the value `invert=True` gives for OOV indices (default -1).
      vocabulary: a list / array of ints, or the path of a text file with one integer per line.
      vocabulary_dtype: "int64" (the only one, as in Keras).
      idf_weights: the inverse document frequencies, with `output_mode="tf_idf"` and a `vocabulary`.
      invert: map indices back to values.
      output_mode: "int" (default), "one_hot", "multi_hot", "count" or "tf_idf".
      sparse: must be False (JAX arrays are dense).
      pad_to_max_tokens: encode to `max_tokens` entries.
      oov_method: "floormod" (default) or "farmhash".
      salt: with `oov_method="farmhash"`, hash with SipHash-2-4 under this key.
      name: the layer's name.

    Input shape: ints of any shape. Output shape: the input shape ("int", int32), or `CategoryEncoding`'s.
    In a compiled step an unknown value with `num_oov_indices=0` gives -1 (eagerly it is an error).

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> layer = ks.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
      >>> layer(np.array([[12, 1138, 42], [42, 1000, 36]])).tolist()
      [[1, 3, 4], [4, 0, 2]]
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: int | None = None,
                 oov_token: int = -1, vocabulary: Any = None, vocabulary_dtype: str = "int64", idf_weights: Any = None,
                 invert: bool = False, output_mode: str = "int", sparse: bool = False, pad_to_max_tokens: bool = False,
                 oov_method: str = "floormod", salt: Any = None, name: str | None = None, **kwargs: Any) -> None:
        if max_tokens is not None and (not checks.is_int(max_tokens) or max_tokens <= 1):
            raise ValueError(f"If `max_tokens` is set for `IntegerLookup`, it must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if not checks.is_int(num_oov_indices) or num_oov_indices < 0:
            raise ValueError(f"The value of `num_oov_indices` argument for `IntegerLookup` must >= 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if vocabulary_dtype != "int64":
            raise ValueError(f"Only `vocabulary_dtype='int64'` is supported at this time. Received: "
                             f"vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, vocabulary_dtype=vocabulary_dtype,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method, salt=salt, name=name, **kwargs)

    def __call__(self, x, *args: Any, **kwargs: Any):
        return super().__call__(as_array(x), *args, **kwargs)

    def call(self, inputs):
        traced = is_traced(inputs)
        if self.invert:
            if traced:
                return self._invert_traced(inputs)
            return jnp.asarray(self._invert_host(np.asarray(inputs).astype(np.int64)).astype(np.int64).astype(
                np.int32))
        if traced:
            lookups = self._lookup_traced(inputs)
        else:
            values = self._tokens_of(inputs)
            lookups = jnp.asarray(self._lookup_host(values).astype(np.int32))
        if self.output_mode == "int":
            return lookups
        return self._encode(lookups)

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

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None and not isinstance(config["vocabulary"], str):
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config


for _cls in (StringLookup, IntegerLookup):
    registry.register_builtin("layers", _cls)
