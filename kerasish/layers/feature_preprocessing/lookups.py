"""StringLookup and IntegerLookup: tokens to vocabulary indices (and back with `invert=True`), Keras's layers.

StringLookup runs on the host (strings cannot be JAX arrays): NumPy string / bytes / object arrays or lists in,
JAX int arrays (or encodings) out; use it before the model, or on the data given to `fit`. IntegerLookup also
runs inside a model's compiled step: its vocabulary becomes a sorted table searched with `jnp.searchsorted`.
"""

from __future__ import annotations

from typing import Any

import kerasish.layers.checks as checks
from kerasish import registry
from kerasish.layers.feature_preprocessing.index_lookup import IndexLookup


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
