"""Reductions, sorting and counting against Keras 3: values on float32 / int32 inputs, result dtypes and
shapes for every dtype, over the axis forms Keras takes."""

import jax.numpy as jnp
import pytest

from kerasish import ops
from tests.ops.oracle import DTYPES, compare, compare_types, sample

REDUCTIONS = ["sum", "mean", "max", "min", "amax", "amin", "prod", "std", "var", "all", "any", "ptp", "nanmax",
              "nanmin", "nanmean", "nanprod", "nanstd", "nansum", "nanvar", "median", "nanmedian", "logsumexp"]
AXES = [None, 0, -1, (0, 2)]


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_match_keras(name):
    compare(name, sample((2, 3, 4), "float32", seed=1), axis=(0, 2))
    compare(name, sample((2, 3, 4), "int32", seed=1), axis=1, keepdims=True)
    for dtype in DTYPES:
        for axis in AXES:
            compare_types(name, sample((2, 3, 4), dtype), axis=axis)
        compare_types(name, sample((2, 3, 4), dtype), axis=1, keepdims=True)


@pytest.mark.parametrize("name", ["argmax", "argmin", "nanargmax", "nanargmin"])
def test_arg_reductions_match_keras(name):
    compare(name, sample((3, 4), "float32", seed=2), axis=1, keepdims=True)
    compare(name, sample((3, 4), "int32", seed=2))
    compare(name, jnp.array([-0.0, 0.0, -0.0]))  # Keras's -0.0 < 0.0 rule
    for dtype in DTYPES:
        for axis in (None, 0, -1):
            compare_types(name, sample((3, 4), dtype), axis=axis)


@pytest.mark.parametrize("name", ["sort", "argsort", "cumsum", "cumprod", "nancumsum", "nancumprod"])
def test_orderings_and_running_totals_match_keras(name):
    compare(name, sample((3, 4), "float32", seed=3), axis=0)
    compare(name, sample((3, 4), "int32", seed=3), axis=-1)
    for dtype in DTYPES:
        for axis in (0, -1) + ((None,) if name.startswith(("cum", "nancum")) else ()):
            compare_types(name, sample((3, 4), dtype), axis=axis)
    if name.startswith(("cum", "nancum")):
        compare(name, sample((3, 4), "int32", seed=3), axis=0, dtype="float32")


def test_max_min_initial_and_prod_dtype_match_keras():
    x = sample((3, 4), "float32", seed=4)
    compare("max", x, axis=0, initial=2.0)
    compare("min", x, initial=-1.0)
    compare("prod", sample((3, 4), "int8", seed=4, low=-2, high=2), axis=1, dtype="int32")
    compare("argsort", jnp.array(3.0))


def test_counts_quantiles_and_averages_match_keras():
    x = sample((4, 5), "float32", seed=5)
    compare("count_nonzero", sample((4, 5), "int32", seed=5, low=-1, high=1), axis=1)
    compare("count_nonzero", x)
    for method in ("linear", "nearest"):
        compare("quantile", x, 0.3, axis=1, method=method)
    compare("quantile", x, jnp.array([0.2, 0.9]), keepdims=True)
    compare("percentile", x, 40.0, axis=0)
    compare("nanquantile", x, 0.5, axis=1)
    compare("nanpercentile", x, 50.0)
    compare("average", x, axis=1, weights=sample((5,), "float32", seed=6, low=0.1))
    compare("average", sample((4, 5), "int32", seed=5))
    compare("argpartition", x, 2, axis=-1)


def test_counting_ops_match_keras():
    ints = jnp.array([0, 3, 3, 1, 5], "int32")
    compare("bincount", ints)
    compare("bincount", ints, minlength=8)
    compare("bincount", ints, weights=jnp.arange(5.0))
    compare("unique", ints)
    compare("unique", ints, return_counts=True, return_inverse=True)
    compare("unique", ints, size=6, fill_value=-1)
    compare("histogram", sample((20,), "float32", seed=7), bins=4)
    compare("histogram", sample((20,), "float32", seed=7), bins=3, range=(-1.0, 1.0))


def test_bincount_of_rows_uses_one_length():
    counts = ops.bincount(jnp.array([[0, 1], [3, 3]]))
    assert counts.tolist() == [[1, 1, 0, 0], [0, 0, 0, 2]]


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.quantile(jnp.ones(3), 0.5, method="cubic"), ValueError,
     r"Argument `method` of quantile must be one of .*'linear'.*, received 'cubic'"),
    (lambda: ops.bincount(jnp.ones(3, "int32"), sparse=True), ValueError, "`sparse` of bincount must be False"),
    (lambda: ops.bincount(jnp.ones((1, 1, 1), "int32")), ValueError, r"bincount must be 1-D or 2-D, received shape"),
    (lambda: ops.histogram(jnp.ones(3), bins=2.5), TypeError, "Argument `bins` of histogram must be an int"),
    (lambda: ops.histogram(jnp.ones(3), bins=-1), ValueError, "must be a non-negative int, received -1"),
    (lambda: ops.histogram(jnp.ones(3), range=[0, 1]), ValueError, r"must be a tuple \(low, high\)"),
    (lambda: ops.histogram(jnp.ones(3), range=(1, 0)), ValueError, "must have low <= high"),
    (lambda: ops.histogram(jnp.ones((2, 2))), ValueError, "Argument `x` of histogram must be 1-D"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
