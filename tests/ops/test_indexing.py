"""Ops that pick, search or compare elements, against Keras 3."""

import jax.numpy as jnp
import numpy as np
import pytest

from kerasish import ops
from tests.ops.oracle import compare, sample

X = sample((3, 4), "float32", seed=1)
IDX = np.array([[2, 0, 1, 1], [0, 0, 2, 1], [1, 2, 0, 0]], "int32")

CASES = [
    ("take", (X, np.array([2, 0])), {"axis": 1}), ("take", (X, np.array([[1, 5], [11, 0]])), {}),
    ("take", (X, np.array([-1, 0])), {"axis": 0}), ("take", (X, 1), {"axis": 1}),
    ("take_along_axis", (X, IDX), {"axis": 0}), ("take_along_axis", (X, np.argsort(X, axis=1)), {"axis": 1}),
    ("take_along_axis", (X.ravel(), np.array([3, 1])), {"axis": None}),
    ("get_item", (X, 1), {}), ("get_item", (X, (slice(None), slice(1, 3))), {}), ("get_item", (X, (Ellipsis, 0)), {}),
    ("get_item", (X, (None, slice(None, None, 2))), {}), ("get_item", (X, np.array([2, 0])), {}),
    ("select", ([X > 0, X < -1], [X, -X]), {}), ("select", ([X > 0], [X]), {"default": 7.0}),
    ("nonzero", (np.array([[0, 1], [2, 0]]),), {}), ("searchsorted", (np.array([1.0, 3.0, 5.0]), X), {}),
    ("searchsorted", (np.array([1, 3, 5]), np.array([3, 6])), {"side": "right"}),
    ("digitize", (X, np.array([-1.0, 0.0, 1.0])), {}), ("isin", (IDX, np.array([0, 2])), {}),
    ("isin", (IDX, np.array([0, 2])), {"invert": True}), ("unravel_index", (np.array([1, 7]), (2, 4)), {}),
    ("nan_to_num", (np.array([np.nan, np.inf, -np.inf, 1.0], "float32"),), {}),
    ("nan_to_num", (np.array([np.nan, np.inf, -np.inf], "float32"),), {"nan": 1.0, "posinf": 9.0, "neginf": -9.0}),
    ("isclose", (X, X + 1e-6), {}), ("isclose", (X, X + 0.1), {"atol": 0.2}),
    ("isclose", (np.array([np.nan]), np.array([np.nan])), {"equal_nan": True}), ("allclose", (X, X + 1e-7), {}),
    ("allclose", (X, X * 1.1), {"rtol": 0.01}), ("view", (np.array([1.0, 2.0], "float32"), "int32"), {}),
    ("view", (np.array([1, 2], "int32"), "uint8"), {}),
]


@pytest.mark.parametrize("name, args, kwargs", CASES, ids=lambda v: str(v)[:20])
def test_indexing_ops_match_keras(name, args, kwargs):
    compare(name, *args, **kwargs)


def test_vectorize_matches_keras():
    import keras

    x, y = sample((3, 2), "float32"), sample((2,), "float32", seed=2)
    ours = ops.vectorize(lambda a, b: a * b + 1)(x, y)
    np.testing.assert_allclose(ours, keras.ops.vectorize(lambda a, b: a * b + 1)(x, y), rtol=1e-6)
    dot = ops.vectorize(lambda a, b: jnp.sum(a * b), signature="(n),(n)->()")
    np.testing.assert_allclose(dot(x, y), keras.ops.vectorize(lambda a, b: jnp.sum(a * b), signature="(n),(n)->()")(
        x, y), rtol=1e-6)


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.select(X > 0, [X]), ValueError, "Arguments `condlist` and `choicelist` of select must be lists"),
    (lambda: ops.select([], []), ValueError, "must not be empty"),
    (lambda: ops.searchsorted(jnp.ones((2, 2)), jnp.ones(2)), ValueError,
     "Argument `sorted_sequence` of searchsorted must be 1-D"),
    (lambda: ops.searchsorted(jnp.ones(2), jnp.ones(2), side="middle"), ValueError,
     "Argument `side` of searchsorted must be 'left' or 'right'"),
    (lambda: ops.vectorize(3), ValueError, "Argument `pyfunc` of vectorize must be callable"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
