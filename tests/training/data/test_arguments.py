"""`validation_split` against Keras 3's split: the LAST fraction of the arrays (cut at
`floor(n * (1 - validation_split))`, before any shuffling) is the validation set."""

import keras
import numpy as np
import pytest
from keras.src.trainers.data_adapters.array_slicing import train_validation_split

import kerasish as ks
from kerasish.training.data.arguments import split_validation


@pytest.mark.parametrize("n", [2, 3, 7, 10, 33, 100])
@pytest.mark.parametrize("validation_split", [0.1, 0.25, 0.3, 0.5, 0.7, 0.9])
def test_split_rows_are_keras_split_rows(n, validation_split):
    rows = np.arange(n)
    arrays = (rows.astype(np.float32), rows.astype(np.int32), None)
    try:
        expected = train_validation_split(arrays, validation_split)
    except ValueError:  # Keras refuses a split leaving no training or no validation sample: so do we
        with pytest.raises(ValueError, match=r"`validation_split`=.* leaves no (training|validation) sample out of"):
            split_validation(arrays, validation_split)
        return
    got = split_validation(arrays, validation_split)
    for ours, theirs in zip(got, expected):
        np.testing.assert_array_equal(ours[0], theirs[0])
        np.testing.assert_array_equal(ours[1], theirs[1])
        assert ours[2] is theirs[2] is None


def _frozen_regressor(framework):
    """Dense(1) with zero weights trained at learning rate 0: the logged mean absolute error of a set of rows is the
    mean of |y| over those rows (weighted by the sample weights), so the logs say which rows were used."""
    model = framework.Sequential([framework.Input((2,)), framework.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=framework.optimizers.SGD(learning_rate=0.0), loss="mae", metrics=["mse"])
    return model


@pytest.mark.parametrize("n, validation_split, shuffle", [(10, 0.25, False), (7, 0.3, True), (40, 0.1, True)])
def test_fit_validates_on_the_rows_keras_validates_on(n, validation_split, shuffle):
    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, 2)).astype(np.float32)
    y = rng.uniform(1, 10, size=(n, 1)).astype(np.float32)
    weights = rng.uniform(0.5, 2, size=n).astype(np.float32)
    histories = []
    for framework in (ks, keras):
        history = _frozen_regressor(framework).fit(x, y, sample_weight=weights, batch_size=4, epochs=1,
                                                   validation_split=validation_split, shuffle=shuffle, verbose=0)
        histories.append(history.history)
    ours, theirs = histories
    assert sorted(ours) == sorted(theirs) == ["loss", "mse", "val_loss", "val_mse"]
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, err_msg=key)


def test_validation_data_with_sample_weights_validates_as_keras_does():
    """`validation_data=(x_val, y_val, sample_weight_val)`: the weights count in val_loss (Keras 3's value)."""
    rng = np.random.default_rng(3)
    x, xv = rng.normal(size=(12, 2)).astype(np.float32), rng.normal(size=(9, 2)).astype(np.float32)
    y, yv = (rng.uniform(1, 10, size=(n, 1)).astype(np.float32) for n in (12, 9))
    wv = rng.uniform(0, 3, size=9).astype(np.float32)
    histories = [_frozen_regressor(framework).fit(x, y, batch_size=4, epochs=1, validation_data=(xv, yv, wv),
                                                  verbose=0).history for framework in (ks, keras)]
    np.testing.assert_allclose(histories[0]["val_loss"], histories[1]["val_loss"], rtol=1e-5)
    unweighted = _frozen_regressor(ks).fit(x, y, batch_size=4, epochs=1, validation_data=(xv, yv), verbose=0)
    assert not np.allclose(unweighted.history["val_loss"], histories[0]["val_loss"])  # the weights matter here
