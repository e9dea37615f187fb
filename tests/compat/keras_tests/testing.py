"""The base class Keras 3's own unit tests derive from (`keras.src.testing.TestCase`), for kerasish.

Keras's tests are ported into this folder with only their imports changed: `from keras.src import testing`
becomes `from tests.compat.keras_tests import testing`, `from keras.src import layers` becomes
`from kerasish import layers`, and so on. This module gives them the assertions they use, computed the same
way (NumPy's testing functions on NumPy copies of the values). `run_layer_test` lives in `layer_test.py`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import types
from pathlib import Path

import jax
import numpy as np
from absl.testing import parameterized

from kerasish import backend, mixed_precision, ops

convert_to_tensor = ops.convert_to_tensor

#: Keras's `dtype_policies` names over kerasish.mixed_precision (`from keras.src import dtype_policies`).
dtype_policies = types.SimpleNamespace(
    DTypePolicy=mixed_precision.DTypePolicy,
    dtype_policy=types.SimpleNamespace(dtype_policy=mixed_precision.global_policy,
                                       set_dtype_policy=mixed_precision.set_global_policy))


class TestCase(parameterized.TestCase):
    """Keras's `testing.TestCase`: `unittest` plus array assertions, temporary folders and layer tests."""

    maxDiff = None

    def setUp(self):
        super().setUp()
        backend.clear_session(free_memory=False)  # layer names start again from `dense`, as in Keras

    def get_temp_dir(self) -> str:
        temp_dir = tempfile.mkdtemp()
        self.addCleanup(lambda: shutil.rmtree(temp_dir, ignore_errors=True))
        return temp_dir

    def convert_to_numpy(self, x):
        if isinstance(x, np.ndarray):
            return x
        if backend.is_tensor(x) or hasattr(x, "get_value"):
            return backend.convert_to_numpy(x)
        return np.array(x)

    def assertAllClose(self, actual, desired, atol=1e-6, rtol=1e-6, tpu_atol=None, tpu_rtol=None, msg=None):
        np.testing.assert_allclose(self.convert_to_numpy(actual), self.convert_to_numpy(desired), atol=atol,
                                   rtol=rtol, err_msg=msg or "")

    def assertNotAllClose(self, x1, x2, atol=1e-6, rtol=1e-6, msg=None):
        try:
            self.assertAllClose(x1, x2, atol=atol, rtol=rtol)
        except AssertionError:
            return
        raise AssertionError(f"The two values are close at all elements. \n{msg or ''}.\nValues: {x1}")

    def assertAlmostEqual(self, actual, desired, decimal=3, tpu_decimal=None, msg=None):
        np.testing.assert_almost_equal(self.convert_to_numpy(actual), self.convert_to_numpy(desired),
                                       decimal=decimal, err_msg=msg or "")

    def assertAllEqual(self, actual, desired, msg=None):
        np.testing.assert_array_equal(self.convert_to_numpy(actual), self.convert_to_numpy(desired),
                                      err_msg=msg or "")

    def assertLen(self, iterable, expected_len, msg=None):
        self.assertEqual(len(iterable), expected_len, msg=msg)

    def assertDType(self, x, dtype, msg=None):
        x_dtype = backend.standardize_dtype(x.dtype if hasattr(x, "dtype") else type(x))
        expected = backend.standardize_dtype(dtype)
        self.assertEqual(x_dtype, expected, msg=msg or f"The dtype of x does not match the expected one. "
                                                       f"Received: x.dtype={x_dtype} and dtype={dtype}")

    def assertSparse(self, x, sparse=True):
        self.assertFalse(sparse, "kerasish has no sparse tensors")

    def assertRagged(self, x, ragged=True):
        self.assertFalse(ragged, "kerasish has no ragged tensors")

    def assertFileExists(self, path):
        if not Path(path).is_file():
            raise AssertionError(f"File {path} does not exist")

    def run_class_serialization_test(self, instance, custom_objects=None):
        """`get_config` -> `from_config` gives an object with the same config (and attributes), as Keras checks;
        and so does `serialize_keras_object` -> `deserialize_keras_object` where kerasish.saving has them."""
        from kerasish import registry, saving

        cls = type(instance)
        if cls.__module__.startswith(__package__):
            # Keras finds a class defined in one of its own test modules by importing that module (a `keras.*` one);
            # the ported tests live outside any package kerasish imports from, so their classes are passed instead.
            custom_objects = {cls.__name__: cls, **(custom_objects or {})}
        config = instance.get_config()
        with registry.custom_object_scope(custom_objects):
            revived = cls.from_config(config)
        self.assertEqual(to_json_with_tuples(config), to_json_with_tuples(revived.get_config()))
        self.assertEqual(set(dir(instance)), set(dir(revived)))
        if hasattr(saving, "serialize_keras_object"):
            serialized = to_json_with_tuples(saving.serialize_keras_object(instance))
            with registry.custom_object_scope(custom_objects):
                revived = saving.deserialize_keras_object(from_json_with_tuples(serialized))
            self.assertEqual(to_json_with_tuples(config), to_json_with_tuples(revived.get_config()))
        return revived

    def run_layer_test(self, layer_cls, init_kwargs, **kwargs):
        from tests.compat.keras_tests.layer_test import run_layer_test

        return run_layer_test(self, layer_cls, init_kwargs, **kwargs)


def uses_gpu() -> bool:
    """Keras's device probes for the tests that skip on accelerators: JAX's default backend decides."""
    import jax
    return jax.default_backend() == "gpu"


def uses_tpu() -> bool:
    import jax
    return jax.default_backend() == "tpu"


jax_uses_tpu = uses_tpu


def tensorflow_uses_gpu() -> bool:
    return False  # the backend is JAX


tensorflow_uses_tpu = torch_uses_gpu = tensorflow_uses_gpu


def to_json_with_tuples(value):
    """JSON text that keeps tuples apart from lists (as Keras's test helper does)."""
    def encode(obj):
        if isinstance(obj, tuple):
            return {"__tuple__": [encode(v) for v in obj]}
        if isinstance(obj, list):
            return [encode(v) for v in obj]
        if isinstance(obj, dict):
            return {k: encode(v) for k, v in obj.items()}
        return obj
    return json.dumps(encode(value), sort_keys=True, indent=4, default=str)


def from_json_with_tuples(value):
    def decode(obj):
        if isinstance(obj, dict):
            if "__tuple__" in obj:
                return tuple(decode(v) for v in obj["__tuple__"])
            return {k: decode(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [decode(v) for v in obj]
        return obj
    return decode(json.loads(value))


def skip_if_backend(given_backend, reason):
    """Keras's conftest helper: skip on a backend. kerasish runs on JAX only."""
    import pytest

    return pytest.mark.skipif(given_backend == "jax", reason=reason)


def jax_uses_gpu():
    """Keras's `testing.jax_uses_gpu`: whether JAX computes on a GPU."""
    return jax.default_backend() == "gpu"
