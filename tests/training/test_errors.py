"""Bad input gets a clear error naming the argument, the value received and what is accepted."""

import numpy as np
import pytest

import kerasish as ks
from tests.conftest import mlp


@pytest.fixture
def model(seeded):
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_and_evaluate_before_compile(seeded, blobs):
    x, y = blobs
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before `fit\(\)`"):
        mlp().fit(x, y)
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before `evaluate\(\)`"):
        mlp().evaluate(x, y)


def test_wrong_input_width(model, blobs):
    x, y = blobs
    pattern = r"`x` has shape \(96, 5\), but model '.*' expects inputs of shape \(None, 4\)"
    with pytest.raises(ValueError, match=pattern):
        model.fit(np.ones((96, 5), np.float32), y, verbose=0)
    unbuilt = ks.Sequential([ks.layers.Dense(3, name="first")])
    unbuilt(np.ones((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"layer 'first'.*expected axis -1 of input shape to have value 4.*\(2, 6\)"):
        unbuilt(np.ones((2, 6), np.float32))


def test_length_mismatch(model, blobs):
    x, y = blobs
    with pytest.raises(ValueError, match=r"`x` has 96, `y` has 95 samples"):
        model.fit(x, y[:-1], verbose=0)
    with pytest.raises(ValueError, match=r"`sample_weight` has 3 samples"):
        model.fit(x, y, sample_weight=np.ones(3), verbose=0)


@pytest.mark.parametrize("name,kwargs,pattern", [
    ("optimizer", {"optimizer": "adamm"}, r"adamm.*adam.*sgd"),
    ("loss", {"loss": "crossentropy_typo"}, r"crossentropy_typo.*sparse_categorical_crossentropy"),
    ("metric", {"metrics": ["acuracy"]}, r"acuracy.*accuracy"),
])
def test_unknown_names_list_the_accepted_ones(name, kwargs, pattern):
    args = {"optimizer": "sgd", "loss": "mse", **kwargs}
    with pytest.raises(ValueError, match=pattern):
        mlp().compile(**args)


@pytest.mark.parametrize("kwargs,pattern", [
    ({"epochs": 0}, r"`epochs` must be an int >= 1, received 0"),
    ({"epochs": 2.5}, r"`epochs` must be an int >= 1, received 2.5"),
    ({"batch_size": 0}, r"`batch_size` must be an int >= 1, received 0"),
    ({"batch_size": -4}, r"`batch_size` must be an int >= 1, received -4"),
    ({"validation_split": 1.0}, r"`validation_split` must be a float in \[0, 1\), received 1.0"),
    ({"validation_split": -0.1}, r"`validation_split` must be a float in \[0, 1\), received -0.1"),
    ({"verbose": 3}, r"`verbose` must be 'auto', 0, 1 or 2, received 3"),
    ({"shuffle": "yes"}, r"`shuffle` must be True or False, received 'yes'"),
    ({"initial_epoch": 5, "epochs": 2}, r"`initial_epoch` must be an int in \[0, epochs=2\), received 5"),
    ({"validation_freq": 0}, r"`validation_freq` must be an int >= 1 or a list"),
    ({"steps_per_epoch": 0}, r"`steps_per_epoch` must be an int >= 1 or None, received 0"),
    ({"callbacks": [print]}, r"`callbacks`\[0\] must be a kerasish.callbacks.Callback"),
    ({"class_weight": {0: 1.0}}, r"`class_weight` has no weight for classes \[1, 2\]"),
    ({"validation_data": (np.ones((4, 4)),)}, r"`validation_data` must be \(x_val, y_val\)"),
])
def test_invalid_fit_arguments(model, blobs, kwargs, pattern):
    x, y = blobs
    with pytest.raises((ValueError, TypeError), match=pattern):
        model.fit(x, y, **{"verbose": 0, **kwargs})


def test_non_numeric_and_non_finite_data(model, blobs):
    x, y = blobs
    with pytest.raises(TypeError, match=r"`x` must hold numbers.*dtype <U1"):
        model.fit(np.full((4, 4), "a"), y[:4], verbose=0)
    with pytest.raises(TypeError, match=r"`x` must hold numbers.*dtype object"):
        model.fit(np.array([{"a": 1}] * 4), y[:4], verbose=0)
    bad = x.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"`x` contains NaN or infinite values \(first at index \(3, 2\)\)"):
        model.fit(bad, y, verbose=0)
    with pytest.raises(ValueError, match=r"`x` is empty"):
        model.fit(x[:0], y[:0], verbose=0)
    with pytest.raises(ValueError, match=r"`y` of fit is required"):
        model.fit(x, verbose=0)


def test_compile_argument_types():
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 3"):  # Keras's error
        mlp().compile(optimizer=3, loss="mse")
    with pytest.raises(ValueError, match=r"`steps_per_execution` must be 'auto' or an int >= 1, received 0"):
        mlp().compile(optimizer="sgd", loss="mse", steps_per_execution=0)


def test_fit_without_loss(seeded, blobs):
    model = mlp()
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match=r"No loss to compute. Provide a `loss` argument in `compile\(\)`"):
        model.fit(*blobs, verbose=0)
