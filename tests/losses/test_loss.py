"""kerasish.losses: the `Loss` base class (reductions, dtype, masks, padded rows), Keras's `get` / `serialize`
/ `deserialize`, `resolve` (what compile uses), and every class's config against Keras 3's."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import losses, mixed_precision, registry
from tests.losses.oracle import LABELS, LOGITS, PROBS, REG_PRED, REG_TRUE, WEIGHTS

KERAS_CLASSES = sorted(name for name in dir(keras.losses) if name[0].isupper() and name not in ("Loss",))
NON_DEFAULT = {
    "BinaryCrossentropy": {"from_logits": True, "label_smoothing": 0.1, "axis": 0},
    "BinaryFocalCrossentropy": {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.0},
    "CategoricalCrossentropy": {"from_logits": True, "label_smoothing": 0.2},
    "CategoricalFocalCrossentropy": {"alpha": 0.5, "gamma": 3.0},
    "CategoricalGeneralizedCrossEntropy": {"q": 0.3},
    "Circle": {"gamma": 10.0, "margin": 0.1, "remove_diagonal": False},
    "Dice": {"axis": (1, 2)},
    "SparseCategoricalCrossentropy": {"from_logits": True, "ignore_class": 0},
    "Tversky": {"alpha": 0.2, "beta": 0.8, "axis": (1,)},
}


def test_every_keras_loss_name_exists():
    public = {name for name in dir(keras.losses) if not name.startswith("_")}
    assert sorted(public - set(dir(losses))) == []


@pytest.mark.parametrize("name", KERAS_CLASSES)
def test_config_matches_keras(name):
    kwargs = {**NON_DEFAULT.get(name, {}), "reduction": "sum", "name": "my_loss"}
    ours, theirs = getattr(losses, name)(**kwargs), getattr(keras.losses, name)(**kwargs)
    expected = theirs.get_config()
    if name == "SparseCategoricalCrossentropy":  # as Keras 3.16 records it (the data checks read `axis`)
        expected = {**expected, "axis": -1}
    assert ours.get_config() == expected
    assert type(ours).from_config(ours.get_config()).get_config() == ours.get_config()
    assert ours.name == "my_loss" and ours.dtype == "float32"


def test_default_names_are_keras_names():
    for name in KERAS_CLASSES:
        assert getattr(losses, name)().name == getattr(keras.losses, name)().name, name


class Absolute(losses.Loss):
    def call(self, y_true, y_pred):
        return jnp.abs(y_true - y_pred)


def test_subclass_names_dtype_and_reductions():
    first, second = Absolute(), Absolute()
    assert first.name.startswith("absolute") and first.name != second.name  # numbered as Keras names them
    loss = Absolute(dtype="bfloat16")
    assert loss(REG_TRUE, REG_TRUE + 1).dtype == jnp.bfloat16
    with pytest.raises(AttributeError):
        loss.dtype = "float32"
    assert Absolute(dtype=mixed_precision.DTypePolicy("mixed_bfloat16")).dtype == "bfloat16"
    values = np.array([1.0, 3.0], np.float32)
    assert float(Absolute(reduction="sum")(values, np.zeros(2), sample_weight=[1.0, 2.0])) == 7.0
    np.testing.assert_array_equal(Absolute(reduction=None)(values, np.zeros(2), sample_weight=2.0), [2.0, 6.0])


def test_reduce_weighted_values_matches_keras():
    from keras.src.losses.loss import reduce_weighted_values as theirs

    values = np.abs(LOGITS)
    mask = LOGITS > 0
    for reduction in ["sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", "none"]:
        for weight in [None, WEIGHTS[:, None]]:
            got = losses.reduce_weighted_values(values, weight, mask, reduction)
            np.testing.assert_allclose(got, theirs(values, weight, mask, reduction), rtol=1e-6, err_msg=reduction)


def test_of_rows_is_the_loss_of_the_real_rows():
    rows = np.array([True, True, True, True, False, False])
    for loss in [losses.MeanSquaredError(), losses.SparseCategoricalCrossentropy(ignore_class=int(LABELS[0]))]:
        y_true, y_pred = (REG_TRUE, REG_PRED) if isinstance(loss, losses.MeanSquaredError) else (LABELS, PROBS)
        np.testing.assert_allclose(loss.of_rows(y_true, y_pred, WEIGHTS, jnp.asarray(rows)),
                                   loss(y_true[:4], y_pred[:4], WEIGHTS[:4]), rtol=1e-6)


def test_get_is_keras_get():
    assert losses.get("mse") is losses.mean_squared_error
    assert keras.losses.get("mse") is keras.losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error and losses.get("kld") is losses.kl_divergence
    assert isinstance(losses.get("Huber"), losses.Huber) and isinstance(losses.get(losses.Huber), losses.Huber)
    assert losses.get(None) is None
    loss = losses.Huber(delta=2.0)
    assert losses.get(loss) is loss
    assert isinstance(losses.get({"class_name": "Huber", "config": {"name": "h", "reduction": "sum"}}), losses.Huber)
    public = {name for name in dir(keras.losses) if not name.startswith("_") and name not in
              ("get", "serialize", "deserialize", "Loss", "CategoricalGeneralizedCrossEntropy",
               "categorical_generalized_cross_entropy")}
    for name in public:  # every name Keras's get resolves
        assert type(losses.get(name)).__name__ == type(keras.losses.get(name)).__name__, name


def test_resolve_always_gives_a_loss_with_the_same_values():
    assert isinstance(losses.resolve("mse"), losses.MeanSquaredError)
    assert isinstance(losses.resolve(losses.sparse_categorical_crossentropy), losses.SparseCategoricalCrossentropy)

    def squared(y_true, y_pred):
        return (y_true - y_pred) ** 2

    loss = losses.resolve(squared)
    assert isinstance(loss, losses.LossFunctionWrapper) and loss.name == "squared"
    np.testing.assert_allclose(loss(REG_TRUE, REG_PRED, WEIGHTS),
                               losses.MeanSquaredError()(REG_TRUE, REG_PRED, WEIGHTS))
    from keras.src.losses.losses import LossFunctionWrapper as theirs

    np.testing.assert_allclose(loss(REG_TRUE, REG_PRED, WEIGHTS), theirs(squared)(REG_TRUE, REG_PRED, WEIGHTS),
                               rtol=1e-6)


def test_serialize_round_trips_and_reads_keras_configs():
    for obj in [losses.Huber(reduction="sum"), losses.BinaryCrossentropy(from_logits=True), losses.mean_squared_error]:
        revived = losses.deserialize(losses.serialize(obj))
        if callable(obj) and not isinstance(obj, losses.Loss):
            assert revived is obj
        else:
            assert type(revived) is type(obj) and revived.get_config() == obj.get_config()
    keras_config = keras.losses.serialize(keras.losses.CategoricalFocalCrossentropy(gamma=3.0))
    revived = losses.deserialize(keras_config)
    assert isinstance(revived, losses.CategoricalFocalCrossentropy) and revived.gamma == 3.0
    assert losses.deserialize("mse") is losses.mean_squared_error


def test_wrapper_config_names_its_function_and_registered_functions_come_back():
    @registry.register_serializable(package="test_loss")
    def cubed(y_true, y_pred):
        return jnp.mean(jnp.abs(y_true - y_pred) ** 3, axis=-1)

    loss = losses.LossFunctionWrapper(cubed, name="cubed", reduction="sum")
    config = loss.get_config()
    assert config == {"name": "cubed", "reduction": "sum", "fn": "test_loss>cubed"}
    revived = losses.LossFunctionWrapper.from_config(config)
    assert revived.fn is cubed
    revived = losses.deserialize(losses.serialize(loss))
    assert revived.fn is cubed and revived.reduction == "sum"


def test_jit_of_a_masked_loss():
    loss = losses.SparseCategoricalCrossentropy(ignore_class=1, reduction="sum_over_batch_size")
    np.testing.assert_allclose(jax.jit(loss)(LABELS, PROBS), loss(LABELS, PROBS), rtol=1e-6)
    assert loss.masks_entries and not losses.SparseCategoricalCrossentropy().masks_entries
    assert not losses.MeanSquaredError().masks_entries and losses.Circle().masks_entries


def test_errors():
    with pytest.raises(ValueError, match=r"Unknown loss 'msee'\. Expected one of \[.*'mse'"):
        losses.get("msee")
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 3"):
        losses.get(3)
    with pytest.raises(TypeError, match="Argument `identifier` must be a loss name.*received 3 of type int"):
        losses.resolve(3)
    with pytest.raises(ValueError, match=r"Invalid value for argument `reduction`: `reduction` must be one of "
                                         r"\['sum_over_batch_size', .*\], received reduction='avg'"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="Invalid dtype: 'floaty'"):
        losses.MeanSquaredError(dtype="floaty")
    with pytest.raises(TypeError, match="Argument `fn` of LossFunctionWrapper must be a function"):
        losses.LossFunctionWrapper(3)
    with pytest.raises(NotImplementedError, match="Loss must implement `call"):
        losses.Loss()(REG_TRUE, REG_PRED)
    with pytest.raises(ValueError, match=r"A losses config names 'nope', which is not one of kerasish's losses"):
        losses.deserialize("nope")
    with pytest.raises(ValueError, match=r"names class 'Nope', which is neither kerasish's nor registered"):
        losses.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match=r"must be a name or a dict with 'class_name' and 'config'"):
        losses.deserialize({"config": {}})
    with pytest.raises(ValueError, match=r"A loss config names class 'nope' \(among losses\), which is neither"):
        losses.LossFunctionWrapper.from_config({"fn": "nope", "name": "x", "reduction": "sum"})
