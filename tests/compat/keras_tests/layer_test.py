"""Keras's `TestCase.run_layer_test` for kerasish layers (read `keras/src/testing/test_case.py`).

The same checks, in the same order where the order matters: the layer is built from an input shape (or
data), called on symbolic inputs (`ks.Input`) and on arrays, and its output shapes and dtypes, weight
counts, seed generators, losses and masking flag are compared with what the test expects; its config
goes through `get_config` / `from_config`; one training step runs (`compile` + `fit` on a model that
holds the layer, with a loss that sums the output); and a `"mixed_float16"` twin gives outputs of the
dtype its symbolic call announces, with float32 weights.

Where kerasish differs by design, the check is made kerasish's way and says so:
- `layer.build(shape)` does not mark a kerasish layer built; `build_for(shape)` is the public method that
  builds and records the shape (what Keras's wrapped `build` does), so the build check calls it.
- A symbolic tensor's batch axis is always unknown (`ks.Input` has no fixed batch), so an output axis 0
  of None matches any expected batch size.
- Seed generators: a kerasish layer draws from a `flax.nnx.Rngs`; each counts as one Keras
  `SeedGenerator`, and each adds one non-trainable *variable* (Keras's seed state), none to the
  non-trainable *weights*.

What kerasish cannot do is skipped with `pytest.skip` and its reason: sparse and ragged tensors (none in
JAX), and a layer built at instantiation (`assert_built_after_instantiation`: kerasish builds a layer
without weights at its first call). The skip comes after every other check has run and passed.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import kerasish as ks
from kerasish import backend
from kerasish.shapes import is_shape


def _map_shapes(fn, shapes: Any) -> Any:
    """`fn(shape, index path)` over a shape or a (nested) list / tuple / dict of shapes."""
    if isinstance(shapes, tuple) and is_shape(shapes):
        return fn(shapes)
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    if isinstance(shapes, (list, tuple)):
        return type(shapes)(_map_shapes(fn, v) for v in shapes)
    return fn(shapes)


def _zip_shapes(fn, shapes: Any, other: Any) -> Any:
    if isinstance(shapes, tuple) and is_shape(shapes):
        return fn(shapes, other)
    if isinstance(shapes, dict):
        return {k: _zip_shapes(fn, v, other[k]) for k, v in shapes.items()}
    return type(shapes)(_zip_shapes(fn, s, o) for s, o in zip(shapes, other))


def _eager_tensors(input_shape: Any, input_dtype: Any) -> Any:
    """Random arrays as Keras's `create_eager_tensors` makes them: uniform in [0, 3) cast to the dtype (ints 0..2)."""
    rng = np.random.default_rng(1337)

    def make(shape, dtype):
        dtype = backend.standardize_dtype(dtype)
        if dtype == "bool":
            return jnp.asarray(rng.uniform(size=shape) > 0.5)
        if "float" not in dtype and "int" not in dtype:
            raise ValueError(f"run_layer_test cannot make inputs of dtype {dtype!r}.")
        dtype = jax.dtypes.canonicalize_dtype(dtype)  # int64 -> int32 while JAX runs 32-bit, as Keras on JAX
        return jnp.asarray((rng.uniform(size=shape) * 3).astype(np.float32)).astype(dtype)
    return _zip_shapes(make, input_shape, input_dtype)


def _symbolic_tensors(input_shape: Any, input_dtype: Any) -> Any:
    return _zip_shapes(lambda shape, dtype: ks.Input(shape[1:], dtype=backend.standardize_dtype(dtype)),
                       input_shape, input_dtype)


def _shape_list(shapes: Any) -> list[tuple]:
    """The shapes of a (nested) structure of shapes, in the order `jax.tree.leaves` gives the outputs."""
    if isinstance(shapes, (tuple, list)) and is_shape(shapes):
        return [tuple(shapes)]
    if isinstance(shapes, dict):
        return [s for k in sorted(shapes) for s in _shape_list(shapes[k])]
    return [s for v in shapes for s in _shape_list(v)]


def _shape_of(x) -> tuple:
    return tuple(x.shape)


def _leaves(tree: Any) -> list:
    return jax.tree.leaves(tree, is_leaf=lambda v: v is None or hasattr(v, "shape"))


def seed_generators(layer: ks.layers.Layer) -> list:
    """The random streams of the layer and its sublayers (Keras's `SeedGenerator`s): every `flax.nnx.Rngs` a layer
    holds (a layer's `nnx.Dropout` forks its own stream from it: still one generator), and every kerasish
    `SeedGenerator` where kerasish.random has one."""
    kinds = tuple(k for k in (nnx.Rngs, getattr(ks.random, "SeedGenerator", None)) if k is not None)
    found, seen = [], set()
    for _, node in nnx.iter_graph(layer):
        if isinstance(node, kinds) and id(node) not in seen:
            seen.add(id(node))
            found.append(node)
    return found


def non_trainable_variables(layer: ks.layers.Layer) -> list:
    """Keras's `non_trainable_variables`: the non-trainable weights, then one seed state per random stream."""
    return list(layer.non_trainable_weights) + seed_generators(layer)


class _LayerModel(ks.Model):
    """Keras's `TestModel`: a subclassed model whose call is the layer's."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def call(self, x, training=False):
        return self.layer(x, training=training)


def _sum_of_outputs(y_true, y_pred):
    return jnp.sum(y_pred)


def run_layer_test(test_case, layer_cls, init_kwargs, input_shape=None, input_dtype=None, input_sparse=False,
                   input_ragged=False, input_data=None, call_kwargs=None, expected_output_shape=None,
                   expected_output_dtype=None, expected_output_sparse=False, expected_output_ragged=False,
                   expected_output=None, expected_num_trainable_weights=None, expected_num_non_trainable_weights=None,
                   expected_num_non_trainable_variables=None, expected_num_seed_generators=None,
                   expected_num_losses=None, supports_masking=None, expected_mask_shape=None, custom_objects=None,
                   run_training_check=True, run_mixed_precision_check=True, assert_built_after_instantiation=False,
                   tpu_atol=None, tpu_rtol=None):
    """Keras's `run_layer_test(layer_cls, init_kwargs, ...)`, same arguments, for kerasish layers."""
    if input_shape is not None and input_data is not None:
        raise ValueError("input_shape and input_data cannot be passed at the same time.")
    if expected_output_shape is not None and expected_output is not None:
        raise ValueError("expected_output_shape and expected_output cannot be passed at the same time.")
    if expected_output is not None and input_data is None:
        raise ValueError("In order to use expected_output, input_data must be provided.")
    if expected_mask_shape is not None and supports_masking is not True:
        raise ValueError("In order to use expected_mask_shape, supports_masking must be True.")
    if input_sparse or input_ragged or expected_output_sparse or expected_output_ragged:
        pytest.skip("kerasish has no sparse or ragged tensors (JAX arrays are dense)")
    init_kwargs = init_kwargs or {}
    call_kwargs = call_kwargs or {}
    if input_shape is not None and input_dtype is None:
        input_dtype = _map_shapes(lambda _: "float32", input_shape)

    def call(layer, inputs):
        if isinstance(inputs, dict):
            return layer(**inputs, **call_kwargs)
        return layer(inputs, **call_kwargs)

    # Counts not given: read off a layer called on data, as Keras does.
    if input_data is not None or input_shape is not None:
        if input_data is None:
            input_data = _eager_tensors(input_shape, input_dtype)
        layer = layer_cls(**init_kwargs)
        call(layer, input_data)
        if expected_num_trainable_weights is None:
            expected_num_trainable_weights = len(layer.trainable_weights)
        if expected_num_non_trainable_weights is None:
            expected_num_non_trainable_weights = len(layer.non_trainable_weights)
        if expected_num_non_trainable_variables is None:
            expected_num_non_trainable_variables = len(non_trainable_variables(layer))
        if expected_num_seed_generators is None:
            expected_num_seed_generators = len(seed_generators(layer))

    # Serialization.
    layer = layer_cls(**init_kwargs)
    test_case.run_class_serialization_test(layer, custom_objects)

    if supports_masking is not None:
        test_case.assertEqual(layer.supports_masking, supports_masking, msg="Unexpected supports_masking value")

    def run_build_asserts(layer):
        test_case.assertTrue(layer.built)
        if expected_num_trainable_weights is not None:
            test_case.assertLen(layer.trainable_weights, expected_num_trainable_weights,
                                msg="Unexpected number of trainable_weights")
        if expected_num_non_trainable_weights is not None:
            test_case.assertLen(layer.non_trainable_weights, expected_num_non_trainable_weights,
                                msg="Unexpected number of non_trainable_weights")
        if expected_num_non_trainable_variables is not None:
            test_case.assertLen(non_trainable_variables(layer), expected_num_non_trainable_variables,
                                msg="Unexpected number of non_trainable_variables")
        if expected_num_seed_generators is not None:
            test_case.assertLen(seed_generators(layer), expected_num_seed_generators,
                                msg="Unexpected number of seed_generators")

    def run_output_asserts(layer, output, eager=False):
        if expected_output_shape is not None:
            def matches(expected, x):
                shape = _shape_of(x)
                return len(shape) == len(expected) and all(
                    e is None or e == d or (d is None and (i == 0 or not eager))
                    for i, (e, d) in enumerate(zip(expected, shape)))
            outputs = _leaves(output)
            expected_shapes = _shape_list(expected_output_shape)
            test_case.assertTrue(
                len(outputs) == len(expected_shapes) and all(matches(e, x) for e, x in zip(expected_shapes, outputs)),
                msg=f"Expected output shapes {expected_output_shape} but received "
                    f"{jax.tree.map(_shape_of, output, is_leaf=lambda v: hasattr(v, 'shape'))}")
        if expected_output_dtype is not None:
            outputs = _leaves(output)
            expected = [expected_output_dtype] * len(outputs) if isinstance(expected_output_dtype, str) else \
                jax.tree.leaves(expected_output_dtype)
            got = [backend.standardize_dtype(x.dtype) for x in outputs]
            test_case.assertEqual(got, list(expected), msg=f"Expected output dtypes {expected_output_dtype} but "
                                                            f"received {got}")
        if eager:
            if expected_output is not None:
                test_case.assertEqual(isinstance(expected_output, (list, tuple, dict)),
                                      isinstance(output, (list, tuple, dict)))
                for ref, value in zip(_leaves(expected_output), _leaves(output)):
                    test_case.assertAllClose(ref, value, msg="Unexpected output value")
            if expected_num_losses is not None:
                test_case.assertLen(layer.losses, expected_num_losses)

    def run_training_step(layer, input_data, output_data):
        model = _LayerModel(layer)
        data = (input_data, output_data)

        def data_generator():
            while True:
                yield data
        model.compile(optimizer="sgd", loss=_sum_of_outputs)
        model.fit(data_generator(), steps_per_epoch=1, verbose=0)

    symbolic_inputs = None
    if input_data is not None or input_shape is not None:
        # Build.
        build_shape = input_shape if input_shape is not None else jax.tree.map(_shape_of, input_data)
        layer = layer_cls(**init_kwargs)
        layer.build_for(build_shape)  # kerasish's `build` plus the bookkeeping Keras's wrapped `build` does
        run_build_asserts(layer)

        # Symbolic call.
        if input_shape is None:
            symbolic_inputs = jax.tree.map(lambda x: ks.Input(x.shape[1:], dtype=x.dtype), input_data)
        else:
            symbolic_inputs = _symbolic_tensors(input_shape, input_dtype)
        layer = layer_cls(**init_kwargs)
        symbolic_outputs = call(layer, symbolic_inputs)
        run_build_asserts(layer)
        run_output_asserts(layer, symbolic_outputs, eager=False)

        if expected_mask_shape is not None:
            specs = jax.tree.map(lambda t: t.spec(2), symbolic_inputs, is_leaf=lambda v: hasattr(v, "spec"))
            mask = jax.eval_shape(lambda x: layer.compute_mask(x, None), specs)
            test_case.assertEqual(tuple(expected_mask_shape)[1:], tuple(mask.shape)[1:])

        # Eager call and one compiled training step.
        layer = layer_cls(**init_kwargs)
        output_data = call(layer, input_data)
        run_output_asserts(layer, output_data, eager=True)
        if run_training_check:
            run_training_step(layer, input_data, output_data)

        if run_mixed_precision_check:
            layer = layer_cls(**{**init_kwargs, "dtype": "mixed_float16"})
            cast = lambda t: ks.Input(t.shape[1:], dtype="float16") if jnp.issubdtype(t.dtype, jnp.floating) else t
            specs = jax.tree.map(cast, symbolic_inputs, is_leaf=lambda v: hasattr(v, "spec"))
            output_data = call(layer, input_data)
            output_spec = call(layer_cls(**{**init_kwargs, "dtype": "mixed_float16"}), specs)
            for tensor, spec in zip(_leaves(output_data), _leaves(output_spec)):
                test_case.assertEqual(backend.standardize_dtype(tensor.dtype), backend.standardize_dtype(spec.dtype),
                                      f"expected output dtype {spec.dtype}, got {tensor.dtype}")
            for weight in layer.weights:
                dtype = backend.standardize_dtype(weight.dtype)
                if "float" in dtype:
                    test_case.assertEqual(dtype, "float32")

    if assert_built_after_instantiation and not layer_cls(**init_kwargs).built:
        pytest.skip(f"{layer_cls.__name__}: kerasish builds a layer without weights at its first call, not at "
                    f"instantiation (every other check of this layer test ran and passed)")
