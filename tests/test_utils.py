"""kerasish.utils: to_categorical, normalize, plot_model / model_to_dot."""

import shutil

import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("labels,num_classes", [([0, 2, 1, 2], None), (np.array([[1], [0], [3]]), 5),
                                                (np.array([[0, 1], [1, 1]]), 2), ([1.0, 0.0], None)])
def test_to_categorical_matches_keras(labels, num_classes):
    got = ks.utils.to_categorical(labels, num_classes)
    expected = keras.utils.to_categorical(labels, num_classes)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_to_categorical_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"`x` of to_categorical holds label 3, outside \[0, 3\)"):
        ks.utils.to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="holds label -1"):
        ks.utils.to_categorical([0, -1])
    with pytest.raises(ValueError, match="whole-number class labels, received values such as 0.5"):
        ks.utils.to_categorical([0.5, 1])
    with pytest.raises(ValueError, match="`num_classes` of to_categorical must be a positive int or None, received 0"):
        ks.utils.to_categorical([0], num_classes=0)
    with pytest.raises(ValueError, match="integer class labels, received an array of dtype <U1"):
        ks.utils.to_categorical(["a"])


@pytest.mark.parametrize("axis,order", [(-1, 2), (1, 1), (-1, np.inf)])  # Keras mishandles axis=0
def test_normalize_matches_keras(axis, order):
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    x[1] = 0.0  # a zero row stays zero
    np.testing.assert_allclose(ks.utils.normalize(x, axis, order), keras.utils.normalize(x, axis, order), rtol=1e-6)
    assert isinstance(ks.utils.normalize(jnp.asarray(x)), type(jnp.zeros(1)))  # JAX in, JAX out
    with pytest.raises(ValueError, match=r"`axis` of normalize must be an axis of `x` \(rank 2\), received 2"):
        ks.utils.normalize(x, axis=2)


def _two_branch_model():
    inputs = ks.Input((4,), name="features")
    a = ks.layers.Dense(3, activation="relu", name="a")(inputs)
    b = ks.layers.Dense(2, name="b")(inputs)
    return ks.Model(inputs, ks.layers.concatenate([a, b], name="joined"), name="two_branch")


def test_model_to_dot_draws_the_graph(tmp_path):
    text = ks.utils.model_to_dot(_two_branch_model(), show_shapes=True, show_layer_activations=True,
                                 show_dtype=True, show_trainable=True, rankdir="LR")
    assert text.startswith('digraph "two_branch" {') and "rankdir=LR" in text
    for expected in ["<b>features</b> (InputLayer)", "<b>joined</b> (Concatenate)", "Activation: <b>relu</b>",
                     "Input shape: <b>[(None, 3), (None, 2)]</b>", "Output shape: <b>(None, 5)</b>",
                     "dtype: <b>float32</b>", "Trainable: <b>Y</b>"]:
        assert expected in text, expected
    edges = sorted(line.strip() for line in text.splitlines() if "->" in line)
    assert edges == ["layer_0 -> layer_1;", "layer_0 -> layer_2;", "layer_1 -> layer_3;", "layer_2 -> layer_3;"]
    chain = ks.utils.model_to_dot(ks.Sequential([ks.Input((3,)), ks.layers.Dense(2), ks.layers.Dense(1)]))
    assert [line.strip() for line in chain.splitlines() if "->" in line] == ["layer_0 -> layer_1;"]

    path = tmp_path / "model.dot"
    assert ks.utils.plot_model(_two_branch_model(), to_file=path, show_shapes=True) is None
    assert path.read_text().startswith("digraph")


def test_plot_model_image_needs_graphviz(tmp_path):
    model = _two_branch_model()
    if shutil.which("dot") is None:
        with pytest.raises(ImportError, match=r"needs Graphviz's `dot` program.*apt install graphviz.*"
                                              r"to_file='model.dot'"):
            ks.utils.plot_model(model, to_file=tmp_path / "model.png")
    else:
        ks.utils.plot_model(model, to_file=tmp_path / "model.png", show_shapes=True)
        assert (tmp_path / "model.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match=r"`rankdir` must be one of \['TB', 'LR', 'BT', 'RL'\], received 'XY'"):
        ks.utils.model_to_dot(model, rankdir="XY")
    with pytest.raises(ValueError, match="Model 'unbuilt' is not built yet"):
        ks.utils.model_to_dot(ks.Sequential([ks.layers.Dense(2)], name="unbuilt"))
