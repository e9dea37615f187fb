"""Element-wise ops against Keras 3 on random inputs: values for float32 / int32 / bool inputs, and result
dtypes and shapes (traced, no compilation) for every dtype Keras defines results for."""

import jax.numpy as jnp
import numpy as np
import pytest

from kerasish import ops
from tests.ops.oracle import DTYPES, compare, compare_types, sample

UNARY = ["abs", "absolute", "angle", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "bitwise_invert",
         "bitwise_not", "cbrt", "ceil", "conj", "conjugate", "copy", "cos", "cosh", "deg2rad", "exp", "exp2", "expm1",
         "fabs", "floor", "i0", "imag", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal", "log", "log10",
         "log1p", "log2", "logical_not", "negative", "rad2deg", "real", "reciprocal", "round", "sign", "signbit",
         "sin", "sinc", "sinh", "sqrt", "square", "tan", "tanh", "trunc", "erf", "erfc", "erfinv", "rsqrt"]

BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "power", "mod", "fmod", "floor_divide", "maximum",
          "minimum", "fmax", "fmin", "equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
          "logical_and", "logical_or", "logical_xor", "hypot", "heaviside", "gcd", "lcm", "nextafter", "arctan2",
          "logaddexp", "logaddexp2", "divide_no_nan", "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift",
          "right_shift", "bitwise_left_shift", "bitwise_right_shift"]

VALUE_DTYPES = ("float32", "int32")
#: (first dtype, second operand): arrays of a dtype, or Python numbers (weak types).
VALUE_PAIRS = [("float32", "float32"), ("int32", 2)]
TYPE_PAIRS = [("int32", "float32"), ("bfloat16", 1.5), ("int32", "int32"), ("bool", "bool"), ("int8", "uint8"),
              ("float32", 0.5), ("float16", "int32"), ("uint8", "int8"), ("bfloat16", "float16"), ("int8", 3),
              ("bool", 2.0)]


@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_match_keras(name):
    for dtype in VALUE_DTYPES:
        compare(name, sample((3, 4), dtype, seed=1, low=-0.9, high=2.5))
    for dtype in DTYPES:
        compare_types(name, sample((3, 4), dtype))


def _operands(pair):
    first, second = pair
    x1 = sample((3, 4), first, seed=2, low=-4, high=4)
    return x1, (second if not isinstance(second, str) else sample((4,), second, seed=3, low=1, high=4))


@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_match_keras(name):
    for pair in VALUE_PAIRS:
        x1, x2 = _operands(pair)
        compare(name, x1, x2)
        compare(name, x2, x1)
    for pair in TYPE_PAIRS:
        x1, x2 = _operands(pair)
        compare_types(name, x1, x2)
        compare_types(name, x2, x1)


def test_round_decimals_match_keras():
    for dtype in ("float32", "int32"):
        for decimals in (0, 1, -1):
            compare("round", sample((5,), dtype, seed=4, low=-60, high=60), decimals)


def test_clip_and_where_match_keras():
    for dtype in ("float32", "int32", "bool"):
        compare("clip", sample((3, 4), dtype, seed=5), 0, 2)
        compare("clip", sample((3, 4), dtype, seed=5), -1.5, 0.5)
        condition = sample((3, 4), "bool", seed=6)
        compare("where", condition, sample((3, 4), dtype, seed=7), sample((4,), dtype, seed=8))
    compare("where", sample((3, 4), "bool", seed=6), 1.0, 0)
    compare("where", sample((3, 4), "bool", seed=6))
    compare("ldexp", sample((3,), "float32"), np.array([1, -2, 3], "int32"))


def test_python_scalars_are_weakly_typed():
    bf16 = jnp.ones(2, jnp.bfloat16)
    assert ops.add(bf16, 1.5).dtype == jnp.bfloat16 and ops.multiply(2, bf16).dtype == jnp.bfloat16
    assert ops.add(jnp.ones(2, "int8"), 3).dtype == jnp.int8


def test_fabs_refuses_complex():
    with pytest.raises(TypeError, match="fabs does not take complex inputs"):
        ops.fabs(jnp.array([1 + 2j]))


def test_round_refuses_float_decimals():
    with pytest.raises(TypeError, match="Argument `decimals` of round must be an int, received 1.5"):
        ops.round(jnp.ones(2), 1.5)


def test_ldexp_refuses_float_exponents():
    with pytest.raises(TypeError, match="Argument `x2` of ldexp .* must be an integer tensor, received dtype float32"):
        ops.ldexp(jnp.ones(2), jnp.ones(2))


def test_where_needs_both_branches_or_none():
    with pytest.raises(ValueError, match="Arguments `x1` and `x2` of where must both be given or both be None"):
        ops.where(jnp.array([True]), 1.0)
