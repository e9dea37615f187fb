"""kerasish.models.plot through its Keras names `kerasish.utils.plot_model` / `model_to_dot`."""

import shutil

import pytest

import kerasish as ks


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
