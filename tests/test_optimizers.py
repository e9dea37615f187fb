"""kerasish.optimizers against keras.optimizers (JAX backend): same start, same gradients, 20 steps,
same parameters; the learning rate lives in the state (settable without recompiling)."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import optax
import pytest

from kerasish import optimizers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(8, 3)).astype(np.float32)
Y = RNG.normal(size=(8, 2)).astype(np.float32)
INIT = {"b": RNG.normal(size=(2,)).astype(np.float32), "w": RNG.normal(size=(3, 2)).astype(np.float32)}
KEYS = sorted(INIT)  # the order of jax.tree.leaves for the dict


def loss_fn(params):
    return jnp.mean((X @ params["w"] + params["b"][None, :] - Y) ** 2)


def run_ours(opt, steps=20, params=None, state=None):
    @jax.jit
    def step(params, state):
        updates, state = opt.update(jax.grad(loss_fn)(params), state, params)
        return optax.apply_updates(params, updates), state

    params = jax.tree.map(jnp.asarray, INIT) if params is None else params
    state = opt.init(params) if state is None else state
    for _ in range(steps):
        params, state = step(params, state)
    return params, state


def run_keras(opt, steps=20, variables=None):
    variables = [keras.Variable(INIT[k]) for k in KEYS] if variables is None else variables
    for _ in range(steps):
        grads = jax.grad(loss_fn)({k: v.value for k, v in zip(KEYS, variables, strict=True)})
        opt.apply_gradients(zip([grads[k] for k in KEYS], variables, strict=True))
    return variables


def assert_same(params, variables, rtol=1e-5):
    for k, v in zip(KEYS, variables, strict=True):
        np.testing.assert_allclose(params[k], np.asarray(v.value), rtol=rtol, atol=1e-6, err_msg=k)


CASES = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.05, "epsilon": 1e-2}),
    ("Adam", {"learning_rate": 0.05, "amsgrad": True}),
    ("Adam", {"learning_rate": 0.05, "clipnorm": 0.1}),
    ("Adam", {"learning_rate": 0.05, "global_clipnorm": 0.1}),
    ("AdamW", {}),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.3, "beta_1": 0.5, "beta_2": 0.9}),
    ("RMSprop", {}),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True, "clipvalue": 0.5}),
    ("Adagrad", {}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-3}),
]


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_matches_keras(name, kwargs):
    params, _ = run_ours(getattr(optimizers, name)(**kwargs))
    assert_same(params, run_keras(getattr(keras.optimizers, name)(**kwargs)))
    assert not np.allclose(params["w"], INIT["w"])  # it did move


def test_keras_adam_differs_from_optax_adam():
    """Why `scale_by_keras_adam` exists: optax puts epsilon on the bias-corrected sqrt(v_hat)."""
    ours, _ = run_ours(optimizers.Adam(0.05, epsilon=1e-2))
    theirs, _ = run_ours(optimizers.Optimizer.from_optax(optax.adam(0.05, eps=1e-2)))
    assert np.abs(ours["w"] - theirs["w"]).max() > 1e-4


@pytest.mark.parametrize("name, kwargs", [("SGD", {"momentum": 0.9}), ("Adam", {}), ("RMSprop", {"momentum": 0.5})])
def test_set_learning_rate_mid_training_matches_keras(name, kwargs):
    """Keras's SGD keeps the learning rate inside its momentum: changing it mid-run must match too."""
    params, state = run_ours(getattr(optimizers, name)(0.1, **kwargs), steps=10)
    variables = run_keras(keras_opt := getattr(keras.optimizers, name)(0.1, **kwargs), steps=10)
    params, _ = run_ours(
        getattr(optimizers, name)(0.1, **kwargs), 10, params, optimizers.set_learning_rate(state, 0.02)
    )
    keras_opt.learning_rate = 0.02
    assert_same(params, run_keras(keras_opt, 10, variables))


def test_set_learning_rate_does_not_recompile():
    opt = optimizers.Adam(0.1)

    @jax.jit
    def step(params, state):
        updates, state = opt.update(jax.grad(loss_fn)(params), state, params)
        return updates, state

    params = jax.tree.map(jnp.asarray, INIT)
    state = opt.init(params)
    assert optimizers.get_learning_rate(state) == 0.1
    fast, _ = step(params, state)
    slow_state = optimizers.set_learning_rate(state, 0.01)
    slow, _ = step(params, slow_state)
    assert step._cache_size() == 1
    np.testing.assert_allclose(slow["w"], fast["w"] / 10, rtol=1e-5)
    assert optimizers.get_learning_rate(slow_state) == 0.01
    assert optimizers.get_learning_rate(state) == 0.1  # pure: the old state is unchanged


@pytest.mark.parametrize("name, kwargs", [("SGD", {"momentum": 0.9}), ("Adam", {})])
def test_schedule_matches_keras(name, kwargs):
    ours_opt = getattr(optimizers, name)(optax.exponential_decay(0.1, 5, 0.5), **kwargs)
    keras_opt = getattr(keras.optimizers, name)(keras.optimizers.schedules.ExponentialDecay(0.1, 5, 0.5), **kwargs)
    params, state = run_ours(ours_opt, steps=7)
    assert_same(params, run_keras(keras_opt, steps=7))
    # Like Keras's `optimizer.learning_rate`, the state reports the rate of the next step.
    np.testing.assert_allclose(optimizers.get_learning_rate(state), 0.1 * 0.5 ** (7 / 5), rtol=1e-6)
    np.testing.assert_allclose(optimizers.get_learning_rate(state), float(keras_opt.learning_rate), rtol=1e-6)
    with pytest.raises(ValueError, match="learning rate is a schedule, hence not settable; received value=0.5"):
        optimizers.set_learning_rate(state, 0.5)


def test_usable_as_an_optax_transformation():
    opt = optimizers.SGD(0.1)
    init, update = opt
    assert callable(init) and callable(update)
    chained = optax.chain(optax.clip(0.01), opt)
    params = jnp.zeros(2)
    updates, state = chained.update(jnp.ones(2), chained.init(params), params)
    np.testing.assert_allclose(updates, [-0.001, -0.001], rtol=1e-6)
    assert optimizers.get_learning_rate(state) == 0.1  # found inside the chain's state
    assert optimizers.get_learning_rate(optimizers.set_learning_rate(state, 0.2)) == 0.2


def test_get():
    for name, cls in [("sgd", "SGD"), ("adam", "Adam"), ("adamw", "AdamW"), ("rmsprop", "RMSprop"),
                      ("adagrad", "Adagrad"), ("Adam", "Adam")]:  # fmt: skip
        opt = optimizers.get(name)
        assert type(opt).__name__ == cls
        assert opt.get_config() == getattr(optimizers, cls)().get_config()
    opt = optimizers.Adam(0.5)
    assert optimizers.get(opt) is opt


def test_get_wraps_optax():
    plain = optimizers.get(optax.adam(1e-3))
    state = plain.init(jnp.zeros(2))
    assert isinstance(plain, optimizers.Optimizer) and optimizers.get_learning_rate(state) is None
    with pytest.raises(ValueError, match="holds no learning rate"):
        optimizers.set_learning_rate(state, 0.1)
    injected = optimizers.get(optax.inject_hyperparams(optax.sgd)(learning_rate=0.25))
    state = injected.init(jnp.zeros(2))
    assert optimizers.get_learning_rate(optimizers.set_learning_rate(state, 0.5)) == 0.5


def test_get_config_round_trip():
    for opt in [
        optimizers.SGD(0.1, momentum=0.9, nesterov=True, clipnorm=1.0),
        optimizers.AdamW(weight_decay=0.1),
        optimizers.RMSprop(centered=True),
        optimizers.Adagrad(epsilon=1e-6),
    ]:
        config = opt.get_config()
        assert type(opt)(**config).get_config() == config
    assert optimizers.AdamW().get_config()["weight_decay"] == 0.004


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: optimizers.SGD(learning_rate=0.0),
            r"`learning_rate` must be a number > 0.0, received learning_rate=0.0",
        ),
        (
            lambda: optimizers.SGD(learning_rate="fast"),
            r"`learning_rate` must be .* received learning_rate='fast'",
        ),
        (
            lambda: optimizers.SGD(momentum=-0.1),
            r"`momentum` must be a number >= 0.0, received momentum=-0.1",
        ),
        (
            lambda: optimizers.Adam(beta_1=1.0),
            r"`beta_1` must be a number >= 0.0 and < 1.0, received beta_1=1.0",
        ),
        (lambda: optimizers.Adam(beta_2=-0.5), r"`beta_2` must be .* received beta_2=-0.5"),
        (
            lambda: optimizers.AdamW(weight_decay=-1),
            r"`weight_decay` must be a number >= 0.0, received weight_decay=-1",
        ),
        (lambda: optimizers.RMSprop(rho=1.5), r"`rho` must be .* received rho=1.5"),
        (lambda: optimizers.Adagrad(initial_accumulator_value=-1), r"received initial_accumulator_value=-1"),
        (lambda: optimizers.Adam(clipnorm=0), r"`clipnorm` must be a number > 0.0, received clipnorm=0"),
        (lambda: optimizers.Adam(clipnorm=1.0, clipvalue=1.0), r"Only one of `clipnorm`, `clipvalue` and"),
        (
            lambda: optimizers.get("adamax"),
            r"Unknown optimizer 'adamax'\. Expected one of \[.*'adam', 'adamw'",
        ),
        (
            lambda: optimizers.set_learning_rate(optimizers.SGD().init(jnp.zeros(1)), -1.0),
            r"received value=-1.0",
        ),
    ],
)
def test_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_wrong_type():
    with pytest.raises(TypeError, match="must be an optimizer name.*received 0.1 of type float"):
        optimizers.get(0.1)


def test_weight_decay_needs_params():
    opt = optimizers.AdamW()
    state = opt.init(jnp.zeros(2))
    with pytest.raises(ValueError, match="needs the parameters"):
        opt.update(jnp.ones(2), state)
