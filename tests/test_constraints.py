import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import kerasish as ks
from kerasish import constraints
from kerasish.layers import weight_constraints

keras = pytest.importorskip("keras")


def weights(shape=(4, 3, 5), seed=0):
    return np.random.default_rng(seed).normal(scale=2.0, size=shape).astype(np.float32)


@pytest.mark.parametrize("name, kwargs", [
    ("MaxNorm", {}),
    ("MaxNorm", {"max_value": 1.5, "axis": 1}),
    ("MaxNorm", {"max_value": 3.0, "axis": [0, 1]}),
    ("UnitNorm", {}),
    ("UnitNorm", {"axis": -1}),
    ("MinMaxNorm", {}),
    ("MinMaxNorm", {"min_value": 2.0, "max_value": 3.0, "rate": 0.3, "axis": 2}),
    ("NonNeg", {}),
    ("Constraint", {}),
])
def test_constraint_matches_keras(name, kwargs):
    w = weights()
    w[:, 0, 0] = 0.0  # a zero vector stays zero (epsilon in the division)
    ours = getattr(constraints, name)(**kwargs)
    theirs = getattr(keras.constraints, name)(**kwargs)
    np.testing.assert_allclose(np.asarray(ours(jnp.asarray(w))), np.asarray(theirs(w)), rtol=1e-5, atol=1e-6)
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize("identifier, expected", [
    ("max_norm", constraints.MaxNorm), ("MaxNorm", constraints.MaxNorm), ("non_neg", constraints.NonNeg),
    ("unit_norm", constraints.UnitNorm), ("min_max_norm", constraints.MinMaxNorm), (constraints.NonNeg,
                                                                                    constraints.NonNeg),
])
def test_get_names_and_classes_as_keras(identifier, expected):
    got = constraints.get(identifier)
    assert type(got) is expected
    assert type(keras.constraints.get(identifier if isinstance(identifier, str) else keras.constraints.NonNeg)
                ).__name__ == expected.__name__


def test_serialize_round_trip_and_keras_dicts():
    original = constraints.MinMaxNorm(0.5, 2.0, rate=0.7, axis=1)
    config = constraints.serialize(original)
    assert config == {"class_name": "MinMaxNorm", "config": {"min_value": 0.5, "max_value": 2.0, "rate": 0.7,
                                                             "axis": 1}}
    assert constraints.get(config).get_config() == original.get_config()
    # what Keras writes (with `module` and `registered_name`) reads back too
    keras_dict = keras.saving.serialize_keras_object(keras.constraints.MaxNorm(3.0, axis=[0, 1]))
    assert constraints.deserialize(keras_dict).get_config() == {"max_value": 3.0, "axis": [0, 1]}
    assert constraints.serialize(None) is None and constraints.get(None) is None


def test_custom_constraint_registered_and_functions():
    @ks.registry.register_serializable(package="test_constraints")
    class Clip(constraints.Constraint):
        def __init__(self, limit=1.0):
            self.limit = limit

        def __call__(self, w):
            return jnp.clip(w, -self.limit, self.limit)

        def get_config(self):
            return {"limit": self.limit}

    config = constraints.serialize(Clip(0.5))
    assert config == {"class_name": "test_constraints>Clip", "config": {"limit": 0.5}}
    revived = constraints.deserialize(config)
    assert isinstance(revived, Clip) and revived.limit == 0.5
    square = lambda w: w ** 2
    assert constraints.get(square) is square


@pytest.mark.parametrize("make, pattern", [
    (lambda: constraints.get("typo"), r"names class 'typo' \(among constraints\)"),
    (lambda: constraints.get(3), r"Could not interpret constraint identifier: 3"),
    (lambda: constraints.deserialize([1]), r"Could not interpret constraint identifier: \[1\]"),
    (lambda: constraints.serialize(3), r"Could not serialize constraint 3"),
    (lambda: constraints.MaxNorm(-1.0), r"`max_value` of MaxNorm must be a number >= 0.0, received -1.0"),
    (lambda: constraints.MaxNorm(axis="0"), r"`axis` of MaxNorm must be an int or a non-empty list of ints, "
                                            r"received '0'"),
    (lambda: constraints.UnitNorm(axis=[]), r"`axis` of UnitNorm must be an int"),
    (lambda: constraints.MinMaxNorm(2.0, 1.0), r"`min_value` of MinMaxNorm must not exceed `max_value`, received "
                                               r"min_value=2.0, max_value=1.0"),
    (lambda: constraints.MinMaxNorm(rate=1.5), r"`rate` of MinMaxNorm must be a number in \[0.0, 1.0\], "
                                               r"received 1.5"),
])
def test_constraint_errors(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


@pytest.mark.parametrize("make, argument, keras_name", [
    (lambda c: ks.layers.Dense(3, kernel_constraint=c, bias_constraint=c), "kernel_constraint", "Dense"),
    (lambda c: ks.layers.Conv1D(3, 2, kernel_constraint=c, bias_constraint=c), "bias_constraint", "Conv1D"),
    (lambda c: ks.layers.Embedding(5, 3, embeddings_constraint=c), "embeddings_constraint", "Embedding"),
    (lambda c: ks.layers.LayerNormalization(gamma_constraint=c, beta_constraint=c), "gamma_constraint",
     "LayerNormalization"),
    (lambda c: ks.layers.BatchNormalization(gamma_constraint=c, beta_constraint=c), "beta_constraint",
     "BatchNormalization"),
    (lambda c: ks.layers.LSTM(2, recurrent_constraint=c, kernel_constraint=c), "recurrent_constraint", "LSTM"),
    (lambda c: ks.layers.MultiHeadAttention(2, 2, kernel_constraint=c), "kernel_constraint", "MultiHeadAttention"),
])
def test_layers_take_constraints_in_their_config(make, argument, keras_name):
    layer = make(constraints.MaxNorm(1.0))
    config = layer.get_config()
    assert config[argument] == {"class_name": "MaxNorm", "config": {"max_value": 1.0, "axis": 0}}
    assert type(layer).from_config(config).get_config() == config
    keras_config = getattr(keras.layers, keras_name)(**{"units": 2} if keras_name in ("LSTM", "Dense") else {
        "Conv1D": {"filters": 3, "kernel_size": 2}, "Embedding": {"input_dim": 5, "output_dim": 3},
        "MultiHeadAttention": {"num_heads": 2, "key_dim": 2}}.get(keras_name, {})).get_config()
    assert argument in keras_config  # the same key as Keras


def test_apply_weight_constraints_matches_keras_after_an_update():
    kernel = weights((3, 4))
    layer = ks.layers.Dense(4, kernel_constraint=constraints.MaxNorm(1.0), bias_constraint="non_neg")
    model = ks.Sequential([ks.Input((3,)), layer])
    layer.set_weights([kernel, -np.arange(4, dtype=np.float32)])
    assert [c for _, c in layer.weight_constraints] == [layer.kernel_constraint, layer.bias_constraint]
    assert len(weight_constraints.constrained(model)) == 2
    assert model.apply_weight_constraints() == 2
    keras_kernel = keras.constraints.MaxNorm(1.0)(kernel)
    np.testing.assert_allclose(layer.kernel[...], keras_kernel, rtol=1e-5)
    np.testing.assert_array_equal(layer.bias[...], np.zeros(4))


def test_apply_weight_constraints_skips_frozen_layers_and_unconstrained_models():
    layer = ks.layers.Dense(2, kernel_initializer="ones", kernel_constraint=lambda w: w * 0.0)
    layer(jnp.ones((1, 2)))
    layer.trainable = False
    assert layer.apply_weight_constraints() == 0
    np.testing.assert_array_equal(layer.kernel[...], np.ones((2, 2)))
    plain = ks.layers.Dense(2)
    plain(jnp.ones((1, 2)))
    assert not weight_constraints.constrained(plain) and plain.apply_weight_constraints() == 0


def test_apply_weight_constraints_inside_a_compiled_step():
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, kernel_constraint="unit_norm"), ks.layers.Dense(1)])
    second_kernel = np.asarray(model.layers[1].kernel[...])
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)

    @jax.jit
    def project(params, rest):
        merged = nnx.merge(graphdef, params, rest, copy=True)
        merged.apply_weight_constraints()
        return nnx.split(merged, nnx.Param, ...)[1]

    nnx.update(model, project(jax.tree.map(lambda p: 3.0 * p, params), rest))
    first = np.asarray(model.layers[0].kernel[...])
    np.testing.assert_allclose(np.linalg.norm(first, axis=0), 1.0, rtol=1e-5)
    np.testing.assert_allclose(model.layers[1].kernel[...], 3.0 * second_kernel, rtol=1e-6)  # unconstrained
