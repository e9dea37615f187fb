"""Products and matrix-shaped ops against Keras 3 (values, shapes and dtypes, int8 accumulation included)."""

import jax.numpy as jnp
import pytest

from kerasish import ops
from tests.ops.oracle import compare, compare_types, sample


def _x(shape, dtype="float32", seed=1):
    return sample(shape, dtype, seed=seed)


CASES = [
    ("matmul", (_x((2, 3)), _x((3, 4), seed=2)), {}), ("matmul", (_x((5, 2, 3)), _x((3, 4), seed=2)), {}),
    ("matmul", (_x((3,)), _x((3, 2), seed=2)), {}), ("matmul", (_x((2, 3), "int8"), _x((3, 2), "int8", 2)), {}),
    ("matmul", (_x((2, 3), "int32"), _x((3, 2), "float32", 2)), {}), ("dot", (_x((3,)), _x((3,), seed=2)), {}),
    ("dot", (_x((2, 3)), _x((3, 4), seed=2)), {}), ("dot", (_x((2, 2, 3)), _x((4, 3, 2), seed=2)), {}),
    ("einsum", ("ij,jk->ik", _x((2, 3)), _x((3, 4), seed=2)), {}), ("einsum", ("bij->bji", _x((2, 3, 4))), {}),
    ("einsum", ("i,i->", _x((3,), "int8"), _x((3,), "int8", 2)), {}), ("einsum", ("ii", _x((3, 3))), {}),
    ("tensordot", (_x((2, 3, 4)), _x((3, 4, 5), seed=2)), {}), ("tensordot", (_x((2, 3)), _x((3, 4), seed=2), 1), {}),
    ("tensordot", (_x((2, 3)), _x((4, 3), seed=2), ([1], [1])), {}), ("inner", (_x((2, 3)), _x((4, 3), seed=2)), {}),
    ("outer", (_x((3,)), _x((2, 2), seed=2)), {}), ("vdot", (_x((2, 3)), _x((3, 2), seed=2)), {}),
    ("kron", (_x((2, 2)), _x((2, 3), seed=2)), {}), ("cross", (_x((4, 3)), _x((4, 3), seed=2)), {}),
    ("cross", (_x((3, 2)), _x((3, 2), seed=2)), {"axisa": 0, "axisb": 0}), ("trace", (_x((3, 3)),), {}),
    ("trace", (_x((2, 3, 3)),), {"offset": 1, "axis1": 1, "axis2": 2}), ("diagonal", (_x((3, 4)),), {}),
    ("diagonal", (_x((2, 3, 4)),), {"offset": -1, "axis1": 1, "axis2": 2}), ("diag", (_x((3,)),), {}),
    ("diag", (_x((3, 4)),), {"k": 1}), ("diag", (_x((3,)),), {"k": -1}), ("diagflat", (_x((2, 2)),), {}),
    ("tril", (_x((3, 4)),), {}), ("tril", (_x((2, 3, 3)),), {"k": -1}), ("triu", (_x((3, 4)),), {"k": 1}),
    ("correlate", (_x((5,)), _x((3,), seed=2)), {}), ("correlate", (_x((5,)), _x((3,), seed=2)), {"mode": "full"}),
    ("correlate", (_x((5,)), _x((3,), seed=2)), {"mode": "same"}), ("corrcoef", (_x((3, 5)),), {}),
    ("trapezoid", (_x((3, 4)),), {}), ("trapezoid", (_x((4,)),), {"x": _x((4,), seed=3)}),
    ("trapezoid", (_x((3, 4)),), {"dx": 0.5, "axis": 0}), ("slogdet", (_x((3, 3)),), {}),
    ("slogdet", (_x((2, 3, 3)),), {}),
]


@pytest.mark.parametrize("name, args, kwargs", CASES, ids=lambda v: str(v)[:20])
def test_products_match_keras(name, args, kwargs):
    compare(name, *args, **kwargs, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtypes", [("int32", "int32"), ("bool", "bool"), ("bfloat16", "float32"), ("int8", "uint8"),
                                    ("float16", "int8")], ids=str)
def test_product_dtypes_match_keras(dtypes):
    a, b = _x((2, 3), dtypes[0]), _x((3, 2), dtypes[1], 2)
    for name in ("matmul", "dot", "tensordot", "inner"):
        compare_types(name, a, b, *((1,) if name == "tensordot" else ()))
    compare_types("einsum", "ij,jk->ik", a, b)


def test_diagonal_refuses_one_axis_twice():
    with pytest.raises(ValueError, match="Arguments `axis1` and `axis2` of diagonal must be different axes"):
        ops.diagonal(jnp.ones((2, 2)), axis1=1, axis2=-1)


def test_correlate_refuses_unknown_modes():
    with pytest.raises(ValueError, match="Argument `mode` of correlate must be 'valid', 'same' or 'full'"):
        ops.correlate(jnp.ones(3), jnp.ones(2), mode="circular")
