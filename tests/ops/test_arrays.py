"""Creation and rearrangement ops against Keras 3: values, shapes and dtypes (Keras's float32 defaults)."""

import jax
import jax.numpy as jnp
import pytest

from kerasish import ops
from tests.ops.oracle import DTYPES, compare, compare_types, sample

CREATION = [
    ("zeros", ((2, 3),), {}), ("zeros", ((2,),), {"dtype": "int32"}), ("ones", ((3,),), {}),
    ("ones", ((2, 2),), {"dtype": "bool"}), ("empty", ((2,),), {}), ("full", ((2, 2), 3), {}),
    ("full", ((2,), 1.5), {"dtype": "bfloat16"}), ("full", ((2,), True), {"dtype": "bool"}),
    ("eye", (3,), {}), ("eye", (2, 4, 1), {"dtype": "int32"}), ("identity", (3,), {}), ("tri", (3, 4, -1), {}),
    ("arange", (5,), {}), ("arange", (1, 7, 2), {}), ("arange", (0.0, 1.0, 0.25), {}),
    ("arange", (3,), {"dtype": "float32"}),
    ("arange", (2, 5.0), {}), ("linspace", (0.0, 1.0, 5), {}), ("linspace", (0, 10, 4), {"endpoint": False}),
    ("linspace", (0.0, 1.0, 3), {"retstep": True}), ("logspace", (0.0, 2.0, 3), {}), ("geomspace", (1.0, 8.0, 4), {}),
    ("array", ([1, 2],), {}), ("array", ([1.5, 2.0],), {"dtype": "float32"}), ("bartlett", (5,), {}),
    ("blackman", (5,), {}), ("hamming", (5,), {}), ("hanning", (5,), {}), ("kaiser", (5, 2.0), {}),
]


@pytest.mark.parametrize("name, args, kwargs", CREATION, ids=lambda v: str(v)[:30])
def test_creation_matches_keras(name, args, kwargs):
    compare(name, *args, **kwargs)


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like"])
def test_like_ops_match_keras(name):
    for dtype in DTYPES:
        check = compare if dtype in ("float32", "int32") else compare_types
        check(name, sample((2, 3), dtype))
    compare(name, sample((2, 3), "int32"), dtype="float32")
    compare("full_like", sample((2, 3), "int32"), 4)
    compare("full_like", sample((2, 3), "float32"), 4, dtype="int8")


def _x(shape=(2, 3, 4), dtype="float32"):
    return sample(shape, dtype, seed=1)


REARRANGING = [
    ("reshape", (_x(), (6, 4)), {}), ("reshape", (_x(), (-1,)), {}), ("reshape", (_x(), 24), {}),
    ("transpose", (_x(),), {}), ("transpose", (_x(), (1, 0, 2)), {}), ("expand_dims", (_x(), 1), {}),
    ("expand_dims", (_x(), (0, -1)), {}), ("squeeze", (_x((2, 1, 3, 1)),), {}), ("squeeze", (_x((2, 1, 3, 1)), 1), {}),
    ("squeeze", (_x((2, 1, 3, 1)), (1, 3)), {}), ("concatenate", ([_x(), _x()],), {"axis": -1}),
    ("concatenate", ([_x((2, 3)), _x((1, 3), "int32")],), {}), ("stack", ([_x(), _x()],), {"axis": 1}),
    ("hstack", ([_x((2, 3)), _x((2, 1))],), {}), ("vstack", ([_x((2, 3)), _x((1, 3))],), {}),
    ("dstack", ([_x((2, 3)), _x((2, 3))],), {}), ("append", (_x((2, 3)), _x((1, 3))), {"axis": 0}),
    ("append", (_x((2, 3)), _x((2,))), {}), ("split", (_x((6, 2)), 3), {}), ("split", (_x((6, 2)), [1, 4]), {}),
    ("split", (_x((2, 6)), 2), {"axis": 1}), ("array_split", (_x((7, 2)), 3), {}), ("hsplit", (_x((2, 4)), 2), {}),
    ("vsplit", (_x((4, 2)), 2), {}), ("dsplit", (_x((2, 2, 4)), 2), {}), ("tile", (_x((2, 3)), (2, 1)), {}),
    ("tile", (_x((3,)), 2), {}), ("repeat", (_x((2, 3)), 2), {}), ("repeat", (_x((2, 3)), 2), {"axis": 1}),
    ("repeat", (_x((2, 3)), [1, 3]), {"axis": 0}), ("flip", (_x(),), {}), ("flip", (_x(), 1), {}),
    ("flip", (_x(), (0, 2)), {}), ("fliplr", (_x((2, 3)),), {}), ("flipud", (_x((2, 3)),), {}),
    ("roll", (_x(), 2), {}), ("roll", (_x(), -1), {"axis": 1}), ("rot90", (_x((2, 3)),), {}),
    ("rot90", (_x(), 2), {"axes": (1, 2)}), ("moveaxis", (_x(), 0, -1), {}), ("moveaxis", (_x(), (0, 1), (2, 0)), {}),
    ("swapaxes", (_x(), 0, 2), {}), ("broadcast_to", (_x((3,)), (2, 3)), {}), ("ravel", (_x(),), {}),
    ("diff", (_x((3, 4)),), {}), ("diff", (_x((3, 4)),), {"n": 2, "axis": 0}), ("ndim", (_x(),), {}),
    ("size", (_x(),), {}), ("vander", (_x((3,)),), {}), ("vander", (_x((3,)),), {"N": 4, "increasing": True}),
    ("meshgrid", (_x((2,)), _x((3,))), {}), ("meshgrid", (_x((2,)), _x((3,))), {"indexing": "ij"}),
]


@pytest.mark.parametrize("name, args, kwargs", REARRANGING, ids=lambda v: str(v)[:20])
def test_rearranging_matches_keras(name, args, kwargs):
    compare(name, *args, **kwargs)


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap", "maximum", "mean", "minimum"])
def test_pad_matches_keras(mode):
    x = _x((2, 3))
    compare("pad", x, ((1, 2), (0, 1)), mode=mode)
    compare("pad", x, 1, mode=mode)
    compare("pad", x, (1, 2), mode=mode)
    if mode == "constant":
        compare("pad", x, ((1, 1), (2, 0)), constant_values=5.0)
        compare("pad", sample((2, 3), "int32"), [[1], [2]])


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.reshape(jnp.ones(6), (-1, -1)), ValueError, r"can have at most one -1 \(an inferred size\)"),
    (lambda: ops.reshape(jnp.ones(6), (-2, 3)), ValueError, "must hold non-negative sizes or one -1"),
    (lambda: ops.squeeze(jnp.ones((2, 3)), axis=1), ValueError, "names axis 1 of a tensor of shape .2, 3., whose size"),
    (lambda: ops.split(jnp.ones(5), 2), ValueError, r"must divide the size of axis 0 \(5\) into equal parts"),
    (lambda: ops.array_split(jnp.ones(5), 2.0), TypeError, "Argument `indices_or_sections` of array_split must be"),
    (lambda: ops.array_split(jnp.ones(5), 0), ValueError, "must be positive, received 0"),
    (lambda: ops.array_split(jnp.ones(5), 2, axis=0.5), TypeError, "Argument `axis` of array_split must be an int"),
    (lambda: ops.eye(2.0), TypeError, "Argument `N` of eye must be an integer"),
    (lambda: ops.eye(2, 3.0), TypeError, "Argument `M` of eye must be an integer or None"),
    (lambda: ops.vander(jnp.ones((2, 2))), ValueError, "Argument `x` of vander must be 1-D"),
    (lambda: ops.vander(jnp.ones(2), N=1.5), TypeError, "Argument `N` of vander must be an int or None"),
    (lambda: ops.vander(jnp.ones(2), N=-1), ValueError, "Argument `N` of vander must be non-negative"),
    (lambda: ops.vander(jnp.ones(2), increasing=1), TypeError, "Argument `increasing` of vander must be a bool"),
    (lambda: ops.rot90(jnp.ones(3)), ValueError, "Argument `array` of rot90 must have at least 2 axes"),
    (lambda: ops.rot90(jnp.ones((2, 2)), axes=(1, 1)), ValueError, "Argument `axes` of rot90 must name two different"),
    (lambda: ops.pad(jnp.ones(2), 1, mode="circular"), ValueError, "Argument `mode` of pad must be one of"),
    (lambda: ops.pad(jnp.ones(2), 1, mode="edge", constant_values=1), ValueError,
     "Argument `constant_values` of pad is only for mode='constant'"),
    (lambda: ops.pad(jnp.ones((2, 2)), ((1, 1), (1, 1), (1, 1))), ValueError, "must have one .before, after. pair"),
    (lambda: ops.meshgrid(jnp.ones(2), indexing="yx"), ValueError, "Argument `indexing` of meshgrid must be 'xy' or"),
    (lambda: jax.jit(ops.hanning)(3), TypeError, "hanning needs a concrete window length"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
