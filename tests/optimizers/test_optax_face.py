"""The optax face (`init` / `update`): the engine's way in, and any optax user's.

The state holds the learning rate (settable between steps without recompiling), the step count and Keras's
variables; `state_variables` lists them in Keras's order and names, checked against Keras 3.
"""

import pickle

import jax
import jax.numpy as jnp
import keras
import numpy as np
import optax
import pytest

from kerasish import optimizers
from kerasish.variables import Variable
from tests.optimizers.helpers import GRADIENTS, WEIGHTS, run_keras

PARAMS = {"a": jnp.asarray(WEIGHTS[0]), "b": jnp.asarray(WEIGHTS[1])}


def _step(opt):
    @jax.jit
    def step(params, state, grads):
        updates, state = opt.update({"a": grads[0], "b": grads[1]}, state, params)
        return optax.apply_updates(params, updates), state
    return step


def _run(opt, steps, params=PARAMS, state=None, first=0):
    step = _step(opt)
    state = opt.init(params) if state is None else state
    for grads in GRADIENTS[first:first + steps]:
        params, state = step(params, state, grads)
    return params, state


@pytest.mark.parametrize("name, kwargs", [("SGD", {"momentum": 0.9}), ("Adam", {}), ("RMSprop", {"momentum": 0.5})])
def test_setting_the_learning_rate_mid_training_matches_keras(name, kwargs):
    """Keras's SGD keeps the learning rate inside its velocity: changing it mid-run must match too."""
    params, state = _run(getattr(optimizers, name)(0.1, **kwargs), 2)
    params, _ = _run(getattr(optimizers, name)(0.1, **kwargs), 1, params, optimizers.set_learning_rate(state, 0.02),
                     first=2)

    keras_opt = getattr(keras.optimizers, name)(0.1, **kwargs)
    variables = [keras.Variable(w) for w in WEIGHTS]
    for i, grads in enumerate(GRADIENTS[:3]):
        if i == 2:
            keras_opt.learning_rate = 0.02
        keras_opt.apply_gradients(zip(grads, variables))
    for got, expected in zip((params["a"], params["b"]), variables):
        np.testing.assert_allclose(got, expected.numpy(), rtol=1e-5, atol=1e-6)


def test_set_learning_rate_does_not_recompile_and_leaves_the_old_state():
    opt = optimizers.Adam(0.1)
    step = _step(opt)
    state = opt.init(PARAMS)
    assert optimizers.get_learning_rate(state) == 0.1
    fast, _ = step(PARAMS, state, GRADIENTS[0])
    slow_state = optimizers.set_learning_rate(state, 0.01)
    slow, _ = step(PARAMS, slow_state, GRADIENTS[0])
    assert step._cache_size() == 1
    np.testing.assert_allclose(slow["a"] - PARAMS["a"], (fast["a"] - PARAMS["a"]) / 10, rtol=1e-4)
    assert optimizers.get_learning_rate(slow_state) == 0.01
    assert optimizers.get_learning_rate(state) == 0.1


@pytest.mark.parametrize("schedule", ["keras", "optax"])
def test_a_schedule_gives_the_next_steps_rate_and_refuses_to_be_set(schedule):
    ours = (optimizers.schedules.ExponentialDecay(0.1, 2, 0.5) if schedule == "keras"
            else optax.exponential_decay(0.1, 2, 0.5))
    _, state = _run(optimizers.SGD(ours, momentum=0.9), 3)
    keras_opt = keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5), momentum=0.9)
    weights, _, _ = run_keras(lambda m: keras_opt if m is keras.optimizers else None)
    np.testing.assert_allclose(optimizers.get_learning_rate(state), float(keras_opt.learning_rate), rtol=1e-6)
    np.testing.assert_allclose(optimizers.get_learning_rate(state), 0.1 * 0.5 ** 1.5, rtol=1e-6)
    with pytest.raises(ValueError, match="learning rate is a schedule, hence not settable; received value=0.5"):
        optimizers.set_learning_rate(state, 0.5)
    params, _ = _run(optimizers.SGD(ours, momentum=0.9), 3)
    np.testing.assert_allclose(params["a"], weights[0], rtol=1e-5)


def test_usable_inside_an_optax_chain():
    opt = optimizers.SGD(0.1)
    init, update = opt
    assert callable(init) and callable(update)
    chained = optax.chain(optax.clip(0.01), opt)
    params = jnp.zeros(2)
    updates, state = chained.update(jnp.ones(2), chained.init(params), params)
    np.testing.assert_allclose(updates, [-0.001, -0.001], rtol=1e-5)
    assert optimizers.get_learning_rate(state) == 0.1
    assert optimizers.get_learning_rate(optimizers.set_learning_rate(state, 0.2)) == 0.2
    assert int(optimizers.get_iterations(state)) == 1


def test_tree_map_params_finds_the_slots_shaped_like_the_params():
    """The engine shards each slot like its weight with optax.tree_map_params (init on a placeholder)."""
    for opt in [optimizers.Adam(amsgrad=True), optimizers.SGD(momentum=0.9), optimizers.Nadam(), optimizers.SGD(),
                optimizers.ScheduleFreeAdamW(), optimizers.Adafactor()]:
        state = opt.init(PARAMS)
        marked = optax.tree_map_params(opt, lambda _, mark: mark, state, {"a": "A", "b": "B"},
                                       transform_non_params=lambda _: "other")
        for name in state.slots:
            assert marked.slots[name] == {"a": "A", "b": "B"}
        assert marked.iteration == "other" and marked.learning_rate == "other"
        assert all(x == "other" for x in marked.others)


def test_state_variables_are_kerass_variables_in_order_with_their_names():
    make = lambda m: m.Adam(0.1, amsgrad=True, use_ema=True)
    _, keras_state, keras_paths = run_keras(make)
    opt = make(optimizers)
    params, state = _run(opt, len(GRADIENTS))
    variables = opt.state_variables(state, params)
    assert [v.path.split("/", 1)[1] for v in variables] == keras_paths
    assert keras_paths == ["iteration", "learning_rate", "a_average", "b_average", "a_momentum", "a_velocity",
                           "b_momentum", "b_velocity", "a_velocity_hat", "b_velocity_hat"]
    for got, expected in zip(variables, keras_state, strict=True):
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=1e-6)
    rebuilt = opt.state_from_variables([v.numpy() for v in variables], params)
    assert jax.tree.all(jax.tree.map(lambda x, y: bool(jnp.array_equal(x, y)), rebuilt, state))


def test_state_from_variables_names_the_entry_that_does_not_fit():
    opt = optimizers.SGD(momentum=0.9)
    values = [v.numpy() for v in opt.state_variables(opt.init(PARAMS), PARAMS)]
    with pytest.raises(ValueError, match=r"has 4 variables for these parameters, received 3 values"):
        opt.state_from_variables(values[:3], PARAMS)
    with pytest.raises(ValueError, match=r"'sgd(_\d+)?/a_momentum' has shape \(3, 2\) and dtype float32, received "
                                         r"shape \(2, 3\)"):
        opt.state_from_variables(values[:2] + [np.zeros((2, 3), np.float32)] + values[3:], PARAMS)
    with pytest.raises(ValueError, match=r"'sgd(_\d+)?/b_momentum' holds NaN or infinity"):
        opt.state_from_variables(values[:3] + [np.full(2, np.nan, np.float32)], PARAMS)


def test_update_needs_the_params_and_its_own_state():
    opt = optimizers.AdamW()
    state = opt.init(jnp.zeros(2))
    with pytest.raises(ValueError, match=r"AdamW.update needs the parameters: call `optimizer.update\(grads, "):
        opt.update(jnp.ones(2), state)
    with pytest.raises(ValueError, match=r"AdamW.update received a state it did not make \(dict\)"):
        opt.update(jnp.ones(2), {"count": 0}, jnp.zeros(2))


def test_exclusion_by_identity_is_refused_by_the_optax_face():
    opt = optimizers.AdamW()
    opt.exclude_from_weight_decay(var_list=[keras.Variable(1.0)])
    with pytest.raises(ValueError, match=r"names variables by identity, which the optax face .* use var_names"):
        opt.init(PARAMS)


def test_exclusion_by_name_reaches_the_optax_face():
    opt = optimizers.SGD(1.0, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["b"])
    params, _ = _run(opt, 1)
    np.testing.assert_allclose(params["b"], WEIGHTS[1] - GRADIENTS[0][1], rtol=1e-6)
    np.testing.assert_allclose(params["a"], WEIGHTS[0] * 0.5 - GRADIENTS[0][0], rtol=1e-6)


class Holder:
    """The engine's side of `Optimizer.bind`: the live rate, and (optionally) the live optimizer state."""

    def __init__(self, opt, params):
        self.state = opt.init(params)

    def learning_rate(self):
        return optimizers.get_learning_rate(self.state)

    def set_learning_rate(self, value):
        self.state = optimizers.set_learning_rate(self.state, value)

    def optimizer_state(self):
        return self.state


def test_a_bound_optimizer_reads_and_writes_the_live_state():
    opt = optimizers.Adam(0.01)
    holder = Holder(opt, PARAMS)
    opt.bind(holder)
    opt.learning_rate = 0.5
    assert optimizers.get_learning_rate(holder.state) == 0.5 and float(opt.learning_rate) == 0.5
    opt.learning_rate.assign(0.25)
    assert optimizers.get_learning_rate(holder.state) == 0.25
    _, holder.state = _run(opt, 2, state=holder.state)
    assert int(opt.iterations) == 2 and int(opt.variables[0]) == 2  # Keras's `iteration` variable, live
    assert opt.get_config()["learning_rate"] == 0.25
    with pytest.raises(ValueError, match=r"cannot become a schedule once a model trains with it"):
        opt.learning_rate = optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    assert pickle.loads(pickle.dumps(opt)).get_config() == opt.get_config()  # the holder is not pickled
    del holder  # held weakly: the optimizer falls back to its own variable
    assert float(opt.learning_rate) == 0.25


@pytest.mark.parametrize("wrapped", [False, True])
def test_finalize_params_gives_the_moving_averages_keras_writes_at_the_end(wrapped):
    make = lambda m: m.Adam(0.1, use_ema=True, ema_momentum=0.7)
    keras_opt, variables = make(keras.optimizers), [keras.Variable(w) for w in WEIGHTS]
    for grads in GRADIENTS:
        keras_opt.apply_gradients(zip(grads, variables))
    keras_opt.finalize_variable_values(variables)
    opt = optimizers.LossScaleOptimizer(make(optimizers), initial_scale=1.0) if wrapped else make(optimizers)
    params, state = _run(opt, len(GRADIENTS))
    final = opt.finalize_params(params, state)
    for got, expected in zip((final["a"], final["b"]), variables):
        np.testing.assert_allclose(got, expected.numpy(), rtol=1e-5, atol=1e-6)
    assert optimizers.Adam().finalize_params(params, optimizers.Adam().init(params)) is params


def test_update_params_gives_the_new_weights_exactly():
    opt = optimizers.Adam(0.1)
    state = opt.init(PARAMS)
    grads = {"a": jnp.asarray(GRADIENTS[0][0]), "b": jnp.asarray(GRADIENTS[0][1])}
    new_params, new_state = jax.jit(opt.update_params)(grads, state, PARAMS)
    updates, same_state = jax.jit(opt.update)(grads, state, PARAMS)
    variables = [keras.Variable(w) for w in WEIGHTS]
    keras.optimizers.Adam(0.1).apply_gradients(zip(GRADIENTS[0], variables))
    np.testing.assert_allclose(new_params["a"], variables[0].numpy(), rtol=1e-7)  # as Keras assigns them
    np.testing.assert_allclose(optax.apply_updates(PARAMS, updates)["a"], new_params["a"], rtol=1e-6)
    assert jax.tree.all(jax.tree.map(lambda x, y: bool(jnp.array_equal(x, y)), new_state, same_state))


@pytest.mark.parametrize("wrapped", [False, True])
def test_an_unbuilt_copy_shares_nothing_with_its_original(wrapped):
    make = lambda: optimizers.Adam(0.1, use_ema=True)
    opt = optimizers.LossScaleOptimizer(make()) if wrapped else make()
    weight = Variable(jnp.zeros(2))
    opt.apply([jnp.ones(2)], [weight])
    before = [v.numpy() for v in opt.variables] + [weight.numpy()]
    twin = opt.unbuilt_copy()
    assert not twin.built and type(twin) is type(opt) and twin.get_config() == opt.get_config()
    assert int(twin.iterations) == 0 and float(twin.learning_rate) == float(opt.learning_rate)
    twin.apply([jnp.ones(2)], [Variable(jnp.zeros(2))])  # builds and steps the copy only
    twin.learning_rate = 0.5
    assert float(opt.learning_rate) == pytest.approx(0.1) and int(opt.iterations) == 1
    for got, expected in zip([v.numpy() for v in opt.variables] + [weight.numpy()], before, strict=True):
        np.testing.assert_array_equal(got, expected)
    if wrapped:
        assert twin.inner_optimizer is not opt.inner_optimizer and twin.inner_optimizer.built


def test_state_packing_puts_kerass_variables_into_the_state_and_back():
    opt = optimizers.Adam(amsgrad=True)
    opt.build([jnp.zeros(2), jnp.zeros(3)])
    packing = opt.state_packing(jax.tree.structure([0, 0]), any_weight=True)
    values = [v.value for v in opt.variables]
    state = packing.pack(values)
    assert list(state.slots) == ["momentum", "velocity", "velocity_hat"]  # Keras's slot names for Adam(amsgrad)
    assert [x.shape for x in state.slots["velocity_hat"]] == [(2,), (3,)] and state.others == ()
    assert all(got is value for got, value in zip(packing.unpack(state), values, strict=True))
    without_weights = optimizers.Adam(amsgrad=True)
    without_weights.build([])
    assert without_weights.state_packing(jax.tree.structure([]), any_weight=False).slot_names == list(state.slots)
