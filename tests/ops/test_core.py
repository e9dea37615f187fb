"""`kerasish.ops.core` against Keras 3: tensors and dtypes, control flow, gradients, scatter and slices."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import ops
from tests.ops.oracle import assert_same, compare, sample

X = sample((3, 4), "float32", seed=1)


@pytest.mark.parametrize("name, args, kwargs", [
    ("convert_to_tensor", ([1, 2],), {}), ("convert_to_tensor", (1.5,), {}), ("convert_to_tensor", (X,), {}),
    ("convert_to_tensor", (X,), {"dtype": "bfloat16"}), ("convert_to_tensor", ([[True]],), {}),
    ("convert_to_numpy", (jnp.ones(2, jnp.bfloat16),), {}), ("cast", (X, "int32"), {}), ("cast", (X, "bool"), {}),
    ("cast", (sample((3,), "int32"), "float16"), {}), ("saturate_cast", (X * 100, "uint8"), {}),
    ("saturate_cast", (X * 1e5, "int16"), {}),
    ("saturate_cast", (sample((4,), "int32", low=-300, high=300), "int8"), {}),
    ("saturate_cast", (np.array([np.inf, -np.inf, 1e20], "float32"), "int32"), {}),
    ("saturate_cast", (np.array([1e6], "float32"), "bfloat16"), {}), ("stop_gradient", (X,), {}),
    ("unstack", (X,), {}), ("unstack", (X,), {"axis": 1}), ("unstack", (X,), {"num": 3}),
    ("scatter", (np.array([[0, 1], [2, 3], [0, 1]]), np.array([1.0, 2.0, 3.0], "float32"), (3, 4)), {}),
    ("scatter", (np.array([[1], [0]]), sample((2, 4)), (3, 4)), {}),
    ("scatter_update", (X, np.array([[0, 1], [2, 2]]), np.array([9.0, 8.0], "float32")), {}),
    ("scatter_update", (X, np.array([[0, 1], [0, 1]]), np.array([2.0, 3.0], "float32")), {"reduction": "add"}),
    ("scatter_update", (X, np.array([[1]]), np.ones((1, 4), "float32")), {"reduction": "max"}),
    ("scatter_update", (X, np.array([[1]]), np.ones((1, 4), "float32")), {"reduction": "MIN"}),
    ("scatter_update", (X, np.array([[1]]), np.full((1, 4), 2.0, "float32")), {"reduction": "mul"}),
    ("slice", (X, (1, 1), (2, 2)), {}), ("slice", (X, (0, 2), (-1, -1)), {}),
    ("slice_update", (X, (1, 0), np.ones((2, 2), "float32")), {}),
])
def test_core_ops_match_keras(name, args, kwargs):
    compare(name, *args, **kwargs)


def test_shape_dtype_and_is_tensor_match_keras():
    for x in (X, jnp.ones((2, 0, 3), jnp.int8), jnp.array(1.0)):
        assert ops.shape(x) == keras.ops.shape(x) and ops.dtype(x) == keras.ops.dtype(x)
        assert ops.is_tensor(x) == keras.ops.is_tensor(x)
    assert ops.is_tensor(jnp.ones(2)) and not ops.is_tensor(np.ones(2))


def test_control_flow_matches_keras():
    pairs = [
        lambda o: o.cond(jnp.array(False), lambda: jnp.ones(2), lambda: jnp.zeros(2)),
        lambda o: o.switch(2, [lambda x: x + 1, lambda x: x * 2, lambda x: -x], jnp.array([1.0, 2.0])),
        lambda o: o.scan(lambda c, x: (c + x, c * x), jnp.array(0.0), jnp.arange(1.0, 5.0)),
        lambda o: o.scan(lambda c, x: (c * 2, c), jnp.array(1), length=3, reverse=True),
        lambda o: o.scan(lambda c, x: (c + x, c), jnp.zeros(2), jnp.ones((4, 2)), unroll=2),
        lambda o: o.associative_scan(jnp.add, jnp.arange(5.0), reverse=True),
        lambda o: o.associative_scan(lambda a, b: a * b, jnp.arange(1.0, 7.0).reshape(2, 3), axis=1),
        lambda o: o.map(lambda v: v ** 2, jnp.arange(3.0)),
        lambda o: o.vectorized_map(lambda v: jnp.sum(v), jnp.ones((3, 2))),
        lambda o: o.fori_loop(0, 5, lambda i, v: v + i, jnp.array(0)),
        lambda o: o.while_loop(lambda i, t: i < 5, lambda i, t: (i + 1, t * 2), (0, 1.0)),
        lambda o: o.while_loop(lambda i, t: i < 10, lambda i, t: (i + 1, t + i), [0, 0], maximum_iterations=4),
        lambda o: o.while_loop(lambda v: v < 100, lambda v: v * 3, jnp.array(1)),
    ]
    for run in pairs:
        assert_same(run(ops), run(keras.ops))


def test_custom_gradient_and_gradients_match_keras():
    def make(o):
        @o.custom_gradient
        def log1pexp(x):
            e = o.exp(x)

            def grad(upstream):
                return upstream * (1.0 - 1.0 / (1.0 + e))
            return o.log(1.0 + e), grad
        return log1pexp

    ours, theirs = make(ops), make(keras.ops)
    x = jnp.array([0.0, 100.0])
    assert_same(ours(x), theirs(x))
    assert_same(jax.grad(lambda v: ours(v).sum())(x), jax.grad(lambda v: theirs(v).sum())(x))
    assert float(jax.grad(lambda v: v * ops.stop_gradient(v))(3.0)) == 3.0


def test_control_flow_runs_compiled():
    step = jax.jit(lambda v: ops.fori_loop(0, 3, lambda i, acc: acc + ops.sum(v), 0.0))
    assert float(step(jnp.ones(4))) == 12.0


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.scan(lambda c, x: (c, x), 0.0, jnp.ones(2), unroll=0), ValueError,
     "Argument `unroll` of scan must be a positive int or a bool, received 0"),
    (lambda: ops.scatter_update(jnp.ones(2), jnp.array([[0]]), jnp.ones(1), reduction="sum"), ValueError,
     "Argument `reduction` of scatter_update must be one of .None, 'add', 'max', 'min', 'mul'."),
    (lambda: ops.unstack(jnp.ones((2, 3)), num=3), ValueError, r"Argument `num` of unstack must equal the size of"),
    (lambda: jax.jit(ops.convert_to_numpy)(jnp.ones(2)), TypeError, "convert_to_numpy cannot run inside a compiled"),
    (lambda: ops.convert_to_tensor([1], sparse=True), ValueError, "Argument `sparse` of convert_to_tensor"),
    (lambda: ops.convert_to_tensor([1], ragged=True), ValueError, "Argument `ragged` of convert_to_tensor"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
