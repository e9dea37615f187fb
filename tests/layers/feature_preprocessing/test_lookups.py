"""StringLookup and IntegerLookup: the values of Keras's own docstring examples (Keras needs TensorFlow to run
them), adapt's ordering, vocabulary files and configs, IntegerLookup inside compiled steps, and the errors."""

import os

import jax
import numpy as np
import pytest

import kerasish as ks

VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d"], ["d", "z", "b"]]
INT_VOCAB = [12, 36, 1138, 42]


def test_string_lookup_keras_examples():
    assert ks.layers.StringLookup(vocabulary=VOCAB)(DATA).tolist() == [[1, 3, 4], [4, 0, 2]]
    layer = ks.layers.StringLookup()
    layer.adapt(DATA)
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]  # by count, ties: the larger token first
    assert layer(DATA).tolist() == [[5, 3, 1], [1, 2, 4]]
    assert ks.layers.StringLookup(vocabulary=VOCAB, num_oov_indices=2)([["a", "c", "d"], ["m", "z", "b"]]).tolist() \
        == [[2, 4, 5], [0, 1, 3]]
    np.testing.assert_array_equal(ks.layers.StringLookup(vocabulary=VOCAB, output_mode="one_hot")(VOCAB + ["z"]),
                                  np.eye(5)[[1, 2, 3, 4, 0]])
    four = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    np.testing.assert_array_equal(ks.layers.StringLookup(vocabulary=VOCAB, output_mode="multi_hot")(four),
                                  [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    np.testing.assert_array_equal(ks.layers.StringLookup(vocabulary=VOCAB, output_mode="count")(four),
                                  [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    tf_idf = ks.layers.StringLookup(output_mode="tf_idf")
    tf_idf.set_vocabulary(VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tf_idf(four), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    tf_idf = ks.layers.StringLookup(output_mode="tf_idf")
    tf_idf.set_vocabulary(["[UNK]"] + VOCAB, idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tf_idf(four), [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)
    inverted = ks.layers.StringLookup(vocabulary=VOCAB, invert=True)([[1, 3, 4], [4, 0, 2]])
    assert inverted.tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]


def test_integer_lookup_keras_examples():
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    assert ks.layers.IntegerLookup(vocabulary=INT_VOCAB)(data).tolist() == [[1, 3, 4], [4, 0, 2]]
    layer = ks.layers.IntegerLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    assert layer(data).tolist() == [[5, 2, 1], [1, 3, 4]]
    two_oov = ks.layers.IntegerLookup(vocabulary=INT_VOCAB, num_oov_indices=2)
    assert two_oov(np.array([[12, 1138, 42], [37, 1000, 36]])).tolist() == [[2, 4, 5], [1, 0, 3]]
    oov = np.array([100, 300, 700, 1100, 1700, 2000])
    assert ks.layers.IntegerLookup(vocabulary=[10, 20, 30], num_oov_indices=4)(oov).tolist() == [0] * 6
    assert ks.layers.IntegerLookup(vocabulary=[10, 20, 30], num_oov_indices=4, oov_method="farmhash")(oov).tolist() \
        == [3, 3, 2, 2, 0, 1]
    tf_idf = ks.layers.IntegerLookup(output_mode="tf_idf", vocabulary=[-1] + INT_VOCAB,
                                     idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tf_idf(np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])),
                               [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)
    assert ks.layers.IntegerLookup(vocabulary=INT_VOCAB, invert=True)(np.array([[1, 3, 4], [4, 0, 2]])).tolist() \
        == [[12, 1138, 42], [42, -1, 36]]


@pytest.mark.parametrize("kwargs", [
    dict(), dict(mask_token=0), dict(num_oov_indices=3), dict(num_oov_indices=3, oov_method="farmhash", salt=7),
    dict(output_mode="count", mask_token=0), dict(output_mode="one_hot"), dict(invert=True, mask_token=0)])
def test_integer_lookup_inside_a_compiled_step_equals_eager(kwargs):
    layer = ks.layers.IntegerLookup(vocabulary=[5, 9, 2, 40], **kwargs)
    x = np.random.default_rng(0).integers(-3, 12, (6, 4)).astype(np.int32)
    if kwargs.get("output_mode") == "one_hot":
        x = x[:, :1]
    eager = layer(x)
    np.testing.assert_array_equal(jax.jit(lambda v: layer(v))(x), eager)


def test_integer_lookup_feeds_an_embedding_in_fit(tmp_path):
    lookup = ks.layers.IntegerLookup()
    ids = np.random.default_rng(1).integers(100, 110, (32, 3)).astype(np.int32)
    lookup.adapt(ids)
    model = ks.Sequential([ks.Input((3,), dtype="int32"), lookup, ks.layers.Embedding(lookup.vocabulary_size(), 4),
                           ks.layers.Flatten(), ks.layers.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(ids, np.ones((32, 1), np.float32), batch_size=8, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    path = os.path.join(tmp_path, "lookup.kerasish")
    model.save(path)  # the adapted vocabulary travels in the config
    loaded = ks.models.load_model(path)
    assert loaded.layers[0].get_vocabulary() == lookup.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(ids, verbose=0), model.predict(ids, verbose=0), rtol=1e-6)


def test_adapt_data_forms_tf_idf_and_max_tokens():
    documents = np.array([["a", "b", "b"], ["b", "c", "c"]])
    layer = ks.layers.StringLookup(output_mode="tf_idf")
    layer.adapt(documents)
    assert layer.get_vocabulary() == ["[UNK]", "b", "c", "a"]
    idf = np.log(1 + 2 / (1 + np.array([2, 1, 1])))  # Keras's formula: log(1 + documents / (1 + documents with it))
    np.testing.assert_allclose(layer.idf_weights, np.r_[idf.mean(), idf].astype(np.float32), rtol=1e-6)
    limited = ks.layers.StringLookup(max_tokens=3)
    limited.adapt(iter([np.array(["x", "y", "y"]), np.array(["z", "y", "x"]), np.array(["q"])]), steps=2)
    assert limited.get_vocabulary() == ["[UNK]", "y", "x"]
    by_rows = ks.layers.StringLookup()
    by_rows.adapt(np.array(["b", "a", "b"]), batch_size=2)
    assert by_rows.get_vocabulary() == ["[UNK]", "b", "a"]


def test_vocabulary_files_masks_and_configs(tmp_path):
    path = os.path.join(tmp_path, "vocab.txt")
    with open(path, "w") as f:
        f.write("a\nb\nc\n\n")
    layer = ks.layers.StringLookup(vocabulary=path, mask_token="[MASK]", oov_token="[OOV]")
    assert layer.get_vocabulary() == ["[MASK]", "[OOV]", "a", "b", "c"]
    assert layer(["[MASK]", "b", "q"]).tolist() == [0, 3, 1]
    config = layer.get_config()
    assert config["vocabulary"] == ["a", "b", "c"] and "vocabulary_dtype" not in config
    assert ks.layers.StringLookup.from_config(config).get_config() == config
    layer.save_assets(str(tmp_path))
    with open(os.path.join(tmp_path, "vocabulary.txt")) as f:
        assert f.read().split("\n") == ["[MASK]", "[OOV]", "a", "b", "c"]
    multi = ks.layers.IntegerLookup(vocabulary=INT_VOCAB, output_mode="multi_hot", mask_token=0)
    assert multi(np.array([[0, 12], [0, 0]])).tolist() == [[0, 1, 0, 0, 0], [0, 0, 0, 0, 0]]  # masks add nothing
    assert ks.layers.IntegerLookup.from_config(multi.get_config()).get_config() == multi.get_config()


def test_errors(tmp_path):
    with pytest.raises(ValueError, match=r"If set, `max_tokens` must be greater than 1. Received: max_tokens=1"):
        ks.layers.StringLookup(max_tokens=1)
    with pytest.raises(ValueError, match=r"If `max_tokens` is set for `IntegerLookup`, it must be greater than 1"):
        ks.layers.IntegerLookup(max_tokens=1)
    with pytest.raises(ValueError, match=r"If pad_to_max_tokens is True, must set `max_tokens`"):
        ks.layers.StringLookup(pad_to_max_tokens=True)
    with pytest.raises(ValueError, match=r"`num_oov_indices` must be greater than or equal to 0"):
        ks.layers.StringLookup(num_oov_indices=-1)
    with pytest.raises(ValueError, match=r"Unknown value for `output_mode` of StringLookup. .*Received: "
                                         r"output_mode='bag'"):
        ks.layers.StringLookup(output_mode="bag")
    with pytest.raises(ValueError, match=r"`output_mode` must be `'int'` when `invert` is true"):
        ks.layers.StringLookup(invert=True, output_mode="count")
    with pytest.raises(ValueError, match=r"`sparse` may only be true if `output_mode` is"):
        ks.layers.StringLookup(sparse=True)
    with pytest.raises(ValueError, match=r"`idf_weights` should only be set if `output_mode` is `'tf_idf'`"):
        ks.layers.StringLookup(vocabulary=VOCAB, idf_weights=[1, 1, 1, 1])
    with pytest.raises(ValueError, match=r"When specifying the `vocabulary` argument, in TF-IDF output mode, the "
                                         r"`idf_weights` argument must also be provided"):
        ks.layers.StringLookup(vocabulary=VOCAB, output_mode="tf_idf")
    with pytest.raises(ValueError, match=r"The passed vocabulary has at least one repeated term. .*\['a'\]"):
        ks.layers.StringLookup(vocabulary=["a", "b", "a"])
    with pytest.raises(ValueError, match=r"Found reserved mask token at unexpected location in `vocabulary`"):
        ks.layers.StringLookup(vocabulary=["a", ""], mask_token="")
    with pytest.raises(ValueError, match=r"Attempted to set a vocabulary larger than the maximum vocab size. Received "
                                         r"vocabulary size is 5; `max_tokens` is 3"):
        ks.layers.StringLookup(vocabulary=VOCAB, max_tokens=3)
    with pytest.raises(ValueError, match=r"Cannot set an empty vocabulary"):
        ks.layers.StringLookup(vocabulary=[])
    with pytest.raises(ValueError, match=r"Vocabulary file .*missing.txt does not exist"):
        ks.layers.StringLookup(vocabulary=os.path.join(tmp_path, "missing.txt"))
    with pytest.raises(ValueError, match=r"`idf_weights` must be the same length as vocabulary"):
        ks.layers.StringLookup(vocabulary=VOCAB, idf_weights=[1.0], output_mode="tf_idf")
    with pytest.raises(ValueError, match=r"Cannot adapt layer 'fixed' after setting a static vocabulary"):
        ks.layers.StringLookup(vocabulary=VOCAB, name="fixed").adapt(DATA)
    with pytest.raises(ValueError, match=r"When `num_oov_indices=0` all inputs should be in vocabulary, found OOV "
                                         r"values \['z'\]"):
        ks.layers.StringLookup(vocabulary=VOCAB, num_oov_indices=0)(DATA)
    with pytest.raises(RuntimeError, match=r"When using `output_mode=multi_hot` and `pad_to_max_tokens=False`, you "
                                           r"must set the layer's vocabulary before calling it"):
        ks.layers.StringLookup(output_mode="multi_hot")(DATA)
    with pytest.raises(ValueError, match=r"`salt` can only be used when `oov_method='farmhash'`"):
        ks.layers.IntegerLookup(salt=3)
    with pytest.raises(ValueError, match=r"Only `vocabulary_dtype='int64'` is supported at this time"):
        ks.layers.IntegerLookup(vocabulary_dtype="int32")
    with pytest.raises(ValueError, match=r"Unrecognized keyword argument\(s\) of StringLookup: \{'colour': 1\}"):
        ks.layers.StringLookup(colour=1)
    with pytest.raises(TypeError, match=r"Layer 'ints' looks up integers, received values of dtype <U1"):
        ks.layers.IntegerLookup(vocabulary=INT_VOCAB, name="ints")(np.array(["a"]))
    with pytest.raises(ValueError, match=r"Layer 'words' \(StringLookup\) looks up strings on the host"):
        layer = ks.layers.StringLookup(vocabulary=VOCAB, name="words")
        jax.jit(lambda v: layer(v))(np.zeros(2, np.int32))
