"""Element-wise ops of `keras.ops.numpy`: arithmetic, comparisons, logic, bits, rounding, transcendental.

Each op converts its inputs as Keras does (`convert_to_tensor`: Python numbers are weakly typed, so
`bfloat16_array * 2.0` stays bfloat16) and computes with `jax.numpy`. Where Keras's result dtype
differs from `jax.numpy`'s, the op applies Keras's rule, named in its table entry below:

- `"float"`: integer and boolean inputs are cast to `result_type(dtype, float)` (float32) first, so
  `cos`, `tanh`, `floor`, `ceil` of an int32 tensor are float32 (floats keep their dtype);
- `"floatx"`: integer and boolean inputs are cast to `floatx()` (`exp`, `exp2`, `expm1`);
- no rule: `jax.numpy`'s own promotion, which is Keras's (`sqrt` of ints is float32, `square` of
  int8 is int8, `divide` of two ints is float32).

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> ops.cos(jnp.array([0, 1], "int32")).dtype, ops.add(jnp.ones(2, "bfloat16"), 1.5).dtype
  (dtype('float32'), dtype(bfloat16))
  >>> ops.divide_no_nan(jnp.array([1.0, 2.0]), jnp.array([0.0, 4.0])).tolist()
  [0.0, 0.5]
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax.numpy as jnp

from kerasish.backend import floatx, result_type
from kerasish.ops.dispatch import alias, cast, dtype_name, ints_to_floatx, keras_op, tensor, to_float

_CASTS: dict[str | None, Callable] = {None: lambda x: x, "float": to_float, "floatx": ints_to_floatx}


def _unary(name: str, fn: Callable, rule: str | None, what: str) -> Callable:
    prepare = _CASTS[rule]

    def op(x):
        return fn(prepare(tensor(x)))

    note = {"float": " Integer and boolean inputs give float32.", "floatx": " Integer and boolean inputs give "
            "`floatx()` (float32).", None: ""}[rule]
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"{what} of `x`, element-wise (`keras.ops.{name}`).{note}\n\n"
                  f"Args:\n  x: a tensor (or anything `convert_to_tensor` takes).\n\n"
                  f"Returns:\n  A tensor of `x`'s shape.\n")
    return keras_op(op, elementwise=True)


def _binary(name: str, fn: Callable, rule: str | None, what: str) -> Callable:
    float_both = rule == "float"

    def op(x1, x2):
        x1, x2 = tensor(x1), tensor(x2)
        if float_both:
            dtype = result_type(x1.dtype, x2.dtype, float)
            x1, x2 = cast(x1, dtype), cast(x2, dtype)
        return fn(x1, x2)

    note = " Integer and boolean inputs give float32." if float_both else ""
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"{what} of `x1` and `x2`, element-wise with broadcasting (`keras.ops.{name}`).{note}\n\n"
                  f"Args:\n  x1: a tensor.\n  x2: a tensor (or a Python number).\n\n"
                  f"Returns:\n  A tensor of the broadcast shape, of Keras's result dtype.\n")
    return keras_op(op, elementwise=True)


def _bitwise(name: str, fn: Callable, what: str) -> Callable:
    def op(x, y):  # Keras names these arguments x and y
        # A Python int shift amount stays a weak int (it takes x's dtype).
        return fn(tensor(x), y if isinstance(y, int) and name.endswith("shift") else tensor(y))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"{what} of the integer (or bool) tensors `x` and `y`, element-wise (`keras.ops.{name}`).\n\n"
                  f"Returns:\n  A tensor of the broadcast shape.\n")
    return keras_op(op, elementwise=True)


# -- unary ---------------------------------------------------------------------------------------------

absolute = _unary("absolute", jnp.absolute, None, "The absolute value")
abs = alias(absolute, "abs")  # noqa: A001 (Keras's name)
arccos = _unary("arccos", jnp.arccos, "float", "The inverse cosine")
arccosh = _unary("arccosh", jnp.arccosh, "float", "The inverse hyperbolic cosine")
arcsin = _unary("arcsin", jnp.arcsin, "float", "The inverse sine")
arcsinh = _unary("arcsinh", jnp.arcsinh, "float", "The inverse hyperbolic sine")
arctan = _unary("arctan", jnp.arctan, "float", "The inverse tangent")
arctanh = _unary("arctanh", jnp.arctanh, "float", "The inverse hyperbolic tangent")
angle = _unary("angle", jnp.angle, "float", "The complex argument (0 or pi for reals)")
cbrt = _unary("cbrt", jnp.cbrt, None, "The cube root")
ceil = _unary("ceil", jnp.ceil, "float", "The ceiling")
conjugate = _unary("conjugate", jnp.conjugate, None, "The complex conjugate")
conj = alias(conjugate, "conj")
copy = _unary("copy", jnp.copy, None, "A copy")
cos = _unary("cos", jnp.cos, "float", "The cosine")
cosh = _unary("cosh", jnp.cosh, "float", "The hyperbolic cosine")
deg2rad = _unary("deg2rad", jnp.deg2rad, None, "Degrees converted to radians")
rad2deg = _unary("rad2deg", jnp.rad2deg, None, "Radians converted to degrees")
exp = _unary("exp", jnp.exp, "floatx", "The exponential")
exp2 = _unary("exp2", jnp.exp2, "floatx", "2 to the power")
expm1 = _unary("expm1", jnp.expm1, "floatx", "`exp(x) - 1` (accurate near 0)")
floor = _unary("floor", jnp.floor, "float", "The floor")
imag = _unary("imag", jnp.imag, None, "The imaginary part")
real = _unary("real", jnp.real, None, "The real part")
isfinite = _unary("isfinite", jnp.isfinite, None, "Whether finite (a bool tensor)")
isinf = _unary("isinf", jnp.isinf, None, "Whether infinite (a bool tensor)")
isnan = _unary("isnan", jnp.isnan, None, "Whether NaN (a bool tensor)")
isneginf = _unary("isneginf", jnp.isneginf, None, "Whether minus infinity (a bool tensor)")
isposinf = _unary("isposinf", jnp.isposinf, None, "Whether plus infinity (a bool tensor)")
isreal = _unary("isreal", jnp.isreal, None, "Whether the imaginary part is zero (a bool tensor)")
log = _unary("log", jnp.log, None, "The natural logarithm")
log10 = _unary("log10", jnp.log10, None, "The base-10 logarithm")
log1p = _unary("log1p", jnp.log1p, None, "`log(1 + x)` (accurate near 0)")
log2 = _unary("log2", jnp.log2, None, "The base-2 logarithm")
logical_not = _unary("logical_not", jnp.logical_not, None, "The logical negation (a bool tensor)")
negative = _unary("negative", jnp.negative, None, "The negation")
reciprocal = _unary("reciprocal", jnp.reciprocal, None, "`1 / x`")
sign = _unary("sign", jnp.sign, None, "The sign (-1, 0 or 1)")
signbit = _unary("signbit", jnp.signbit, None, "Whether the sign bit is set (a bool tensor)")
sin = _unary("sin", jnp.sin, "float", "The sine")
sinc = _unary("sinc", jnp.sinc, "float", "The normalized sinc, `sin(pi x) / (pi x)`")
sinh = _unary("sinh", jnp.sinh, "float", "The hyperbolic sine")
sqrt = _unary("sqrt", jnp.sqrt, None, "The square root")
square = _unary("square", jnp.square, None, "The square")
tan = _unary("tan", jnp.tan, "float", "The tangent")
tanh = _unary("tanh", jnp.tanh, "float", "The hyperbolic tangent")
bitwise_invert = _unary("bitwise_invert", jnp.invert, None, "The bitwise NOT")
bitwise_not = alias(bitwise_invert, "bitwise_not")


@keras_op(elementwise=True)
def fabs(x):
    """The absolute value of `x` as a float, element-wise (`keras.ops.fabs`).

    Args:
      x: a real tensor.

    Returns:
      A float tensor of `x`'s shape (ints give float32).

    Raises:
      TypeError: for a complex `x` (use `absolute`).

    Example:
      >>> import jax.numpy as jnp
      >>> fabs(jnp.array([-2, 3])).tolist()
      [2.0, 3.0]
    """
    x = tensor(x)
    if "complex" in dtype_name(x):
        raise TypeError(f"fabs does not take complex inputs (use `absolute`), received x of dtype {x.dtype}.")
    return jnp.fabs(x)


@keras_op(elementwise=True)
def trunc(x):
    """`x` rounded towards zero, element-wise (`keras.ops.trunc`); integer and bool tensors are returned as
    they are.

    Example:
      >>> import jax.numpy as jnp
      >>> trunc(jnp.array([-1.7, 2.5])).tolist()
      [-1.0, 2.0]
    """
    x = tensor(x)
    name = dtype_name(x)
    return x if "int" in name or name == "bool" else jnp.trunc(x)


@keras_op(elementwise=True)
def i0(x):
    """The modified Bessel function of the first kind, order 0, element-wise (`keras.ops.i0`).

    float16 and bfloat16 inputs keep their dtype; every other input computes in `floatx()`.

    Example:
      >>> import jax.numpy as jnp
      >>> f"{float(i0(jnp.array(1.0))):.4f}"  # I0(1)
      '1.2661'
    """
    x = tensor(x)
    name = dtype_name(x)
    return jnp.i0(x if name in ("bfloat16", "float16") else cast(x, floatx()))


@keras_op(elementwise=True)
def round(x, decimals=0):  # noqa: A001 (Keras's name)
    """`x` rounded to `decimals` decimal places, halves to even (`keras.ops.round`).

    Integer tensors with a negative `decimals` round to tens, hundreds, ... and keep their dtype.

    Args:
      x: a tensor.
      decimals: an int; negative values round left of the decimal point.

    Returns:
      A tensor of `x`'s shape and dtype.

    Raises:
      TypeError: for a `decimals` that is not an int.

    Example:
      >>> import jax.numpy as jnp
      >>> round(jnp.array([0.5, 1.5, 2.345]), 1).tolist() == [0.5, 1.5, jnp.float32(2.3).item()]
      True
    """
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise TypeError(f"Argument `decimals` of round must be an int, received {decimals!r}.")
    x = tensor(x)
    name = dtype_name(x)
    if "int" in name and decimals < 0:
        factor = jnp.asarray(math.pow(10, decimals), floatx())
        return cast(jnp.round(cast(x, floatx()) * factor) / factor, name)
    return jnp.round(x, decimals=decimals)


@keras_op(elementwise=True)
def clip(x, x_min, x_max):
    """`x` limited to `[x_min, x_max]`, element-wise (`keras.ops.clip`); a bool `x` is clipped as int32.

    Args:
      x: a tensor.
      x_min: the lower bound (a number or a broadcastable tensor).
      x_max: the upper bound.

    Returns:
      A tensor of `x`'s shape.

    Example:
      >>> import jax.numpy as jnp
      >>> clip(jnp.array([-2.0, 0.5, 3.0]), 0.0, 1.0).tolist()
      [0.0, 0.5, 1.0]
    """
    x = tensor(x)
    if dtype_name(x) == "bool":
        x = cast(x, "int32")
    return jnp.clip(x, x_min, x_max)


# -- binary --------------------------------------------------------------------------------------------

add = _binary("add", jnp.add, None, "The sum")
subtract = _binary("subtract", jnp.subtract, None, "The difference")
multiply = _binary("multiply", jnp.multiply, None, "The product")
divide = _binary("divide", jnp.divide, None, "The true quotient")
true_divide = _binary("true_divide", jnp.divide, None, "The true quotient")
power = _binary("power", jnp.power, None, "`x1` to the power `x2`")
mod = _binary("mod", jnp.mod, None, "The remainder, with the sign of `x2`")
fmod = _binary("fmod", jnp.fmod, None, "The remainder, with the sign of `x1`")
floor_divide = _binary("floor_divide", jnp.floor_divide, None, "The floored quotient")
maximum = _binary("maximum", jnp.maximum, None, "The larger (NaN wins)")
minimum = _binary("minimum", jnp.minimum, None, "The smaller (NaN wins)")
fmax = _binary("fmax", jnp.fmax, None, "The larger (NaN loses)")
fmin = _binary("fmin", jnp.fmin, None, "The smaller (NaN loses)")
equal = _binary("equal", jnp.equal, None, "Whether equal (a bool tensor)")
not_equal = _binary("not_equal", jnp.not_equal, None, "Whether different (a bool tensor)")
greater = _binary("greater", jnp.greater, None, "Whether `x1 > x2` (a bool tensor)")
greater_equal = _binary("greater_equal", jnp.greater_equal, None, "Whether `x1 >= x2` (a bool tensor)")
less = _binary("less", jnp.less, None, "Whether `x1 < x2` (a bool tensor)")
less_equal = _binary("less_equal", jnp.less_equal, None, "Whether `x1 <= x2` (a bool tensor)")
logical_and = _binary("logical_and", jnp.logical_and, None, "The logical AND (a bool tensor)")
logical_or = _binary("logical_or", jnp.logical_or, None, "The logical OR (a bool tensor)")
logical_xor = _binary("logical_xor", jnp.logical_xor, None, "The logical XOR (a bool tensor)")
hypot = _binary("hypot", jnp.hypot, None, "`sqrt(x1**2 + x2**2)`")
heaviside = _binary("heaviside", jnp.heaviside, None, "The Heaviside step of `x1` (`x2` where `x1 == 0`)")
gcd = _binary("gcd", jnp.gcd, None, "The greatest common divisor")
lcm = _binary("lcm", jnp.lcm, None, "The least common multiple")
nextafter = _binary("nextafter", jnp.nextafter, None, "The next float after `x1` towards `x2`")
arctan2 = _binary("arctan2", jnp.arctan2, "float", "The angle of the point (x2, x1)")
logaddexp = _binary("logaddexp", jnp.logaddexp, "float", "`log(exp(x1) + exp(x2))`")
logaddexp2 = _binary("logaddexp2", jnp.logaddexp2, "float", "`log2(2**x1 + 2**x2)`")
bitwise_and = _bitwise("bitwise_and", jnp.bitwise_and, "The bitwise AND")
bitwise_or = _bitwise("bitwise_or", jnp.bitwise_or, "The bitwise OR")
bitwise_xor = _bitwise("bitwise_xor", jnp.bitwise_xor, "The bitwise XOR")
bitwise_left_shift = _bitwise("bitwise_left_shift", jnp.left_shift, "`x` shifted left by `y` bits")
bitwise_right_shift = _bitwise("bitwise_right_shift", jnp.right_shift, "`x` shifted right by `y` bits")
left_shift = _bitwise("left_shift", jnp.left_shift, "`x` shifted left by `y` bits")
right_shift = _bitwise("right_shift", jnp.right_shift, "`x` shifted right by `y` bits")


@keras_op(elementwise=True)
def divide_no_nan(x1, x2):
    """`x1 / x2`, with 0 where `x2` is 0 (`keras.ops.divide_no_nan`).

    Example:
      >>> import jax.numpy as jnp
      >>> divide_no_nan(jnp.array([3.0, 1.0]), jnp.array([0.0, 2.0])).tolist()
      [0.0, 0.5]
    """
    x1, x2 = tensor(x1), tensor(x2)
    zero = x2 == 0
    return jnp.where(zero, 0, jnp.divide(x1, jnp.where(zero, 1, x2)))


@keras_op(elementwise=True)
def ldexp(x1, x2):
    """`x1 * 2**x2`, element-wise (`keras.ops.ldexp`).

    Raises:
      TypeError: when `x2` is not an integer tensor.

    Example:
      >>> import jax.numpy as jnp
      >>> ldexp(jnp.array([1.0, 3.0]), jnp.array([2, 1])).tolist()
      [4.0, 6.0]
    """
    x1, x2 = tensor(x1), tensor(x2)
    if "int" not in dtype_name(x2):
        raise TypeError(f"Argument `x2` of ldexp (the exponent) must be an integer tensor, received dtype {x2.dtype}.")
    return jnp.ldexp(x1, x2)


@keras_op(elementwise=True)
def where(condition, x1=None, x2=None):
    """`x1` where `condition` holds, else `x2`; with neither, the indices where it holds (`keras.ops.where`).

    Args:
      condition: a bool tensor (or anything truthy element-wise).
      x1: the values taken where `condition` is True.
      x2: the values taken elsewhere.

    Returns:
      A tensor of the broadcast shape; with `x1` and `x2` both None, a tuple of index tensors, one per
      axis of `condition` (not usable under `jit`: its size depends on the values).

    Raises:
      ValueError: when only one of `x1` and `x2` is given.

    Example:
      >>> import jax.numpy as jnp
      >>> where(jnp.array([True, False]), 1.0, 0.0).tolist()
      [1.0, 0.0]
    """
    if (x1 is None) != (x2 is None):
        raise ValueError(f"Arguments `x1` and `x2` of where must both be given or both be None, received "
                         f"x1={'None' if x1 is None else 'a value'} and x2={'None' if x2 is None else 'a value'}.")
    if x1 is None:
        return jnp.where(tensor(condition))
    return jnp.where(tensor(condition), tensor(x1), tensor(x2))


__all__ = sorted(name for name, value in globals().items() if callable(value) and hasattr(value, "elementwise"))
