"""The op machinery: Keras's full `keras.ops` surface with its signatures, registration by name, and the
`__kerasish_op__` protocol that symbolic tensors implement."""

import inspect

import jax.numpy as jnp
import keras
import pytest

from kerasish import ops, registry
from kerasish.ops.dispatch import keras_op, symbolic_handler

NAMESPACES = ["", "numpy", "nn", "linalg", "image"]


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_keras_op_exists_with_its_signature(namespace):
    theirs = getattr(keras.ops, namespace) if namespace else keras.ops
    ours = getattr(ops, namespace) if namespace else ops
    names = [n for n in dir(theirs) if not n.startswith("_") and callable(getattr(theirs, n))
             and not inspect.ismodule(getattr(theirs, n))]
    missing = [n for n in names if not hasattr(ours, n)]
    assert not missing, missing
    for name in names:
        assert str(inspect.signature(getattr(ours, name))) == str(inspect.signature(getattr(theirs, name))), name


def test_namespaces_share_the_flat_ops():
    assert ops.numpy.mean is ops.mean and ops.nn.relu is ops.relu and ops.linalg.inv is ops.inv
    assert ops.math.segment_sum is ops.segment_sum and ops.core.cond is ops.cond and ops.abs is ops.absolute
    assert not hasattr(ops, "resize") and callable(ops.image.resize)  # image ops live in their namespace, as Keras's


def test_ops_are_registered_by_name():
    table = registry.builtins("ops")
    for name in ("add", "relu", "matmul", "get_item", "resize", "abs", "swish", "segment_sum", "rearrange"):
        assert callable(table[name])
    assert registry.lookup("ops", "softmax") is ops.softmax
    assert registry.lookup("ops", "abs") is ops.absolute and registry.builtin_name("ops", ops.abs) == "absolute"


class Recorder:
    """A stand-in symbolic value: records the op calls that reach it through the protocol."""

    def __kerasish_op__(self, op, args, kwargs):
        return ("recorded", op.__name__, args, kwargs)


@pytest.mark.parametrize("call, name", [
    (lambda r: ops.add(r, 1), "add"), (lambda r: ops.add(1, x2=r), "add"),
    (lambda r: ops.concatenate([jnp.ones(2), r]), "concatenate"), (lambda r: ops.stack([[r]]), "stack"),
    (lambda r: ops.select([r], [1]), "select"), (lambda r: ops.einsum("i->", r), "einsum"),
    (lambda r: ops.fft((r, r)), "fft"), (lambda r: ops.image.resize(r, (2, 2)), "resize"),
])
def test_an_argument_with_the_protocol_takes_the_call(call, name):
    recorder = Recorder()
    result = call(recorder)
    assert result[0] == "recorded" and result[1] == name


def test_the_handler_is_found_two_levels_deep_only():
    recorder = Recorder()
    assert symbolic_handler((1, [2, (3, recorder)]), {}) is recorder
    assert symbolic_handler(({"a": recorder},), {}) is recorder
    assert symbolic_handler(([[[recorder]]],), {}) is None
    assert symbolic_handler((jnp.ones(2), 3.0), {"axis": 0}) is None


def test_keras_op_keeps_the_function_and_registers_it():
    def twice_of_test(x, factor=2):
        """Doubles."""
        return x * factor

    op = keras_op(twice_of_test, elementwise=True)
    assert op(3) == 6 and op.elementwise and op.__doc__ == "Doubles."
    assert str(inspect.signature(op)) == "(x, factor=2)" and registry.lookup("ops", "twice_of_test") is op
    with pytest.raises(ValueError, match="Built-in ops name 'twice_of_test' is already taken"):
        keras_op(lambda x: x, name="twice_of_test")


def test_a_custom_layer_written_with_ops_trains_like_keras():
    """The Keras guide's pattern: a layer computing with `ops` on its weights, inside the compiled step."""
    import numpy as np

    import kerasish as ks

    def make(lib):
        class Linear(lib.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones", name="w")
                self.b = self.add_weight(shape=(2,), initializer="zeros", name="b")

            def call(self, inputs):
                return lib.ops.relu(lib.ops.matmul(inputs, self.w) + self.b) + lib.ops.mean(self.w)

        model = lib.Sequential([lib.Input((3,)), Linear()])
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
        return model

    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    y = x[:, :2] * 2.0
    histories = [make(lib).fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
                 for lib in (ks, keras)]
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-5)
