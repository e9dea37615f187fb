"""The Optimizer base class the Keras 3 way: the learning rate as Keras code reads it, iterations, names, config,
weights, the kinds of variables it updates in place, and its errors; Keras 3 is the oracle where it runs."""

import pickle

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from flax import nnx

import kerasish as ks
from kerasish import optimizers
from kerasish.variables import Variable
from tests.optimizers.helpers import GRADIENTS, WEIGHTS


def test_the_learning_rate_reads_as_keras_code_reads_it():
    ours, theirs = optimizers.Adam(0.01), keras.optimizers.Adam(0.01)
    for opt in (ours, theirs):
        assert float(opt.learning_rate) == pytest.approx(0.01)
        assert opt.learning_rate.numpy() == np.float32(0.01)
        assert bool(opt.learning_rate < 0.1) and bool(opt.learning_rate == np.float32(0.01))
        assert ks.backend.convert_to_numpy(opt.learning_rate) == np.float32(0.01)
        assert np.asarray(opt.learning_rate).dtype == np.float32
        opt.learning_rate = 0.1
        assert float(opt.learning_rate) == pytest.approx(0.1)
        opt.learning_rate.assign(0.2)
        assert float(opt.learning_rate) == pytest.approx(0.2)
        assert opt.get_config()["learning_rate"] == float(np.float32(0.2))  # the float32 variable's value
    assert f"{ours.learning_rate:.2f}" == "0.20" and float(ours.learning_rate * 2) == pytest.approx(0.4)


def test_a_schedule_as_learning_rate():
    make = lambda m: m.SGD(m.schedules.PolynomialDecay(1.0, 4, end_learning_rate=0.0))
    ours, theirs = make(optimizers), make(keras.optimizers)
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables] == ["iteration"]
    for opt, variable in ((ours, Variable(WEIGHTS[1])), (theirs, keras.Variable(WEIGHTS[1]))):
        opt.apply_gradients([(GRADIENTS[0][1], variable)])
    assert float(ours.learning_rate) == pytest.approx(float(theirs.learning_rate)) == pytest.approx(0.75)
    with pytest.raises(TypeError, match="created with a `LearningRateSchedule` object .* hence its learning rate is "
                                        "not settable"):
        ours.learning_rate = 0.1


def test_a_function_as_learning_rate_without_argument_as_keras_or_with_the_step_as_optax():
    keras_style, optax_style = optimizers.SGD(lambda: 0.5), optimizers.SGD(lambda step: 0.5 / (step + 1))
    for opt in (keras_style, optax_style):
        w = Variable([1.0])
        for _ in range(2):
            opt.apply_gradients([(jnp.ones(1), w)])
        assert int(opt.iterations) == 2
        last = float(opt.learning_rate)
        assert last == pytest.approx(0.5 if opt is keras_style else 0.5 / 3)
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.5 - 0.25], rtol=1e-6)
    with pytest.raises(ValueError, match=r"learning rate is a schedule, hence not settable; received value=0.1"):
        keras_style.learning_rate = 0.1


def test_setting_a_schedule_drops_the_learning_rate_variable():
    opt = optimizers.Adam(0.001)
    assert len(opt.variables) == 2
    opt.learning_rate = optimizers.schedules.PolynomialDecay(opt.learning_rate, 4)
    assert [v.name for v in opt.variables] == ["iteration"]
    assert float(opt.learning_rate) == pytest.approx(0.001)


def test_iterations_count_updates_with_gradient_accumulation_as_keras():
    for module in (optimizers, keras.optimizers):
        opt = module.SGD(gradient_accumulation_steps=2)
        w = Variable([1.0]) if module is optimizers else keras.Variable([1.0])
        counts = []
        for _ in range(3):
            opt.apply_gradients([(jnp.ones(1), w)])
            counts.append((int(opt._iterations), int(opt.iterations)))
        assert counts == [(1, 0), (2, 1), (3, 1)]


def test_names_follow_kerass_rule():
    ks.backend.clear_session(free_memory=False)
    names = [optimizers.Adam().name, optimizers.Adam().name, optimizers.AdamW().name, optimizers.RMSprop().name,
             optimizers.SGD(name="mine").name]
    assert names == ["adam", "adam_1", "adam_w", "rm_sprop", "mine"]
    with pytest.raises(ValueError, match=r"Argument `name` of SGD must be a non-empty string, received name=3"):
        optimizers.SGD(name=3)


def test_pickles_with_its_state():
    opt = optimizers.Adam(0.1)
    w = Variable(WEIGHTS[0])
    opt.apply_gradients([(GRADIENTS[0][0], w)])
    again = pickle.loads(pickle.dumps(opt))
    assert again.get_config() == opt.get_config()
    for a, b in zip(again.variables, opt.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_set_weights_and_the_saved_variables():
    x = Variable(WEIGHTS[0])
    first = optimizers.Adam()
    first.apply_gradients([(GRADIENTS[0][0], x)])
    second = optimizers.Adam()
    with pytest.raises(ValueError, match=r"You are calling `set_weights\(\)` on an optimizer that has not yet been"):
        second.set_weights(first.variables)
    second.build([x])
    second.set_weights(first.variables)
    store = {}
    second.save_own_variables(store)
    assert sorted(store) == ["0", "1", "2", "3"]
    third = optimizers.Adam()
    with pytest.raises(ValueError, match=r"has 2 variables whereas the saved optimizer has 4 variables \(build it"):
        third.load_own_variables(store)
    third.build([x])
    third.load_own_variables(store)
    for a, b in zip(third.variables, first.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match=r"has shape \(3, 2\) not compatible with provided weight shape \(2,\)"):
        third.set_weights([0, 0.1, np.zeros(2), np.zeros(2)])


class HasAssign:
    def __init__(self, value):
        self.value = jnp.asarray(value)

    def assign(self, value):
        self.value = value


def test_updates_flax_variables_and_objects_with_assign_in_place():
    param, plain = nnx.Param(jnp.asarray(WEIGHTS[0])), HasAssign(WEIGHTS[1])
    opt = optimizers.SGD(0.5)
    opt.apply_gradients(zip(GRADIENTS[0], [param, plain]))
    np.testing.assert_allclose(param[...], WEIGHTS[0] - 0.5 * GRADIENTS[0][0], rtol=1e-6)
    np.testing.assert_allclose(plain.value, WEIGHTS[1] - 0.5 * GRADIENTS[0][1], rtol=1e-6)
    with pytest.raises(TypeError, match=r"can only update variables .* received ndarray"):
        optimizers.SGD().apply_gradients([(np.ones(2), np.zeros(2))])


def test_stateless_apply_is_pure_and_runs_under_jit_with_the_variables_themselves():
    """The keras.io JAX training-loop guide passes `optimizer.variables` (Variable objects) into `jax.jit`."""
    opt = optimizers.Adam(0.1)
    variables = [Variable(w) for w in WEIGHTS]
    opt.build(variables)
    step = jax.jit(opt.stateless_apply)
    trained, state = step(opt.variables, GRADIENTS[0], variables)
    assert int(state[0]) == 1 and int(opt.iterations) == 0  # nothing was modified
    np.testing.assert_array_equal(variables[0].numpy(), WEIGHTS[0])
    trained, state = step(state, GRADIENTS[1], trained)
    reference = optimizers.Adam(0.1)
    reference.apply(GRADIENTS[0], variables)
    reference.apply(GRADIENTS[1])
    for got, expected in zip(trained, variables):
        np.testing.assert_allclose(got, expected.numpy(), rtol=1e-6)


def test_stateless_apply_and_apply_errors():
    opt = optimizers.SGD()
    with pytest.raises(ValueError, match=r"To call `stateless_apply`, SGD must be built"):
        opt.stateless_apply([], [], [])
    with pytest.raises(ValueError, match=r"When passing `grads` without `variables`, the optimizer must already be"):
        opt.apply([jnp.ones(2)])
    v, w = Variable(WEIGHTS[1]), Variable(WEIGHTS[1])
    opt.build([v])
    with pytest.raises(ValueError, match=r"`optimizer_variables` must be a list of tensors corresponding 1:1 to "
                                         r"SGD\(\).variables. Received list with length 1, but expected 2"):
        opt.stateless_apply([0], [jnp.ones(2)], [v])
    with pytest.raises(ValueError, match=r"Received len\(trainable_variables\) == 2 whereas the optimizer was built "
                                         r"with 1 variables"):
        opt.stateless_apply(opt.variables, [jnp.ones(2)], [v, w])
    with pytest.raises(ValueError, match=r"`grads` must hold one gradient per trainable variable \(1\), received 2"):
        opt.stateless_apply(opt.variables, [jnp.ones(2)] * 2, [v])
    with pytest.raises(ValueError, match=r"Unknown variable: .* This optimizer can only be called for the variables "):
        opt.apply([jnp.ones(2)], [w])
    with pytest.raises(ValueError, match=r"gradients must match `optimizer.variables` one-to-one. Received a list of "
                                         r"2 gradients"):
        opt.apply([jnp.ones(2)] * 2)
    with pytest.raises(ValueError, match=r"No gradients provided for any variable."):
        opt.apply([None], [v])
    opt.apply([], [v])  # no gradients at all: nothing to do, as in Keras
    assert int(opt.iterations) == 0


def test_a_missing_gradient_warns_and_leaves_its_variable_as_keras():
    ours = [Variable(w, name=n) for w, n in zip(WEIGHTS, "ab")]
    theirs = [keras.Variable(w, name=n) for w, n in zip(WEIGHTS, "ab")]
    for module, variables in ((optimizers, ours), (keras.optimizers, theirs)):
        with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['b'\] when minimizing"):
            module.SGD(1.0).apply_gradients([(GRADIENTS[0][0], variables[0]), (None, variables[1])])
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


def test_exclude_from_weight_decay_as_keras():
    def run(module, variable):
        excluded = [variable(2.0, "decayed"), variable(2.0, "exclude_me"), variable(2.0, "by_identity")]
        opt = module.AdamW(1.0, weight_decay=0.1)
        opt.exclude_from_weight_decay(var_list=[excluded[2]], var_names=["exclude"])
        opt.apply_gradients([(jnp.zeros(()), v) for v in excluded])
        return [float(v.numpy()) for v in excluded]
    ours = run(optimizers, lambda x, n: Variable(x, name=n))
    assert ours == run(keras.optimizers, lambda x, n: keras.Variable(x, name=n))
    assert ours == [pytest.approx(1.8), 2.0, 2.0]
    built = optimizers.AdamW()
    built.build([Variable(1.0)])
    with pytest.raises(ValueError, match=r"can only be configured before the optimizer is built"):
        built.exclude_from_weight_decay(var_names=["bias"])


def test_constraints_and_overwrite_with_gradient_as_keras():
    ours, theirs = Variable(WEIGHTS[0] - 1.0), keras.Variable(WEIGHTS[0] - 1.0)
    ours.constraint = lambda w: jnp.maximum(w, 0.0)
    theirs.constraint = keras.constraints.NonNeg()
    marked_ours, marked_theirs = Variable(WEIGHTS[1]), keras.Variable(WEIGHTS[1])
    marked_ours.overwrite_with_gradient = marked_theirs.overwrite_with_gradient = True
    for module, pair in ((optimizers, (ours, marked_ours)), (keras.optimizers, (theirs, marked_theirs))):
        module.SGD(0.1).apply_gradients(zip(GRADIENTS[0], pair))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert ours.numpy().min() == 0.0
    np.testing.assert_array_equal(marked_ours.numpy(), GRADIENTS[0][1])


def test_scale_loss_and_finalize_variable_values():
    opt = optimizers.SGD(1.0, loss_scale_factor=1024.0, use_ema=True, ema_momentum=0.5)
    assert opt.scale_loss(1.0) == 1024.0 and optimizers.SGD().scale_loss(3.0) == 3.0
    assert opt.loss_scale() == 1024.0 and optimizers.SGD().loss_scale() is None
    w = Variable([1.0, 2.0])
    opt.apply_gradients([(jnp.full(2, 1024.0), w)])
    opt.apply_gradients([(jnp.full(2, 1024.0), w)])
    np.testing.assert_allclose(w.numpy(), [-1.0, 0.0])
    opt.finalize_variable_values([w])
    np.testing.assert_allclose(w.numpy(), [-0.5, 0.5])  # the average of 0 and -1, of 1 and 0
    with pytest.raises(ValueError, match=r"The length of model variables \(2\) to override does not match"):
        opt.finalize_variable_values([w, w])


def test_a_keras_style_subclass_runs_all_three_ways():
    class Momentum(optimizers.Optimizer):
        def __init__(self, learning_rate=0.1, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)

        def build(self, variables):
            super().build(variables)
            self.velocities = self.add_optimizer_variables(variables, "velocity")

        def update_step(self, gradient, variable, learning_rate):
            v = self.velocities[self._get_variable_index(variable)]
            self.assign(v, 0.9 * v - learning_rate * gradient)
            self.assign_add(variable, v)

    reference = [Variable(w) for w in WEIGHTS]
    keras_like = optimizers.SGD(0.1, momentum=0.9)
    for grads in GRADIENTS:
        keras_like.apply_gradients(zip(grads, reference))
    ours = [Variable(w) for w in WEIGHTS]
    custom = Momentum()
    for grads in GRADIENTS:
        custom.apply_gradients(zip(grads, ours))
    params = {"a": jnp.asarray(WEIGHTS[0]), "b": jnp.asarray(WEIGHTS[1])}
    face = Momentum()
    state = face.init(params)
    for grads in GRADIENTS:
        updates, state = jax.jit(face.update)({"a": grads[0], "b": grads[1]}, state, params)
        params = jax.tree.map(jnp.add, params, updates)
    for got, face_got, expected in zip(ours, (params["a"], params["b"]), reference):
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
        np.testing.assert_allclose(face_got, expected.numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(NotImplementedError, match=r"Bare must implement `update_step"):
        type("Bare", (optimizers.Optimizer,), {})(0.1).apply_gradients([(jnp.ones(1), Variable([1.0]))])
