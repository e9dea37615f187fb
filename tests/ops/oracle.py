"""The Keras oracle for `kerasish.ops`: call an op of both libraries on the same inputs and compare.

Keras 3 (JAX backend) computes the expected values, shapes and dtypes; nothing here is computed by
kerasish itself. Inputs are NumPy arrays and Python numbers, which both libraries take.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import keras  # noqa: E402
import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402

from kerasish import ops  # noqa: E402

DTYPES = ("float32", "int32", "int8", "uint8", "bool", "bfloat16", "float16")


def sample(shape: tuple, dtype: str = "float32", seed: int = 0, low: float = -3.0, high: float = 3.0) -> np.ndarray:
    """Random values of `shape` and `dtype` (ints in [low, high], floats uniform in [low, high))."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if "int" in dtype:
        if dtype.startswith("uint"):
            low = max(low, 0)
        return rng.integers(int(low), int(high) + 1, shape).astype(dtype)
    values = rng.uniform(low, high, shape)
    return values.astype(ml_dtypes.bfloat16 if dtype == "bfloat16" else dtype)


def keras_op(name: str):
    """The Keras op `name` ("relu", or "image.resize" for a namespace)."""
    owner = keras.ops
    for part in name.split("."):
        owner = getattr(owner, part)
    return owner


def ours_op(name: str):
    owner = ops
    for part in name.split("."):
        owner = getattr(owner, part)
    return owner


def assert_same(ours: Any, theirs: Any, rtol: float = 1e-5, atol: float = 1e-6, what: str = "") -> None:
    """Same structure (tuples and lists alike), shapes, Keras dtype names, and values within tolerance."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), (what, type(ours), ours)
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, rtol, atol, f"{what}[{i}]")
        return
    if isinstance(theirs, (bool, int, float, str)) or theirs is None:
        assert ours == theirs, (what, ours, theirs)
        return
    theirs_dtype = keras.backend.standardize_dtype(theirs.dtype)
    ours_dtype = keras.backend.standardize_dtype(ours.dtype)
    assert ours_dtype == theirs_dtype, f"{what}: dtype {ours_dtype}, Keras {theirs_dtype}"
    assert tuple(np.shape(ours)) == tuple(np.shape(theirs)), f"{what}: shape {np.shape(ours)}, Keras {np.shape(theirs)}"
    a, b = np.asarray(jax.device_get(ours)), np.asarray(jax.device_get(theirs))
    if a.dtype.kind in "iub":
        np.testing.assert_array_equal(a, b, err_msg=what)
    else:
        if theirs_dtype in ("bfloat16", "float16"):
            rtol, atol = max(rtol, 1e-2), max(atol, 1e-2)
        np.testing.assert_allclose(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64),
                                   b.astype(np.complex128 if b.dtype.kind == "c" else np.float64),
                                   rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def compare(name: str, *args: Any, rtol: float = 1e-5, atol: float = 1e-6, **kwargs: Any) -> Any:
    """Runs op `name` in Keras and kerasish on the same arguments and asserts the results match.

    When Keras raises, kerasish must raise too (any exception: Keras's own messages vary by backend).
    Returns Keras's result (or None when it raised).
    """
    try:
        theirs = keras_op(name)(*args, **kwargs)
    except Exception:  # noqa: BLE001 (Keras rejected the input: so must we)
        try:
            ours_op(name)(*args, **kwargs)
        except Exception:  # noqa: BLE001
            return None
        raise AssertionError(f"Keras raised for {name}{_describe(args, kwargs)} but kerasish computed a result.") \
            from None
    ours = ours_op(name)(*args, **kwargs)
    assert_same(ours, theirs, rtol, atol, f"{name}{_describe(args, kwargs)}")
    return theirs


def _describe(args, kwargs) -> str:
    show = lambda v: f"array{np.shape(v)}:{getattr(v, 'dtype', type(v).__name__)}" if hasattr(v, "shape") else repr(v)
    parts = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def compare_types(name: str, *args: Any, **kwargs: Any) -> None:
    """Like `compare`, but traced only (`jax.eval_shape`: no compilation): the result shapes and dtypes of
    Keras and kerasish agree. NumPy array arguments are traced; every other argument is passed as it is.
    """
    where = [i for i, a in enumerate(args) if isinstance(a, np.ndarray)]
    specs = [jax.ShapeDtypeStruct(args[i].shape, args[i].dtype) for i in where]

    def traced(fn):
        def call(*arrays):
            filled = list(args)
            for i, value in zip(where, arrays):
                filled[i] = value
            return fn(*filled, **kwargs)
        return jax.eval_shape(call, *specs)

    try:
        theirs = traced(keras_op(name))
    except Exception:  # noqa: BLE001
        try:
            traced(ours_op(name))
        except Exception:  # noqa: BLE001
            return
        raise AssertionError(f"Keras raised for {name}{_describe(args, kwargs)} but kerasish computed a result.") \
            from None
    ours = traced(ours_op(name))
    theirs_leaves, theirs_tree = jax.tree.flatten(theirs)
    ours_leaves, ours_tree = jax.tree.flatten(ours)
    what = f"{name}{_describe(args, kwargs)}"
    assert len(ours_leaves) == len(theirs_leaves), (what, ours_tree, theirs_tree)
    for a, b in zip(ours_leaves, theirs_leaves):
        assert (a.shape, keras.backend.standardize_dtype(a.dtype)) == (b.shape, keras.backend.standardize_dtype(
            b.dtype)), f"{what}: {a.shape} {a.dtype}, Keras {b.shape} {b.dtype}"
