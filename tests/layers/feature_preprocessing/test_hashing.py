"""Hashing and HashedCrossing: Keras's bins, output modes, integer inputs inside compiled steps, errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks


def test_hashing_modes_masks_and_salts():
    # Bins from Keras's hashing_test.py.
    words = np.array([["omar"], ["stringer"], ["marlo"], ["wire"], ["skywalker"]])
    assert ks.layers.Hashing(3, mask_value="")(words).tolist() == [[1], [1], [2], [1], [1]]
    assert ks.layers.Hashing(3, mask_value="omar")(words).tolist() == [[0], [1], [2], [1], [1]]
    assert ks.layers.Hashing(2, salt=[211, 137])(words).tolist() == \
        ks.layers.Hashing(2, salt=(211, 137))(words).tolist()
    assert ks.layers.Hashing(1)(words).tolist() == [[0]] * 5
    assert ks.layers.Hashing(3)(["A", "B", "C"]).tolist() == [1, 0, 1]  # lists work
    one_hot = ks.layers.Hashing(3, output_mode="one_hot")(np.array([[0], [1], [2], [3], [4]]))
    np.testing.assert_array_equal(one_hot, np.eye(3)[[1, 0, 1, 0, 2]])
    counts = ks.layers.Hashing(3, output_mode="count")(np.array([[0, 1, 2, 3, 4]]))
    np.testing.assert_array_equal(counts, [[2.0, 2.0, 1.0]])
    assert ks.layers.Hashing(3, output_mode="multi_hot")(np.array([[0, 1, 2, 3, 4]])).dtype == jnp.float32


def test_hashing_integers_inside_a_compiled_step_equals_eager():
    layer = ks.layers.Hashing(5, mask_value=0)
    x = np.random.default_rng(0).integers(-20, 20, (4, 3)).astype(np.int32)
    eager = layer(x)
    np.testing.assert_array_equal(jax.jit(lambda v: layer(v))(x), eager)
    model = ks.Sequential([ks.Input((3,), dtype="int32"), ks.layers.Hashing(5, output_mode="multi_hot"),
                           ks.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(x, np.ones((4, 1), np.float32), epochs=1, batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_hashed_crossing():
    layer = ks.layers.HashedCrossing(5)
    assert layer((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102]))).tolist() == \
        [1, 4, 1, 1, 3]  # Keras's hashed_crossing_test.py
    one_hot = ks.layers.HashedCrossing(5, output_mode="one_hot")((np.array([["A"], ["B"]]), np.array([[101], [101]])))
    np.testing.assert_array_equal(one_hot, np.eye(5)[[1, 4]])
    ints = (np.array([1, 2, 3], np.int32), np.array([4, 5, 6], np.int32))
    eager = layer(ints)
    np.testing.assert_array_equal(jax.jit(lambda a, b: layer((a, b)))(*ints), eager)


def test_configs_round_trip():
    for layer in [ks.layers.Hashing(4, salt=3, mask_value="x"), ks.layers.Hashing(4, output_mode="count"),
                  ks.layers.Hashing(4, dtype="int32"), ks.layers.HashedCrossing(3, output_mode="one_hot")]:
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
    assert ks.layers.Hashing(4).get_config()["dtype"] == "int64"  # Keras's default for "int" output


def test_errors():
    with pytest.raises(ValueError, match=r"The `num_bins` for `Hashing` cannot be `None` or non-positive values. "
                                         r"Received: num_bins=0"):
        ks.layers.Hashing(0)
    with pytest.raises(ValueError, match=r"Invalid value for argument `output_mode`. Expected one of .*Received: "
                                         r"output_mode=tf_idf \(layer Hashing\)"):
        ks.layers.Hashing(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match=r"When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or "
                                         r"'int64'. Received: dtype=float32"):
        ks.layers.Hashing(3, dtype="float32")
    with pytest.raises(ValueError, match=r"When `output_mode='one_hot'`, `dtype` of Hashing should be a float type"):
        ks.layers.Hashing(3, output_mode="one_hot", dtype="int32")
    with pytest.raises(ValueError, match=r"`sparse` may only be true if `output_mode` is .*Received: sparse=True and "
                                         r"output_mode=int"):
        ks.layers.Hashing(3, sparse=True)
    with pytest.raises(ValueError, match=r"Argument `sparse=True` of Hashing needs sparse tensors"):
        ks.layers.Hashing(3, output_mode="one_hot", sparse=True)
    with pytest.raises(ValueError, match=r"The `salt` argument for `Hashing` can only be a tuple of size 2 integers, "
                                         r"or a single integer. Received: salt=\[1, 2, 3\]"):
        ks.layers.Hashing(3, salt=[1, 2, 3])
    with pytest.raises(ValueError, match=r"`HashedCrossing` should be called on a list or tuple of inputs"):
        ks.layers.HashedCrossing(3)(np.array([1]))
    with pytest.raises(ValueError, match=r"`HashedCrossing` should be called on at least two inputs"):
        ks.layers.HashedCrossing(3)([np.array([1])])
    with pytest.raises(ValueError, match=r"inputs should have shape `\(\)`, `\(batch_size\)` or"):
        ks.layers.HashedCrossing(3)((np.ones((2, 2), int), np.ones((2, 2), int)))
    with pytest.raises(ValueError, match=r"All `HashedCrossing` inputs should have equal shape"):
        ks.layers.HashedCrossing(3)((np.ones(2, int), np.ones(3, int)))
    with pytest.raises(ValueError, match=r"should have an integer or string dtype"):
        ks.layers.HashedCrossing(3)((np.ones(2), np.ones(2)))
    with pytest.raises(ValueError, match=r"Argument `num_bins` of HashedCrossing must be a positive int, received 0"):
        ks.layers.HashedCrossing(0)
