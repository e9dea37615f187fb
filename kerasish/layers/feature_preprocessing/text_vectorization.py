"""TextVectorization: strings to token indices or bag-of-words vectors, Keras's layer on the host.

The text pipeline is TensorFlow's, as Keras runs it: standardize (ASCII lower-casing, the punctuation
`[!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~']` removed), split (ASCII whitespace, or Unicode characters), n-grams
joined by spaces, then a `StringLookup` with mask "" and OOV "[UNK]". It runs with NumPy on the host: call it
on strings before the model (`vectorizer(np.array(["a b", "c"]))`) or on the data given to `fit`.
"""

from __future__ import annotations

import re
from typing import Any

import jax.numpy as jnp
import numpy as np

import kerasish.layers.checks as checks
from kerasish import registry
from kerasish.layers.base import Layer
from kerasish.layers.feature_preprocessing.host import adapt_batches, as_text_array, is_traced, prepare_call
from kerasish.layers.feature_preprocessing.index_lookup import IGNORED
from kerasish.layers.feature_preprocessing.lookups import StringLookup
from kerasish.shapes import Shape

STANDARDIZERS = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLITTERS = ("whitespace", "character")
PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def lower_ascii(text: str) -> str:
    """`tf.strings.lower` without an encoding: A-Z only; other letters are kept as they are."""
    return text.translate(_ASCII_LOWER)


def strip_punctuation(text: str) -> str:
    return PUNCTUATION.sub("", text)


def split_whitespace(text: str) -> list[str]:
    """`tf.strings.split`: runs of ASCII whitespace separate tokens; empty tokens are dropped."""
    return [t for t in WHITESPACE.split(text) if t]


def ngrams(tokens: list[str], widths: tuple[int, ...]) -> list[str]:
    """`tf.strings.ngrams(tokens, widths, separator=" ")`: every n-gram of each width in turn."""
    out: list[str] = []
    for n in widths:
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def _check_choice(value: Any, allowed: tuple[str, ...], argument: str) -> Any:
    if value is None or callable(value) or value in allowed:
        return value
    raise ValueError(f"Unknown value for `{argument}` of TextVectorization. Allowed values are {list(allowed)}, None "
                     f"or a callable. Received: {argument}={value!r}")


class TextVectorization(Layer):
    """Turns strings into sequences of token indices ("int") or vectors over the vocabulary.

    Args:
      max_tokens: the largest vocabulary size, the mask "" and OOV "[UNK]" included.
      standardize: "lower_and_strip_punctuation" (default), "lower", "strip_punctuation", None, or a callable
        taking a NumPy array of `str` and returning one (as Keras calls it on non-TensorFlow backends).
      split: "whitespace" (default), "character", None (each string is one token), or a callable taking a 1-D
        NumPy array of `str` and returning a list of token lists.
      ngrams: None, an int `n` (all n-grams up to `n`), or a tuple of widths.
      output_mode: "int" (default), "multi_hot", "count", "tf_idf" or "one_hot" ("binary", "tf-idf" aliases).
      output_sequence_length: "int" mode: pad or truncate every sequence to this length (default: the batch's
        longest).
      pad_to_max_tokens: encode to `max_tokens` entries.
      vocabulary: a list of tokens, or the path of a text file with one token per line.
      idf_weights: with "tf_idf" and a `vocabulary`, the inverse document frequencies.
      sparse, ragged: must be False (dense JAX arrays; Keras allows True on TensorFlow only).
      encoding: the encoding of bytes inputs (default "utf-8").
      name: the layer's name.

    Input shape: `(batch,)` or `(batch, 1)` strings (a list works). Output shape: `(batch,
    output_sequence_length)` int32 for "int"; `(batch, vocabulary size)` float32 otherwise.

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> vectorizer = ks.layers.TextVectorization(output_sequence_length=4)
      >>> vectorizer.adapt(["the cat sat", "the dog"])
      >>> vectorizer.get_vocabulary()
      ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
      >>> vectorizer(np.array(["The cat ran!", "dog"])).tolist()
      [[2, 5, 1, 0], [4, 0, 0, 0]]
    """

    def __init__(self, max_tokens: int | None = None, standardize: Any = "lower_and_strip_punctuation",
                 split: Any = "whitespace", ngrams: Any = None, output_mode: str = "int",
                 output_sequence_length: int | None = None, pad_to_max_tokens: bool = False, vocabulary: Any = None,
                 idf_weights: Any = None, sparse: bool = False, ragged: bool = False, encoding: str = "utf-8",
                 name: str | None = None, **kwargs: Any) -> None:
        if checks.boolean(sparse, "sparse", "TextVectorization"):
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        if checks.boolean(ragged, "ragged", "TextVectorization"):
            raise ValueError("`ragged=True` can only be used with the TensorFlow backend.")
        self._standardize = _check_choice(standardize, STANDARDIZERS, "standardize")
        self._split = _check_choice(split, SPLITTERS, "split")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in ("int", "one_hot", "multi_hot", "count", "tf_idf"):
            raise ValueError(f"Unknown value for `output_mode` of TextVectorization. Allowed values are ['int', "
                             f"'one_hot', 'multi_hot', 'count', 'tf_idf']. Received: output_mode={output_mode!r}")
        if not (ngrams is None or checks.is_int(ngrams) or (
                isinstance(ngrams, (tuple, list)) and all(checks.is_int(n) for n in ngrams))):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        if output_mode == "int" and not (output_sequence_length is None or checks.is_int(output_sequence_length)):
            raise ValueError(f"`output_sequence_length` must be either None or an integer when `output_mode` is 'int'. "
                             f"Received: output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is not 'int'. Received "
                             f"output_sequence_length={output_sequence_length}.")
        self._ngrams_arg = tuple(ngrams) if isinstance(ngrams, list) else ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if checks.is_int(ngrams) else self._ngrams_arg
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._lookup_layer = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                                          pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
                                          has_input_vocabulary=has_input_vocabulary, encoding=encoding,
                                          vocabulary_size=vocabulary_size)
        self.built = True

    def __call__(self, x, *args: Any, **kwargs: Any):
        return super().__call__(prepare_call(self, x), *args, **kwargs)

    # -- the text pipeline -----------------------------------------------------------------------

    def _standardized(self, texts: np.ndarray) -> np.ndarray:
        if callable(self._standardize):
            result = np.asarray(self._standardize(texts.astype(str)))
            return as_text_array(result, self._encoding)
        standardize = self._standardize
        if standardize is None:
            return texts
        lower = standardize in ("lower", "lower_and_strip_punctuation")
        strip = standardize in ("strip_punctuation", "lower_and_strip_punctuation")

        def one(text: str) -> str:
            text = lower_ascii(text) if lower else text
            return strip_punctuation(text) if strip else text

        return np.vectorize(one, otypes=[object])(texts) if texts.size else texts

    def _preprocess(self, inputs: Any) -> Any:
        """Strings -> a list of token lists (with `split`), or an array of tokens (without)."""
        texts = self._standardized(as_text_array(inputs, self._encoding))
        if self._split is None:
            tokens = texts
            if self._ngrams is not None:
                rows = [list(r) for r in (texts if texts.ndim > 1 else texts[:, None])]
                return [ngrams(row, self._ngrams) for row in rows]
            return tokens
        if texts.ndim > 1:
            if texts.shape[-1] != 1:
                raise ValueError(f"When using `TextVectorization` to tokenize strings, the input rank must be 1 or the "
                                 f"last shape dimension must be 1. Received: inputs.shape={texts.shape} with "
                                 f"rank={texts.ndim}")
            texts = texts[..., 0]
        texts = texts.reshape(-1) if texts.ndim else texts.reshape(1)
        if self._split == "whitespace":
            rows = [split_whitespace(t) for t in texts.tolist()]
        elif self._split == "character":
            rows = [list(t) for t in texts.tolist()]
        else:
            rows = [[str(token) for token in np.asarray(row, dtype=object).reshape(-1).tolist()]
                    for row in self._split(texts.astype(str))]
        if self._ngrams is not None:
            rows = [ngrams(row, self._ngrams) for row in rows]
        return rows

    # -- adapt and vocabulary --------------------------------------------------------------------

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learns the vocabulary (and idf weights) from `data`: an array or list of strings, or an iterable of
        batches of strings (at most `steps` of them).

        Example:
          >>> layer = TextVectorization()
          >>> layer.adapt(["b a", "b"])
          >>> layer.get_vocabulary()
          ['', '[UNK]', 'b', 'a']
        """
        self.reset_state()
        for batch in adapt_batches(data, batch_size, steps, "TextVectorization.adapt"):
            batch = as_text_array(batch, self._encoding)
            if batch.ndim == 0 or (batch.ndim == 1 and not isinstance(data, (np.ndarray, list, tuple, str, bytes))):
                batch = batch.reshape(1, -1) if self._split is None else batch.reshape(-1)
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        tokens = self._preprocess(data)
        if isinstance(tokens, np.ndarray):
            tokens = tokens.reshape(tokens.shape[0], -1) if tokens.ndim > 1 else tokens.reshape(-1, 1)
            tokens = [list(row) for row in tokens]
        self._lookup_layer.update_state(tokens)

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # -- call ----------------------------------------------------------------------------------

    def call(self, inputs):
        if is_traced(inputs):
            raise ValueError(f"Layer '{self.name}' (TextVectorization) runs on the host: call it on NumPy strings "
                             f"before the model (strings cannot be JAX arrays inside a compiled step).")
        tokens = self._preprocess(inputs)
        lookup = self._lookup_layer
        if isinstance(tokens, np.ndarray):  # no split: each string is a token
            if self._output_mode != "int":
                return lookup(tokens[:, None] if tokens.ndim == 1 else tokens)
            out = lookup(tokens)
            if self._output_sequence_length is not None:
                out = self._fit_length(np.asarray(out), self._output_sequence_length)
            return jnp.asarray(out)
        length = max((len(row) for row in tokens), default=0)
        if self._output_mode == "int" and self._output_sequence_length is not None:
            length = self._output_sequence_length
        flat = np.asarray([t for row in tokens for t in row[:length]], dtype=object)
        indices = np.asarray(lookup.lookup_on_host(flat), np.int64) if flat.size else np.zeros(0, np.int64)
        fill = 0 if self._output_mode == "int" else IGNORED
        dense = np.full((len(tokens), length), fill, np.int64)
        offset = 0
        for i, row in enumerate(tokens):
            n = min(len(row), length)
            dense[i, :n] = indices[offset:offset + n]
            offset += n
        if self._output_mode == "int":
            return jnp.asarray(dense.astype(np.int32))
        return lookup.encode_lookups(jnp.asarray(dense.astype(np.int32)))

    @staticmethod
    def _fit_length(values: np.ndarray, length: int) -> np.ndarray:
        values = values[..., :length]
        pad = [(0, 0)] * (values.ndim - 1) + [(0, length - values.shape[-1])]
        return np.pad(values, pad)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        if self._split is None:
            if len(input_shape) <= 1:
                input_shape = tuple(input_shape) + (1,)
        else:
            input_shape = tuple(input_shape) + (None,)
        return self._lookup_layer.compute_output_shape(input_shape)

    def check_input_shape(self, shape: Shape) -> None:
        """Any shape (checked when the strings are split)."""

    def get_config(self) -> dict[str, Any]:
        lookup_config = self._lookup_layer.get_config()
        serialize = lambda f: f if f is None or isinstance(f, str) else registry.get_registered_name(f)
        return {**super().get_config(), "max_tokens": self._lookup_layer.max_tokens,
                "standardize": serialize(self._standardize), "split": serialize(self._split),
                "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": self._lookup_layer.pad_to_max_tokens, "sparse": False, "ragged": False,
                "vocabulary": lookup_config["vocabulary"], "idf_weights": lookup_config["idf_weights"],
                "encoding": self._encoding, "vocabulary_size": self.vocabulary_size()}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TextVectorization:
        config = dict(config)
        for key in ("standardize", "split"):
            value = config.get(key)
            if isinstance(value, str) and value not in (STANDARDIZERS if key == "standardize" else SPLITTERS):
                config[key] = registry.lookup("functions", value, what=f"TextVectorization's `{key}`")
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)


registry.register_builtin("layers", TextVectorization)
