"""A catalogue of bad inputs to fit / evaluate / predict / compile / layers.

Each case must raise kerasish's own `ValueError` or `TypeError`, on the host, before anything is traced or
compiled, with a message naming the argument, the value (or shape / dtype) received and what is accepted.
None may surface as an error from inside jax or XLA. `test_errors.py` holds the first such cases; none is
repeated here. Labels out of range for the loss are stricter than Keras: on JAX, Keras trains on sparse
labels >= the number of classes (or negative) with a loss of 0, truncates fractional labels, and accepts
binary targets of 2; here each is a `ValueError` naming `y`, the bad value and the accepted range.
"""

import os
import traceback
import types
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import kerasish as ks
from tests.conftest import mlp

KERASISH_DIR = str(Path(ks.__file__).resolve().parent) + os.sep
JAX_DIRS = tuple(str(Path(m.__file__).resolve().parent) + os.sep for m in (jax, __import__("jaxlib")))


def assert_raised_by_kerasish(error: BaseException) -> None:
    """The error is a plain ValueError / TypeError raised by kerasish code, with no jax frame below it."""
    assert type(error) in (ValueError, TypeError), type(error)
    frames = [str(Path(f.filename).resolve()) for f in traceback.extract_tb(error.__traceback__)]
    assert frames[-1].startswith(KERASISH_DIR), f"raised outside kerasish, in {frames[-1]}"
    assert not [f for f in frames if f.startswith(JAX_DIRS)], "raised from inside a jax transformation"
    assert not getattr(error, "__notes__", None), "jax's traceback filter annotated it: it crossed a jax boundary"
    assert error.__cause__ is None or not type(error.__cause__).__module__.startswith(("jax", "jaxlib"))
    assert "jaxlib" not in str(error) and "XLA" not in str(error)


@pytest.fixture(scope="module")
def c(blobs):
    """Shared, built (never compiled to XLA) models, one per kind of loss, and the data."""
    ks.utils.set_random_seed(0)
    x, y = blobs
    models = {}
    for name, loss, outputs, activation in (("sparse", "sparse_categorical_crossentropy", 3, "softmax"),
                                            ("cce", "categorical_crossentropy", 3, "softmax"),
                                            ("bce", "binary_crossentropy", 1, "sigmoid"),
                                            ("mse", "mse", 3, None)):
        models[name] = mlp(outputs=outputs, activation=activation)
        models[name].compile(optimizer="adam", loss=loss)
    return types.SimpleNamespace(x=x, y=y, onehot=np.eye(3, dtype=np.float32)[y], binary=(y == 1).astype(np.float32),
                                 **models)


def _fresh(loss, outputs=3, activation="softmax", **compile_args):
    model = mlp(outputs=outputs, activation=activation)
    model.compile(optimizer="sgd", loss=loss, **compile_args)
    return model


def _with(array, index, value):
    array = np.array(array, copy=True)
    array[index] = value
    return array


CASES = [
    # -- shapes and ranks -----------------------------------------------------------------------------------
    # A trailing axis of 1 is squeezed (Keras's rank standardisation of model inputs); a longer one is refused.
    ("x_rank_3_for_a_2d_model", lambda c: c.sparse.fit(np.repeat(c.x[:, :, None], 2, -1), c.y, verbose=0), ValueError,
     r"`x` has shape \(96, 4, 2\), but model '\w+' expects inputs of shape \(None, 4\)"),
    ("x_rank_1", lambda c: c.sparse.fit(c.x[:, 0], c.y, verbose=0), ValueError,
     r"`x` has shape \(96,\), but model '\w+' expects inputs of shape \(None, 4\)"),
    ("predict_on_3d_data", lambda c: c.sparse.predict(np.repeat(c.x[:, :, None], 2, -1), verbose=0), ValueError,
     r"`x` has shape \(96, 4, 2\), but model '\w+' expects inputs of shape \(None, 4\)"),
    ("model_called_on_3d_data", lambda c: c.sparse(np.repeat(c.x[:2, :, None], 2, -1)), ValueError,
     r"layer '\w+' is incompatible with the layer: expected axis -1 of input shape to have value 4, but received "
     r"input with shape \(2, 4, 2\)"),
    ("evaluate_wrong_width", lambda c: c.sparse.evaluate(c.x[:, :3], c.y, verbose=0), ValueError,
     r"`x` has shape \(96, 3\), but model '\w+' expects inputs of shape \(None, 4\)"),
    ("tuple_of_inputs_for_a_one_input_model", lambda c: c.sparse.fit((c.x, c.x), c.y, verbose=0), ValueError,
     r"`x` must be one array for model '\w+', which takes one input of shape \(None, 4\); received a tuple of 2"),
    ("dict_of_inputs_for_a_one_input_model", lambda c: c.sparse.predict({"a": c.x}, verbose=0), ValueError,
     r"`x` must be one array for model '\w+', which takes one input of shape \(None, 4\); received a dict"),
    ("validation_x_wrong_width", lambda c: c.sparse.fit(c.x, c.y, validation_data=(c.x[:8, :3], c.y[:8]),
                                                        verbose=0), ValueError,
     r"`validation_data\[0\]` has shape \(8, 3\), but model '\w+' expects inputs of shape \(None, 4\)"),
    ("mse_targets_of_another_width", lambda c: c.mse.fit(c.x, np.ones((96, 2)), verbose=0), ValueError,
     r"`y` has shape \(96, 2\), but mean_squared_error for an output of shape \(None, 3\) needs shapes that "
     r"broadcast against it"),
    ("y_rank_3_for_a_rank_2_output", lambda c: c.mse.fit(c.x, np.ones((96, 3, 2)), verbose=0), ValueError,
     r"`y` has shape \(96, 3, 2\), but mean_squared_error for an output of shape \(None, 3\) needs"),
    # Keras broadcasts (96,) against (batch, 3) only in batches of one sample; in larger ones it would compare one
    # sample's target with another sample's output (or fail), so kerasish refuses it.
    ("mse_vector_targets_for_3_outputs", lambda c: c.mse.evaluate(c.x, np.ones(96), verbose=0), ValueError,
     r"`y` has shape \(96,\), but mean_squared_error for an output of shape \(None, 3\) needs targets of the "
     r"output's rank"),
    ("one_hot_y_for_sparse_loss", lambda c: c.sparse.fit(c.x, c.onehot, verbose=0), ValueError,
     r"`y` has shape \(96, 3\), but sparse_categorical_crossentropy .* needs integer class ids of shape \(None,\) "
     r"or \(None, 1\) \(for one-hot targets use categorical_crossentropy\)"),
    ("class_ids_for_categorical_loss", lambda c: c.cce.fit(c.x, c.y, verbose=0), ValueError,
     r"`y` has shape \(96,\), but categorical_crossentropy for an output of shape \(None, 3\) needs targets of the "
     r"output's shape .*use sparse_categorical_crossentropy"),
    ("one_hot_of_wrong_width", lambda c: c.cce.fit(c.x, np.eye(4)[c.y], verbose=0), ValueError,
     r"`y` has shape \(96, 4\), but categorical_crossentropy for an output of shape \(None, 3\) needs targets of "
     r"the output's shape"),
    ("sample_weight_per_class", lambda c: c.sparse.fit(c.x, c.y, sample_weight=np.ones((96, 3)), verbose=0),
     ValueError, r"`sample_weight` has shape \(96, 3\), but the model's output of shape \(None, 3\) has one loss per "
                 r"sample: pass one weight per sample, shape \(96,\) or \(96, 1\)"),
    # -- dtypes, ragged and object data ---------------------------------------------------------------------
    ("y_of_strings", lambda c: c.sparse.fit(c.x, c.y.astype(str), verbose=0), TypeError,
     r"`y` must hold numbers \(float, int or bool\), received an array of dtype <U\d+"),
    ("y_of_objects", lambda c: c.sparse.fit(c.x, np.array([None] * 96), verbose=0), TypeError,
     r"`y` must hold numbers \(float, int or bool\), received an array of dtype object such as None"),
    ("x_complex", lambda c: c.sparse.fit(c.x.astype(np.complex64), c.y, verbose=0), TypeError,
     r"`x` must hold numbers \(float, int or bool\), received an array of dtype complex64"),
    ("x_datetime", lambda c: c.sparse.predict(np.zeros((4, 4), "datetime64[s]"), verbose=0), TypeError,
     r"`x` must hold numbers \(float, int or bool\), received an array of dtype datetime64\[s\]"),
    ("x_ragged_list", lambda c: c.sparse.fit([[1.0, 2, 3, 4], [1.0, 2]], [0, 1], verbose=0), TypeError,
     r"`x` must be a numeric array, received list that NumPy cannot turn into one .*inhomogeneous"),
    ("y_ragged_list", lambda c: c.sparse.evaluate(c.x[:2], [[0], [1, 2]], verbose=0), TypeError,
     r"`y` must be a numeric array, received list that NumPy cannot turn into one"),
    ("sample_weight_strings", lambda c: c.sparse.fit(c.x, c.y, sample_weight=np.full(96, "1"), verbose=0), TypeError,
     r"`sample_weight` must hold numbers \(float, int or bool\), received an array of dtype <U1"),
    # -- NaN, inf, empty, scalars ---------------------------------------------------------------------------
    ("x_with_inf", lambda c: c.sparse.fit(_with(c.x, (7, 1), np.inf), c.y, verbose=0), ValueError,
     r"`x` contains NaN or infinite values \(first at index \(7, 1\)\)"),
    ("y_with_nan", lambda c: c.mse.fit(c.x, _with(c.onehot, (5, 2), np.nan), verbose=0), ValueError,
     r"`y` contains NaN or infinite values \(first at index \(5, 2\)\)"),
    ("sample_weight_with_inf", lambda c: c.sparse.fit(c.x, c.y, sample_weight=_with(np.ones(96), 9, -np.inf),
                                                      verbose=0), ValueError,
     r"`sample_weight` contains NaN or infinite values \(first at index \(9,\)\)"),
    ("validation_y_with_nan", lambda c: c.mse.fit(c.x, c.onehot, validation_data=(c.x, _with(c.onehot, (0, 0),
                                                                                              np.nan)), verbose=0),
     ValueError, r"`validation_data\[1\]` contains NaN or infinite values \(first at index \(0, 0\)\)"),
    ("jax_array_with_nan", lambda c: c.sparse.predict(jnp.full((3, 4), jnp.nan), verbose=0), ValueError,
     r"`x` contains NaN or infinite values \(first at index \(0, 0\)\)"),
    ("predict_empty", lambda c: c.sparse.predict(c.x[:0], verbose=0), ValueError,
     r"`x` is empty \(shape \(0, 4\)\); fit, evaluate and predict need at least one sample"),
    ("validation_data_empty", lambda c: c.sparse.fit(c.x, c.y, validation_data=(c.x[:0], c.y[:0]), verbose=0),
     ValueError, r"`validation_data\[0\]` is empty \(shape \(0, 4\)\)"),
    ("predict_on_a_scalar", lambda c: c.sparse.predict(3.0, verbose=0), ValueError,
     r"`x` must have a batch axis, received a scalar"),
    ("predict_none", lambda c: c.sparse.predict(None, verbose=0), ValueError, r"`x` of predict is required"),
    ("evaluate_without_y", lambda c: c.sparse.evaluate(c.x, verbose=0), ValueError,
     r"`y` of evaluate is required when `x` is an array, received None"),
    # -- lengths --------------------------------------------------------------------------------------------
    ("validation_x_y_length_mismatch", lambda c: c.sparse.fit(c.x, c.y, validation_data=(c.x[:10], c.y[:9]),
                                                              verbose=0), ValueError,
     r"`validation_data\[0\]` has 10, `validation_data\[1\]` has 9 samples; every array must have the same"),
    ("evaluate_length_mismatch", lambda c: c.sparse.evaluate(c.x, c.y[:5], verbose=0), ValueError,
     r"`x` has 96, `y` has 5 samples"),
    # -- labels out of range for the loss (stricter than Keras) --------------------------------------------
    ("sparse_label_equal_to_classes", lambda c: c.sparse.fit(c.x, _with(c.y, 4, 3), verbose=0), ValueError,
     r"`y` holds the class id 3, but sparse_categorical_crossentropy for an output of shape \(None, 3\) accepts "
     r"class ids in \[0, 3\) \(0 to 2\)"),
    ("sparse_label_negative", lambda c: c.sparse.fit(c.x, _with(c.y, 0, -1), verbose=0), ValueError,
     r"`y` holds the class id -1, but sparse_categorical_crossentropy .* accepts class ids in \[0, 3\)"),
    ("sparse_label_fractional", lambda c: c.sparse.fit(c.x, _with(c.y.astype(np.float32), 2, 1.5), verbose=0),
     ValueError, r"`y` holds the label 1.5, but sparse_categorical_crossentropy needs whole-number class ids in "
                 r"\[0, 3\)"),
    ("sparse_label_beyond_ignore_class",
     lambda c: _fresh(ks.losses.SparseCategoricalCrossentropy(ignore_class=-1)).fit(
         c.x, _with(_with(c.y, 0, -1), 1, -2), verbose=0), ValueError,
     r"`y` holds the class id -2, .* accepts class ids in \[0, 3\) \(0 to 2\) or ignore_class=-1"),
    ("binary_label_2", lambda c: c.bce.fit(c.x, _with(c.binary, 3, 2.0), verbose=0), ValueError,
     r"`y` holds the value 2.0, but binary_crossentropy accepts targets in \[0, 1\] \(0/1 labels or probabilities\)"),
    ("binary_label_negative", lambda c: c.bce.fit(c.x, _with(c.binary, 3, -1.0), verbose=0), ValueError,
     r"`y` holds the value -1.0, but binary_crossentropy accepts targets in \[0, 1\]"),
    ("categorical_targets_above_1", lambda c: c.cce.fit(c.x, 2 * c.onehot, verbose=0), ValueError,
     r"`y` holds the value 2.0, but categorical_crossentropy accepts targets in \[0, 1\] \(one-hot rows"),
    ("evaluate_label_out_of_range", lambda c: c.sparse.evaluate(c.x, c.y + 1, verbose=0), ValueError,
     r"`y` holds the class id 3, .* accepts class ids in \[0, 3\)"),
    ("validation_label_out_of_range", lambda c: c.sparse.fit(c.x, c.y, validation_data=(c.x[:8], c.y[:8] + 5),
                                                             verbose=0), ValueError,
     r"`validation_data\[1\]` holds the class id [5-7], .* accepts class ids in \[0, 3\)"),
    ("label_out_of_range_in_validation_split", lambda c: c.sparse.fit(c.x, _with(c.y, 95, 7), validation_split=0.1,
                                                                      verbose=0), ValueError,
     r"`y` holds the class id 7, .* accepts class ids in \[0, 3\)"),
    ("label_out_of_range_in_first_batch_of_an_iterable",
     lambda c: c.sparse.fit([(c.x[:8], _with(c.y[:8], 0, 9))], verbose=0), ValueError,
     r"`y` holds the class id 9, .* accepts class ids in \[0, 3\)"),
    ("train_on_batch_label_out_of_range", lambda c: c.sparse.train_on_batch(c.x[:4], np.array([0, 1, 2, 3])),
     ValueError, r"`y` holds the class id 3, .* accepts class ids in \[0, 3\)"),
    # -- bad argument values and types ----------------------------------------------------------------------
    ("batch_size_string", lambda c: c.sparse.fit(c.x, c.y, batch_size="32", verbose=0), ValueError,
     r"`batch_size` must be an int >= 1, received '32'"),
    ("batch_size_float", lambda c: c.sparse.fit(c.x, c.y, batch_size=2.0, verbose=0), ValueError,
     r"`batch_size` must be an int >= 1, received 2.0"),
    ("epochs_string", lambda c: c.sparse.fit(c.x, c.y, epochs="3", verbose=0), ValueError,
     r"`epochs` must be an int >= 1, received '3'"),
    ("validation_split_string", lambda c: c.sparse.fit(c.x, c.y, validation_split="0.2", verbose=0), ValueError,
     r"`validation_split` must be a float in \[0, 1\), received '0.2'"),
    ("callbacks_not_a_list", lambda c: c.sparse.fit(c.x, c.y, callbacks=ks.callbacks.History(), verbose=0),
     TypeError, r"`callbacks` must be a list of Callback instances, received History"),
    ("class_weight_a_list", lambda c: c.sparse.fit(c.x, c.y, class_weight=[1, 2, 3], verbose=0), TypeError,
     r"`class_weight` must be a dict \{class index: weight\}, received \[1, 2, 3\]"),
    ("class_weight_string_weight", lambda c: c.sparse.fit(c.x, c.y, class_weight={0: "a", 1: 1, 2: 1}, verbose=0),
     TypeError, r"`class_weight` must map class indices \(ints >= 0\) to finite numbers, received the entry 0: 'a'"),
    ("class_weight_negative_class", lambda c: c.sparse.fit(c.x, c.y, class_weight={-1: 1.0, 0: 1, 1: 1, 2: 1},
                                                           verbose=0), TypeError,
     r"`class_weight` must map class indices \(ints >= 0\) to finite numbers, received the entry -1: 1.0"),
    ("initial_epoch_negative", lambda c: c.sparse.fit(c.x, c.y, initial_epoch=-1, verbose=0), ValueError,
     r"`initial_epoch` must be an int in \[0, epochs=1\), received -1"),
    ("validation_batch_size_0", lambda c: c.sparse.fit(c.x, c.y, validation_batch_size=0, verbose=0), ValueError,
     r"`validation_batch_size` must be an int >= 1 or None, received 0"),
    ("validation_steps_negative", lambda c: c.sparse.fit(c.x, c.y, validation_steps=-1, verbose=0), ValueError,
     r"`validation_steps` must be an int >= 1 or None, received -1"),
    ("verbose_string", lambda c: c.sparse.evaluate(c.x, c.y, verbose="loud"), ValueError,
     r"`verbose` must be 'auto', 0, 1 or 2, received 'loud'"),
    ("validation_freq_list_with_0", lambda c: c.sparse.fit(c.x, c.y, validation_freq=[0], verbose=0), ValueError,
     r"`validation_freq` must be an int >= 1 or a list of epoch numbers \(1-based\), received \[0\]"),
    ("validation_split_and_data", lambda c: c.sparse.fit(c.x, c.y, validation_split=0.2, validation_data=(c.x, c.y),
                                                         verbose=0), ValueError,
     r"Pass either `validation_split` or `validation_data` to fit, not both"),
    ("validation_split_leaves_no_training", lambda c: c.sparse.fit(c.x[:1], c.y[:1], validation_split=0.5,
                                                                   verbose=0), ValueError,
     r"`validation_split`=0.5 leaves no training sample out of 1; use more data or another split"),
    ("evaluate_steps_0", lambda c: c.sparse.evaluate(c.x, c.y, steps=0, verbose=0), ValueError,
     r"`steps` must be an int >= 1 or None, received 0"),
    ("predict_batch_size_0", lambda c: c.sparse.predict(c.x, batch_size=0, verbose=0), ValueError,
     r"`batch_size` must be an int >= 1, received 0"),
    ("batch_size_with_an_iterable", lambda c: c.sparse.fit([(c.x, c.y)], batch_size=4, verbose=0), ValueError,
     r"`batch_size` must be None when the data is an iterable of batches .* received 4"),
    ("y_with_an_iterable", lambda c: c.sparse.fit([(c.x, c.y)], c.y, verbose=0), ValueError,
     r"`x` is an iterable of batches, `y`, `sample_weight` and `class_weight` must be None .* received `y` of "
     r"type ndarray"),
    ("class_weight_with_an_iterable", lambda c: c.sparse.fit([(c.x, c.y)], class_weight={0: 1.0}, verbose=0),
     ValueError, r"`class_weight` needs `x` to be arrays or a PyDataset .* received a list"),
    ("compile_loss_an_int", lambda c: mlp().compile(loss=5), TypeError,
     r"must be a loss name, a kerasish.losses.Loss or a function .* received 5 of type int"),
    ("compile_metrics_an_int", lambda c: mlp().compile(loss="mse", metrics=5), TypeError,
     r"`metrics` must hold metric names or objects, received 5"),
    ("compile_steps_per_execution_string", lambda c: mlp().compile(loss="mse", steps_per_execution="fast"),
     ValueError, r"`steps_per_execution` must be 'auto' or an int >= 1, received 'fast'"),
    ("loss_weights_a_string", lambda c: _fresh("mse", loss_weights="x").fit(c.x, c.onehot, verbose=0), TypeError,
     r"`loss_weights` must give one number per output of the model \['\w+'\] .* received 'x'"),
    ("loss_weights_too_many_for_one_output", lambda c: _fresh("mse", loss_weights=[1, 2]).fit(c.x, c.onehot,
                                                                                               verbose=0),
     TypeError, r"`loss_weights` must give one number per output .* received \[1, 2\]"),
    ("loss_reduction_unknown", lambda c: ks.losses.MeanSquaredError(reduction="avg"), ValueError,
     r"`reduction` must be one of \['sum_over_batch_size', .*\], received reduction='avg'"),
    ("optimizer_negative_learning_rate", lambda c: ks.optimizers.Adam(learning_rate=-1.0), ValueError,
     r"`learning_rate` of Adam must be a finite number >= 0, received learning_rate=-1.0"),
    # -- unknown names and bad layer arguments --------------------------------------------------------------
    ("unknown_activation", lambda c: ks.layers.Dense(3, activation="rleu"), ValueError,
     r"Unknown activation 'rleu'. Expected one of \[.*'relu'.*\]"),
    ("unknown_initializer", lambda c: ks.layers.Dense(3, kernel_initializer="glorot"), ValueError,
     r"Unknown initializer 'glorot'. Expected one of \[.*'glorot_uniform'.*\]"),
    ("unknown_regularizer", lambda c: ks.layers.Dense(3, kernel_regularizer="l3"), ValueError,
     r"Unknown regularizer 'l3'; accepted names: \[.*'l2'\]"),
    ("dense_units_0", lambda c: ks.layers.Dense(0), ValueError,
     r"`units` must be a positive integer, received 0"),
    ("dense_units_string", lambda c: ks.layers.Dense("3"), ValueError,
     r"`units` must be a positive integer, received '3'"),
    ("dropout_rate_above_1", lambda c: ks.layers.Dropout(1.5), ValueError,
     r"Invalid value received for argument `rate`. Expected a float value between 0 and 1 \(0 <= rate < 1\). "
     r"Received: rate=1.5 \(layer Dropout\)"),
    ("input_negative_size", lambda c: ks.Input((-1,)), ValueError,
     r"`shape` must hold non-negative ints or None, received \(-1,\)"),
    ("reshape_to_the_wrong_size", lambda c: ks.Sequential([ks.Input((4,)), ks.layers.Reshape((3,))]), ValueError,
     r"Layer 'reshape\w*' cannot reshape inputs of shape \(None, 4\) to target_shape \(3,\): 4 values per sample"),
    ("sequential_of_a_string", lambda c: ks.Sequential([ks.Input((4,)), "dense"]), ValueError,
     r"Only instances of `keras.Layer` can be added to a Sequential model. Received: 'dense' "
     r"\(of type <class 'str'>\)"),
    ("early_stopping_unknown_mode", lambda c: ks.callbacks.EarlyStopping(mode="maximum"), ValueError,
     r"`mode` of EarlyStopping must be 'auto', 'min' or 'max', received mode='maximum'"),
]


def test_the_catalogue_is_large_and_has_unique_names():
    assert len(CASES) >= 30
    assert len({name for name, *_ in CASES}) == len(CASES)


@pytest.mark.parametrize("case,error,pattern", [pytest.param(case, error, pattern, id=name)
                                                for name, case, error, pattern in CASES])
def test_bad_input_raises_a_clear_error_on_the_host(c, case, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        case(c)
    assert_raised_by_kerasish(info.value)
    # Caught before anything compiled: the shared models hold no XLA program.
    assert sum(m.compiled_programs() for m in (c.sparse, c.cce, c.bce, c.mse)) == 0


def test_the_host_side_assertion_catches_errors_from_inside_jax():
    """The assertion above is not vacuous: the same kerasish error raised while jax traces fails it."""
    loss = lambda y: ks.losses.categorical_crossentropy(y, jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="must have the same shape") as info:
        jax.jit(loss)(jnp.ones((2, 4)))
    with pytest.raises(AssertionError):
        assert_raised_by_kerasish(info.value)


def test_soft_and_boundary_targets_are_accepted(c):
    """The label checks reject only what is out of range: soft labels, 0/1 bounds and float class ids pass."""
    from kerasish.training.data.checks import check_target
    losses = ks.losses
    check_target(c.y.astype(np.float32), losses.SparseCategoricalCrossentropy(), (None, 3))
    check_target(c.y[:, None], losses.SparseCategoricalCrossentropy(), (None, 3))
    check_target(np.array([0.0, 0.3, 1.0]), losses.BinaryCrossentropy(), (None, 1))
    check_target(np.full((2, 3), 1 / 3), losses.CategoricalCrossentropy(), (None, 3))
    check_target(np.ones((2, 3, 1)), losses.MeanSquaredError(), (None, 3))
    check_target(np.array([5, -3]), losses.get(lambda t, p: (t - p) ** 2), (None, 3))  # custom losses: unchecked
    check_target(np.array([7, 0]), losses.SparseCategoricalCrossentropy(), (None, None))  # unknown classes


# -- callbacks that raise ---------------------------------------------------------------------------------------


class CallbackFailure(Exception):
    pass


def raise_at(hook, at=0, error=None):
    """A callback whose `hook` raises `error` at batch (or epoch) `at`; with `error=None` it stops training there."""
    def hook_method(self, index=None, logs=None):
        if not isinstance(index, int) or index == at:  # on_train_begin(logs) has no batch or epoch index
            if error is None:
                self.model.stop_training = True
            else:
                raise error
    return type(f"RaiseAt_{hook}", (ks.callbacks.Callback,), {hook: hook_method})()


def _fit_with(callback, x, y, epochs=1):
    ks.utils.set_random_seed(4)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    initial = model.get_weights()
    try:
        model.fit(x, y, batch_size=16, epochs=epochs, shuffle=False, callbacks=[callback], verbose=0)
        error = None
    except CallbackFailure as caught:
        error = caught
    return model, initial, error


def test_a_callback_raising_mid_epoch_propagates_unchanged_and_keeps_the_completed_steps(blobs):
    x, y = blobs
    failure = CallbackFailure("from on_train_batch_end")
    failed, initial, error = _fit_with(raise_at("on_train_batch_end", at=2, error=failure), x, y)
    assert error is failure and error.__cause__ is None and not getattr(error, "__notes__", None)
    assert failed.history.epoch == []  # no epoch completed
    stopped, _, _ = _fit_with(raise_at("on_train_batch_end", at=2), x, y)  # the same three steps, then a clean stop
    for after_error, after_stop in zip(failed.get_weights(), stopped.get_weights()):
        np.testing.assert_array_equal(after_error, after_stop)
        assert np.isfinite(after_error).all()
    assert not np.array_equal(failed.get_weights()[0], initial[0])
    # The model trains on afterwards with the programs it has.
    programs = failed.compiled_programs()
    failed.fit(x, y, batch_size=16, epochs=1, shuffle=False, callbacks=[raise_at("on_train_batch_end", at=99)],
               verbose=0)
    assert failed.compiled_programs() == programs


@pytest.mark.parametrize("hook", ["on_train_begin", "on_epoch_begin"])
def test_a_callback_raising_before_any_step_leaves_the_weights_untouched(blobs, hook):
    x, y = blobs
    failure = CallbackFailure(hook)
    model, initial, error = _fit_with(raise_at(hook, error=failure), x, y)
    assert error is failure
    for now, before in zip(model.get_weights(), initial):
        np.testing.assert_array_equal(now, before)


@pytest.fixture(scope="module")
def untrained():
    ks.utils.set_random_seed(4)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("method,hook", [("evaluate", "on_test_batch_end"), ("predict", "on_predict_batch_end"),
                                         ("evaluate", "on_test_begin")])
def test_a_callback_raising_in_evaluate_or_predict_propagates_unchanged(untrained, blobs, method, hook):
    x, y = blobs
    initial = untrained.get_weights()
    failure = CallbackFailure(hook)
    args = (x, y) if method == "evaluate" else (x,)
    with pytest.raises(CallbackFailure) as info:
        getattr(untrained, method)(*args, batch_size=32, callbacks=[raise_at(hook, at=1, error=failure)], verbose=0)
    assert info.value is failure
    for now, before in zip(untrained.get_weights(), initial):
        np.testing.assert_array_equal(now, before)
