"""Regularizers' configs against Keras 3."""

import keras
import pytest

import kerasish as ks


@pytest.mark.parametrize("name, kwargs", [("L1", {"l1": 0.005}), ("L2", {"l2": 0.005}),
                                          ("L1L2", {"l1": 0.003, "l2": 0.007})])
def test_configs_hold_the_factors_as_keras_writes_them(name, kwargs):
    expected = getattr(keras.regularizers, name)(**kwargs).get_config()
    actual = getattr(ks.regularizers, name)(**kwargs).get_config()
    assert actual == expected
    assert ks.regularizers.get({"class_name": name, "config": actual}).get_config() == expected
