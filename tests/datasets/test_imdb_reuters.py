"""kerasish.datasets.imdb and reuters against Keras's loaders, on small npz files of ragged sequences
(object arrays, as Keras's files hold them), with every option that changes the result."""

import json

import numpy as np
import pytest

from kerasish.datasets import imdb, reuters
from kerasish.datasets.sequences import as_object_array
from tests.datasets.conftest import accept

OPTIONS = [{}, {"num_words": 9}, {"skip_top": 2, "num_words": 12}, {"maxlen": 6}, {"seed": 5},
           {"start_char": None}, {"start_char": None, "index_from": 0}, {"oov_char": None, "num_words": 10},
           {"index_from": 1, "start_char": 7, "oov_char": 3, "num_words": 8}]
IDS = ["default", "num_words", "skip_top", "maxlen", "seed", "no_start", "no_shift", "drop_oov", "custom"]


def ragged(rng, count):
    return as_object_array([rng.integers(1, 15, int(n)).tolist() for n in rng.integers(1, 9, count)])


def same(ours, theirs):
    for a, b in zip((*ours[0], *ours[1]), (*theirs[0], *theirs[1])):
        assert a.tolist() == b.tolist()
    assert ours[0][1].dtype == theirs[0][1].dtype and ours[0][0].dtype == object


@pytest.mark.parametrize("kwargs", OPTIONS, ids=IDS)
def test_imdb_matches_keras(keras_cache, monkeypatch, kwargs):
    import keras

    rng = np.random.default_rng(0)
    np.savez(keras_cache / "imdb.npz", x_train=ragged(rng, 12), y_train=rng.integers(0, 2, 12),
             x_test=ragged(rng, 7), y_test=rng.integers(0, 2, 7))
    accept(monkeypatch, imdb, keras_cache / "imdb.npz")
    same(imdb.load_data(**kwargs), keras.datasets.imdb.load_data(**kwargs))


@pytest.mark.parametrize("kwargs", OPTIONS + [{"test_split": 0.4}], ids=IDS + ["test_split"])
def test_reuters_matches_keras(keras_cache, monkeypatch, kwargs):
    import keras

    rng = np.random.default_rng(1)
    np.savez(keras_cache / "reuters.npz", x=ragged(rng, 15), y=rng.integers(0, 46, 15))
    accept(monkeypatch, reuters, keras_cache / "reuters.npz")
    same(reuters.load_data(**kwargs), keras.datasets.reuters.load_data(**kwargs))


def test_word_indexes_and_label_names(keras_cache):
    import keras

    for module, name in ((imdb, "imdb_word_index.json"), (reuters, "reuters_word_index.json")):
        (keras_cache / name).write_text(json.dumps({"the": 1, "film": 2}))
        with pytest.raises(ValueError, match=rf"{name} does not match its expected md5 hash"):
            module.get_word_index()
        path = keras_cache / "copy" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({"the": 1, "film": 2}))
        assert module.get_word_index(str(path)) == {"the": 1, "film": 2}
    assert reuters.get_label_names() == keras.datasets.reuters.get_label_names()


def test_errors(keras_cache, monkeypatch):
    with pytest.raises(TypeError, match=r"imdb.load_data got unexpected keyword arguments \['nb_words'\] \(Keras "
                                        r"ignores them silently\)"):
        imdb.load_data(nb_words=10)
    with pytest.raises(ValueError, match=r"`num_words` of imdb.load_data must be None or an int >= 0, received -3"):
        imdb.load_data(num_words=-3)
    with pytest.raises(ValueError, match=r"`skip_top` of reuters.load_data must be an int >= 0, received None"):
        reuters.load_data(skip_top=None)
    with pytest.raises(ValueError, match=r"Invalid `test_split` argument: 1\.5"):
        reuters.load_data(test_split=1.5)
    with pytest.raises(FileNotFoundError, match=r"'imdb.npz' is not in the cache.*tf-keras-datasets/imdb\.npz"):
        imdb.load_data()
    rng = np.random.default_rng(0)
    np.savez(keras_cache / "imdb.npz", x_train=ragged(rng, 3), y_train=np.zeros(3, int), x_test=ragged(rng, 2),
             y_test=np.zeros(2, int))
    accept(monkeypatch, imdb, keras_cache / "imdb.npz")
    with pytest.raises(ValueError, match=r"After filtering for sequences shorter than maxlen=1, no sequence was kept"):
        imdb.load_data(maxlen=1)
