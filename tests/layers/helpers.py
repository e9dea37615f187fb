"""Shared checks for layer tests: `check_layer` (the contract) and `keras_oracle_error` (Keras 3 parity)."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

import kerasish as ks


def sample_input(input_shape: tuple, dtype: str = "float32", max_id: int | None = None, seed: int = 0) -> np.ndarray:
    """A random batch of `input_shape` (batch size included): normal floats, or ints in `[0, max_id)`."""
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0, max_id or 10, input_shape).astype(dtype)
    return rng.normal(size=input_shape).astype(dtype)


def check_layer(layer: ks.layers.Layer, input_shape: tuple, expected_output_shape: tuple | None = None, *,
                dtype: str = "float32", max_id: int | None = None, trains: bool | None = None) -> np.ndarray:
    """Checks the layer contract on a batch of `input_shape` (batch axis first, e.g. `(4, 6, 3)`).

    1. Calling the layer builds it; the output's shape matches `compute_output_shape` (and
       `expected_output_shape`, batch axis None, when given) and its dtype is float32.
    2. `from_config(get_config())` gives an equal config, and, with the same weights, the same outputs.
    3. One epoch of `fit` on `Sequential([Input, layer, Flatten, Dense(1)])` gives finite losses and
       moves the layer's trainable weights (when `trains`, default: it has some).

    Returns:
      The layer's output on the sample batch, as NumPy.
    """
    x = sample_input(input_shape, dtype, max_id)
    y = layer(jnp.asarray(x))
    shape = layer.compute_output_shape((None,) + tuple(input_shape[1:]))
    assert shape[0] is None and tuple(y.shape) == (input_shape[0],) + tuple(shape[1:]), (y.shape, shape)
    if expected_output_shape is not None:
        assert shape == tuple(expected_output_shape), (shape, expected_output_shape)
    assert y.dtype == jnp.float32, y.dtype

    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    clone.build_for((None,) + tuple(input_shape[1:]))
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(jnp.asarray(x)), y, rtol=1e-6, atol=1e-6)

    model = ks.Sequential([ks.Input(input_shape[1:], dtype=dtype), layer, ks.layers.Flatten(), ks.layers.Dense(1)])
    model.compile(optimizer=ks.optimizers.SGD(0.01), loss="mse")
    before = [np.asarray(w[...]) for w in layer.trainable_weights]
    targets = np.random.default_rng(1).normal(size=(input_shape[0], 1)).astype(np.float32)
    history = model.fit(x, targets, batch_size=max(1, input_shape[0] // 2), epochs=1, shuffle=False, verbose=0)
    assert np.isfinite(history.history["loss"]).all(), history.history
    if trains is None:
        trains = bool(before)
    if trains:
        after = [np.asarray(w[...]) for w in layer.trainable_weights]
        assert any(not np.array_equal(a, b) for a, b in zip(before, after)), "fit did not move the layer's weights"
    return np.asarray(y)


def randomize_keras_weights(keras_layer: Any, seed: int = 0) -> list[np.ndarray]:
    """Gives every weight of a built Keras layer random values (variances stay positive) and returns them."""
    rng = np.random.default_rng(seed)
    values = []
    for variable in keras_layer.weights:
        value = rng.normal(size=variable.shape).astype(np.float32)
        if "variance" in variable.path:
            value = np.abs(value) + 0.5
        values.append(value)
    keras_layer.set_weights(values)
    return values


def keras_oracle_error(keras_layer: Any, layer: ks.layers.Layer, x: np.ndarray, training: bool = False,
                       randomize: bool = True) -> float:
    """Max |ours - Keras| on `x` after copying the Keras layer's (randomized) weights into ours.

    Both layers are built on `x`'s shape; `layer.set_weights(keras_layer.get_weights())` must accept
    Keras's weight list as is (order and shapes).
    """
    keras_layer(x)  # builds
    if randomize:
        randomize_keras_weights(keras_layer)
    layer.build_for((None,) + x.shape[1:])
    layer.set_weights(keras_layer.get_weights())
    expected = np.asarray(keras_layer(x, training=training))
    got = np.asarray(layer(jnp.asarray(x), training=training))
    assert got.shape == expected.shape, (got.shape, expected.shape)
    return float(np.max(np.abs(got - expected))) if got.size else 0.0



def assert_keras_parity(name: str, config: dict, input_shape: Any, *, call_kwargs: dict | None = None,
                        training: bool = False, extra_config_keys: tuple = (), seed: int = 0,
                        positive_weights: bool = False) -> None:
    """Builds `ks.layers.<name>(**config)` and `keras.layers.<name>(**config)` on random inputs of `input_shape` (a
    shape, or a list of shapes for several inputs), copies Keras's randomized weights into ours and checks:
    the outputs (rtol 1e-5), their dtypes, `compute_output_shape`, and that both configs have the same keys (ours
    may add `extra_config_keys`)."""
    import jax
    import keras

    several = isinstance(input_shape, list)
    shapes = input_shape if several else [input_shape]
    xs = [sample_input(tuple(s), seed=seed + i) for i, s in enumerate(shapes)]
    x_keras = xs if several else xs[0]
    x_ours = [jnp.asarray(x) for x in xs] if several else jnp.asarray(xs[0])
    theirs = getattr(keras.layers, name)(**config)
    ours = getattr(ks.layers, name)(**config)
    call_kwargs = dict(call_kwargs or {})
    if training:
        call_kwargs["training"] = True
    theirs(x_keras, **call_kwargs)
    values = randomize_keras_weights(theirs, seed)
    if positive_weights:
        values = [np.abs(v) + 0.1 for v in values]
        theirs.set_weights(values)
    build_shapes = [(None,) + tuple(s[1:]) for s in shapes]
    ours.build_for(build_shapes if several else build_shapes[0])
    ours.set_weights(theirs.get_weights())
    expected = theirs(x_keras, **call_kwargs)
    got = ours(x_ours, **call_kwargs)
    expected_leaves, got_leaves = jax.tree.leaves(expected), jax.tree.leaves(got)
    assert len(expected_leaves) == len(got_leaves), (expected, got)
    for e, g in zip(expected_leaves, got_leaves):
        assert tuple(g.shape) == tuple(e.shape), (g.shape, e.shape)
        assert ks.backend.standardize_dtype(g.dtype) == ks.backend.standardize_dtype(e.dtype), (g.dtype, e.dtype)
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=1e-5, atol=1e-5)
    keras_shape = theirs.compute_output_shape(build_shapes if several else build_shapes[0])
    our_shape = ours.compute_output_shape(build_shapes if several else build_shapes[0])
    as_tuples = lambda s: tuple(s) if all(d is None or isinstance(d, int) for d in s) else [as_tuples(t) for t in s]
    assert as_tuples(our_shape) == as_tuples(keras_shape), (our_shape, keras_shape)
    keras_keys = set(theirs.get_config()) - {"quantization_config", "build_config"}
    assert set(ours.get_config()) == keras_keys | set(extra_config_keys), (
        set(ours.get_config()) ^ keras_keys)
