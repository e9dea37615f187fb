"""Ops on the functional API's symbolic tensors (OpLayer), checked against the same Keras 3 programs."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

keras = pytest.importorskip("keras")

import kerasish as ks  # noqa: E402
from kerasish import ops  # noqa: E402
from kerasish.layers.op_layer import OpArguments, OpLayer, decode, encode  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(6, 3)).astype("float32")


def both(program):
    """`program(lib, ops_module, x)` built as a model in kerasish and in Keras: (ours, theirs)."""
    made = []
    for lib in (ks, keras):
        x = lib.Input((3,))
        made.append(lib.Model(x, program(lib, lib.ops, x)))
    return made


PROGRAMS = {
    "relu_times_two_plus_slice": lambda lib, o, x: o.relu(x) * 2 + x[:, :1],
    "operators": lambda lib, o, x: (-x + 1.5) / (abs(x) + 1) - 2 ** x % 3 + x // 0.7 - x ** 2,
    "reverse_operands": lambda lib, o, x: 1.0 - x * 3.0 + 2.0 / (x * x + 1.0),
    "comparisons": lambda lib, o, x: o.cast((x > 0) & (x < 1) | ~(x >= -0.5) ^ (x <= 0.2), "float32"),
    "not_equal": lambda lib, o, x: o.cast(x != 0.5, "int32"),
    "matmul_with_constant": lambda lib, o, x: x @ np.arange(6.0, dtype="float32").reshape(3, 2),
    "indexing": lambda lib, o, x: x[:, None, 1:] + x[..., ::-1][:, None, :2],
    "reductions": lambda lib, o, x: o.sum(x, axis=-1, keepdims=True) * o.mean(x, axis=1, keepdims=True),
    "reshape_concat": lambda lib, o, x: o.concatenate([o.reshape(x, (-1, 3, 1)), o.expand_dims(x, -1)], axis=-1),
    "nn_ops": lambda lib, o, x: o.softmax(o.gelu(x) + o.log_softmax(x, axis=-1)),
    "two_outputs": lambda lib, o, x: list(o.split(x, [1], axis=1)),
    "stack_where": lambda lib, o, x: o.where(x > 0, x, o.zeros_like(x)) + o.stack([x[:, 0]] * 3, axis=1),
    "with_layers": lambda lib, o, x: lib.layers.Dense(2, kernel_initializer="ones")(o.tanh(x)) * o.sigmoid(x[:, :2]),
    "round_and_take": lambda lib, o, x: round(x) + o.take(x, np.array([2, 0]), axis=1)[:, :1],
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_functional_models_with_ops_match_keras(name):
    ours, theirs = both(PROGRAMS[name])
    expected, got = theirs.predict(X, verbose=0), ours.predict(X, verbose=0)
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(expected)):
        assert a.shape == b.shape and str(a.dtype) == str(b.dtype), (a.shape, b.shape, a.dtype, b.dtype)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_symbolic_shapes_and_dtypes_match_keras():
    cases = [lambda o, x: o.sum(x, axis=0), lambda o, x: o.mean(x), lambda o, x: o.cast(x, "int8") + 1,
             lambda o, x: o.argmax(x, axis=-1), lambda o, x: x[:, 0] > 0,
             lambda o, x: o.one_hot(o.cast(x[:, 0], "int32"), 4),
             lambda o, x: o.transpose(o.reshape(x, (-1, 3, 1)), (0, 2, 1)), lambda o, x: o.shape(x)]
    for case in cases:
        ours, theirs = case(ops, ks.Input((3,))), case(keras.ops, keras.Input((3,)))
        if isinstance(theirs, tuple):
            assert ours == theirs
            continue
        assert ours.shape == theirs.shape and ours.dtype == np.dtype(theirs.dtype), (ours, theirs)


def test_ops_without_a_batch_axis_keep_their_shapes():
    x = ks.Input((3,))
    total = ops.sum(x, axis=0)  # (3,): no batch axis any more
    assert total.shape == (3,) and ops.reshape(total, (3, 1)).shape == (3, 1) and ops.mean(x).shape == ()


def test_a_model_with_ops_fits_like_keras():
    def program(lib, o, x):
        hidden = lib.layers.Dense(4, activation="tanh")(x)
        return lib.layers.Dense(1)(o.relu(hidden) * 2.0 + hidden[:, :1])

    y = (X @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")
    keras.utils.set_random_seed(3)
    ours, theirs = both(program)
    ours.set_weights(theirs.get_weights())
    for model, lib in ((ours, ks), (theirs, keras)):
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
    expected = theirs.fit(X, y, batch_size=2, epochs=3, shuffle=False, verbose=0).history["loss"]
    got = ours.fit(X, y, batch_size=2, epochs=3, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    np.testing.assert_allclose(ours.predict(X, verbose=0), theirs.predict(X, verbose=0), rtol=1e-4, atol=1e-6)


def test_model_config_round_trip_keeps_the_ops():
    ours, theirs = both(PROGRAMS["indexing"])
    config = json.loads(json.dumps(ours.get_config()))  # a config is JSON
    rebuilt = ks.Model.from_config(config)
    np.testing.assert_allclose(rebuilt.predict(X, verbose=0), theirs.predict(X, verbose=0), rtol=1e-6)
    ours, theirs = both(PROGRAMS["matmul_with_constant"])
    rebuilt = ks.Model.from_config(json.loads(json.dumps(ours.get_config())))
    np.testing.assert_allclose(rebuilt.predict(X, verbose=0), theirs.predict(X, verbose=0), rtol=1e-6)


def test_a_model_with_ops_saves_and_loads(tmp_path):
    ours, theirs = both(PROGRAMS["with_layers"])
    path = str(tmp_path / "model.kerasish")
    ours.save(path)
    loaded = ks.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), theirs.predict(X, verbose=0), rtol=1e-6)


def test_arguments_encode_to_json_and_back():
    values = [(1, slice(None, 2), Ellipsis, None), np.arange(3, dtype="int8"), {"axis": (0, 1)}, jnp.float32,
              ops.add, "float32", [1.5, True]]
    encoded = json.loads(json.dumps(encode(values)))
    back = decode(encoded)
    assert back[0] == (1, slice(None, 2), Ellipsis, None) and back[2] == {"axis": (0, 1)}
    assert back[1].dtype == np.int8 and back[1].tolist() == [0, 1, 2]
    assert back[3] == "float32" and back[4] is ops.add and back[5:] == ["float32", [1.5, True]]


def test_rows_independent_only_for_rowwise_ops():
    x = ks.Input((3,))
    assert ops.relu(x).node.layer.rows_independent(True)
    assert x[:, 0].node.layer.rows_independent(True)
    assert not x[0].node.layer.rows_independent(True)
    assert not ops.mean(x, axis=0).node.layer.rows_independent(True)


def test_elementwise_ops_pass_masks_on():
    layer = OpLayer(ops.add, OpArguments((None, None), {}))
    mask = jnp.array([True, False])
    assert layer.compute_mask(None, [mask, None]).tolist() == [True, False]
    assert OpLayer(ops.sum, OpArguments((), {})).compute_mask(None, mask) is None


@pytest.mark.parametrize("call, error, message", [
    (lambda x: bool(x), TypeError, "A symbolic tensor cannot be used as a Python bool"),
    (lambda x: list(x), TypeError, "A symbolic tensor cannot be iterated over"),
    (lambda x: np.asarray(x), TypeError, "A symbolic tensor cannot be converted to a NumPy array"),
    (lambda x: jnp.asarray(x), TypeError, "A symbolic tensor cannot be converted to a NumPy array"),
    (lambda x: int(x), TypeError, "A symbolic tensor cannot be converted to a Python int"),
    (lambda x: float(x), TypeError, "A symbolic tensor cannot be converted to a Python float"),
    (lambda x: ops.convert_to_numpy(x), TypeError, "convert_to_numpy received a symbolic tensor"),
    (lambda x: OpLayer(print), TypeError, "Argument `op` of OpLayer must be a kerasish op"),
    (lambda x: OpLayer("not_an_op"), ValueError, r"An OpLayer config names class 'not_an_op' \(among ops\)"),
    (lambda x: OpLayer("relu", arguments=[1]), TypeError, "Argument `arguments` of OpLayer must be OpArguments"),
])
def test_misuse_raises_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(ks.Input((3,)))


def test_the_issue_program_builds_predicts_and_fits_like_keras():
    y = np.zeros((6, 3), "float32")
    histories = []
    for model, lib in zip(both(PROGRAMS["relu_times_two_plus_slice"]), (ks, keras)):
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        histories.append(model.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"])
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-6)
