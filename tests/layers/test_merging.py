import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.layers.helpers import sample_input

keras = pytest.importorskip("keras")

ELEMENTWISE = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]


SHAPES = {"same": [(2, 3, 4), (2, 3, 4)], "size-1": [(2, 3, 4), (2, 1, 4)], "lower-rank": [(2, 4), (2, 3, 4)]}
CASES = [(name, shapes) for name in ELEMENTWISE for shapes in SHAPES] + [("Concatenate", "same"),
                                                                         ("Concatenate", "size-1")]


@pytest.mark.parametrize("name, shapes", CASES)
def test_merging_matches_keras(name, shapes):
    shapes = SHAPES[shapes]
    xs = [sample_input(s, seed=i) for i, s in enumerate(shapes)]
    if name == "Concatenate" and shapes[1] == (2, 1, 4):
        config = {"axis": 1}
    else:
        config = {}
    expected = np.asarray(getattr(keras.layers, name)(**config)(xs))
    ours = getattr(ks.layers, name)(**config)
    got = np.asarray(ours([jnp.asarray(x) for x in xs]))
    assert got.shape == expected.shape and np.abs(got - expected).max() < 1e-6
    assert ours.compute_output_shape([(None,) + s[1:] for s in shapes]) == (None,) + expected.shape[1:]


def test_merging_three_inputs_and_concatenate_axis():
    xs = [jnp.full((2, 3), float(v)) for v in (1, 2, 6)]
    np.testing.assert_allclose(ks.layers.Average()(xs), 3.0)
    np.testing.assert_allclose(ks.layers.Multiply()(xs), 12.0)
    assert ks.layers.Concatenate(axis=1)(xs).shape == (2, 9)
    assert ks.layers.Concatenate(axis=-1).compute_output_shape([(None, 2, None), (None, 2, 5)]) == (None, 2, None)


def test_merging_in_a_functional_model_trains(seeded):
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(32, 3)).astype(np.float32), rng.normal(size=(32, 2)).astype(np.float32)
    y = (xa.sum(1, keepdims=True) - xb[:, :1]).astype(np.float32)
    a, b = ks.Input((3,)), ks.Input((2,))
    ha, hb = ks.layers.Dense(4)(a), ks.layers.Dense(4)(b)
    merged = ks.layers.Concatenate()([ks.layers.Add()([ha, hb]), ks.layers.Multiply()([ha, hb])])
    model = ks.Model([a, b], ks.layers.Dense(1)(merged))
    assert model.output_shape == (None, 1)
    model.compile(optimizer="adam", loss="mse")
    losses = model.fit([xa, xb], y, batch_size=8, epochs=5, verbose=0).history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]


def test_merging_config_round_trip():
    for layer in [ks.layers.Add(name="plus"), ks.layers.Concatenate(axis=1)]:
        assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()


def test_merging_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"Layer 'a' \(Add\) must be called on a list of inputs, received a single "
                                         r"input of shape \((None|2), 3\)"):
        ks.layers.Add(name="a")(jnp.ones((2, 3)))
    with pytest.raises(ValueError, match=r"A `Subtract` layer should be called on exactly 2 inputs: layer 's' "
                                         r"received 3"):
        ks.layers.Subtract(name="s")([jnp.ones((2, 3))] * 3)
    with pytest.raises(ValueError, match=r"must be called on at least 2 inputs, received 1"):
        ks.layers.Maximum()([jnp.ones((2, 3))])
    with pytest.raises(ValueError, match=r"Layer 'm' received inputs with incompatible shapes \(None, 3\), "
                                         r"\(None, 4\): on axis -1 the sizes \[3, 4\] neither match nor are 1"):
        ks.layers.Multiply(name="m")([jnp.ones((2, 3)), jnp.ones((2, 4))])
    with pytest.raises(ValueError, match=r"A `Concatenate` layer requires inputs with matching shapes except for the "
                                         r"concatenation axis: layer 'c' \(axis=-1\) received shapes \(None, 2, 3\), "
                                         r"\(None, 3, 3\)"):
        ks.layers.Concatenate(name="c")([jnp.ones((1, 2, 3)), jnp.ones((1, 3, 3))])
    with pytest.raises(ValueError, match=r"cannot concatenate on axis 0 inputs of rank 2"):
        ks.layers.Concatenate(axis=0)([jnp.ones((1, 2)), jnp.ones((1, 2))])
    with pytest.raises(TypeError, match=r"`axis` of Concatenate must be an int, received 'last'"):
        ks.layers.Concatenate(axis="last")


@pytest.mark.parametrize("axes, shapes, normalize", [
    (1, [(2, 5), (2, 5)], False),
    ((1, 2), [(2, 5), (2, 3, 5)], True),
    (-1, [(2, 3, 4), (2, 6, 4)], False),
    ((2, 1), [(2, 3, 4, 5), (2, 4, 2)], False),
    ([1, 1], [(2, 3, 4), (2, 3, 2)], True),
])
def test_dot_matches_keras(axes, shapes, normalize):
    from tests.layers.helpers import assert_keras_parity
    assert_keras_parity("Dot", dict(axes=axes, normalize=normalize), [(2,) + s[1:] for s in shapes])
    x = [np.ones(s, np.float32) for s in shapes]
    assert ks.layers.dot([jnp.asarray(v) for v in x], axes=axes).shape == keras.layers.dot(x, axes=axes).shape


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: ks.layers.Dot(axes="1"), TypeError, r"`axes` of Dot must be an int or a list of 2 ints, received '1'"),
    (lambda: ks.layers.Dot(axes=(1, 2, 3)), ValueError, r"`axes` of Dot must be an int or a list of 2 ints"),
    (lambda: ks.layers.Dot(1)(jnp.ones((2, 3))), ValueError, r"A `Dot` layer should be called on a list of 2 inputs"),
    (lambda: ks.layers.Dot(1)([jnp.ones((2, 3)), jnp.ones((2, 4))]), ValueError,
     r"Incompatible input shapes for layer 'dot(_\d+)?' \(Dot\): axis values 3 \(at axis 1\) != 4"),
    (lambda: ks.layers.Dot(0)([jnp.ones((2, 3)), jnp.ones((2, 3))]), ValueError, r"cannot contract axes=0"),
])
def test_dot_errors(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


@pytest.mark.parametrize("inputs, mask, pattern", [
    ([jnp.ones((1, 2))] * 2, jnp.ones((1, 2), bool), r"`mask` should be a list"),
    (jnp.ones((1, 2)), [None, None], r"`inputs` should be a list"),
    ([jnp.ones((1, 2))] * 2, [None], r"The lists `inputs` and `mask` should have the same length. Received: 2 inputs "
                                     r"and 1 masks"),
])
def test_merging_compute_mask_checks_its_lists(inputs, mask, pattern):
    for layer in (ks.layers.Add(), ks.layers.Concatenate()):
        with pytest.raises(ValueError, match=pattern):
            layer.compute_mask(inputs, mask)
