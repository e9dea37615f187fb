"""TextVectorization: Keras's documented values (Keras needs TensorFlow to run it), TensorFlow's text rules
(ASCII lower-casing, punctuation, whitespace, n-grams), output modes, adapt, configs and errors."""

import os

import numpy as np
import pytest

import kerasish as ks


def test_keras_examples():
    layer = ks.layers.TextVectorization(max_tokens=5000, output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    assert layer([["foo qux bar"], ["qux baz"]]).tolist() == [[4, 1, 3, 0], [1, 2, 0, 0]]
    fixed = ks.layers.TextVectorization(output_sequence_length=4, vocabulary=["earth", "wind", "and", "fire"])
    assert fixed.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    assert fixed.vocabulary_size() == 6


def test_tensorflow_text_rules():
    vocab = ["hello", "world", "this", "is", "nice", "test", "émile", "Émile"]
    layer = ks.layers.TextVectorization(vocabulary=vocab)
    # Keras's test_lower_and_strip_punctuation_standardization, then a tab, a newline and non-ASCII letters
    assert layer(["Hello, World!. This is just a nice test!"]).tolist() == [[2, 3, 4, 5, 1, 1, 6, 7]]
    # only A-Z are lowered (TensorFlow's default): "ÉMILE" becomes "Émile", not "émile"
    assert layer(["hello\tworld\n\nTEST", "ÉMILE émile"]).tolist() == [[2, 3, 7], [9, 8, 0]]
    chars = ks.layers.TextVectorization(split="character", vocabulary=list("abcde"))
    assert chars(["abcf", "é"]).tolist() == [[2, 3, 4, 1], [1, 0, 0, 0]]
    grams = ks.layers.TextVectorization(ngrams=(1, 3), standardize=None)
    grams.adapt(["Foo bar baz"])
    assert set(grams.get_vocabulary()) == {"", "[UNK]", "Foo", "bar", "baz", "Foo bar baz"}
    whole = ks.layers.TextVectorization(split=None, vocabulary=["foo", "bar"])
    assert whole([["foo"], ["bar"], ["foo bar"]]).tolist() == [[2], [3], [1]]


def test_output_modes_and_lengths():
    vocab = ["foo", "bar", "baz"]
    assert ks.layers.TextVectorization(vocabulary=vocab, output_sequence_length=2)(["foo bar baz", ""]).tolist() == \
        [[2, 3], [0, 0]]
    np.testing.assert_array_equal(
        ks.layers.TextVectorization(output_mode="multi_hot", vocabulary=vocab)([["foo bar"], ["baz foo foo"]]),
        [[0, 1, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_array_equal(ks.layers.TextVectorization(output_mode="count", vocabulary=vocab)(
        ["foo bar", "baz foo foo qux"]), [[0, 1, 1, 0], [1, 2, 0, 1]])
    tf_idf = ks.layers.TextVectorization(output_mode="tf_idf", vocabulary=vocab, idf_weights=[0.3, 0.5, 0.2])
    np.testing.assert_allclose(tf_idf(["foo bar", "baz foo foo"]), [[0, 0.3, 0.5, 0], [0, 0.6, 0, 0.2]], rtol=1e-6)
    padded = ks.layers.TextVectorization(output_mode="multi_hot", vocabulary=vocab, max_tokens=8,
                                         pad_to_max_tokens=True)
    assert padded(["foo"]).shape == (1, 8)
    assert padded.compute_output_shape((None,)) == (None, 8)


def test_adapt_tf_idf_from_batches_and_callables():
    layer = ks.layers.TextVectorization(output_mode="tf_idf")
    layer.adapt(iter([np.array(["a b b", "b c"]), np.array(["c c d"]), np.array(["never read"])]), steps=2)
    assert layer.get_vocabulary() == ["[UNK]", "c", "b", "d", "a"]
    documents_with = np.array([2, 2, 1, 1])  # c, b, d, a over the 3 documents read
    idf = np.log(1 + 3 / (1 + documents_with)).astype(np.float32)
    counts = np.array([[1, 1, 2, 1, 0]], np.float32)  # "zz c b b d" over [UNK], c, b, d, a
    np.testing.assert_allclose(layer(["zz c b b d"]), counts * np.r_[idf.mean(), idf], rtol=1e-6)
    seen = []

    def standardize(texts):
        seen.append(texts.dtype.kind)
        return np.char.replace(np.char.lower(texts), "-", " ")

    custom = ks.layers.TextVectorization(standardize=standardize, split=lambda texts: [t.split("|") for t in texts])
    custom.adapt(["A-B|c", "c"], batch_size=1)
    assert seen and set(seen) == {"U"}
    assert custom.get_vocabulary() == ["", "[UNK]", "c", "a b"]


def test_configs_round_trip(tmp_path):
    path = os.path.join(tmp_path, "words.txt")
    with open(path, "w") as f:
        f.write("foo\nbar\n")
    for layer in [ks.layers.TextVectorization(vocabulary=path, output_sequence_length=3, ngrams=2),
                  ks.layers.TextVectorization(output_mode="tf_idf", vocabulary=["a"], idf_weights=[0.5])]:
        config = layer.get_config()
        clone = ks.layers.TextVectorization.from_config(config)
        assert clone.get_config() == config
        assert clone.get_vocabulary() == layer.get_vocabulary()
    adapted = ks.layers.TextVectorization(output_mode="count")
    adapted.adapt(["x y y"])
    assert ks.layers.TextVectorization.from_config(adapted.get_config())(["y x z"]).tolist() == [[1, 1, 1]]


def test_errors():
    with pytest.raises(ValueError, match=r"Unknown value for `standardize` of TextVectorization. .*Received: "
                                         r"standardize='upper'"):
        ks.layers.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match=r"Unknown value for `split` of TextVectorization. .*Received: split='comma'"):
        ks.layers.TextVectorization(split="comma")
    with pytest.raises(ValueError, match=r"`ngrams` must be None, an integer, or a tuple of integers. Received: "
                                         r"ngrams=2"):
        ks.layers.TextVectorization(ngrams="2")
    with pytest.raises(ValueError, match=r"`output_sequence_length` must not be set if `output_mode` is not 'int'"):
        ks.layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match=r"`output_sequence_length` must be either None or an integer"):
        ks.layers.TextVectorization(output_sequence_length=2.5)
    with pytest.raises(ValueError, match=r"`ragged=True` can only be used with the TensorFlow backend"):
        ks.layers.TextVectorization(ragged=True)
    with pytest.raises(ValueError, match=r"`sparse=True` can only be used with the TensorFlow backend"):
        ks.layers.TextVectorization(sparse=True)
    with pytest.raises(ValueError, match=r"the input rank must be 1 or the last shape dimension must be 1. Received: "
                                         r"inputs.shape=\(1, 2\)"):
        ks.layers.TextVectorization(vocabulary=["a"])([["a", "b"]])
    with pytest.raises(TypeError, match=r"Expected strings \(or bytes\), received an element 3 of type int"):
        ks.layers.TextVectorization(vocabulary=["a"])([3])
    with pytest.raises(ValueError, match=r"TextVectorization\.adapt expects a NumPy array, a list of values or an "
                                         r"iterable of batches, received int"):
        ks.layers.TextVectorization().adapt(3)
    with pytest.raises(ValueError,
                       match=r"Argument `batch_size` must be a positive integer, received 0 \(layer TextVectorization"):
        ks.layers.TextVectorization().adapt(["a"], batch_size=0)
