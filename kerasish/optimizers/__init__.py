"""Optimizers with Keras 3's names, arguments, maths, variables and config, usable three ways.

- Keras's stateful API: `opt.apply_gradients(zip(grads, variables))`, `opt.apply(grads, variables)`.
- Keras's stateless API, for a hand-written JAX loop: `opt.build(variables)`, `opt.variables`,
  `opt.stateless_apply(optimizer_variables, grads, trainable_variables)`.
- the optax face: `opt.init(params)` / `opt.update(grads, opt_state, params)`, so an optimizer goes wherever an
  `optax.GradientTransformation` goes; its state holds the learning rate, read and set with `get_learning_rate` /
  `set_learning_rate` without recompiling a step.

Learning-rate schedules are in `kerasish.optimizers.schedules`; `get` / `serialize` / `deserialize` use Keras's
names and dict format.

Example:
  >>> import kerasish as ks
  >>> opt = ks.optimizers.Adam(ks.optimizers.schedules.ExponentialDecay(1e-3, 1000, 0.9))
  >>> ks.optimizers.serialize(opt)["config"]["learning_rate"]["class_name"]
  'ExponentialDecay'
"""

from kerasish.optimizers import schedules
from kerasish.optimizers.adam import Adam, Adamax, AdamW, Lamb, Nadam, ScheduleFreeAdamW
from kerasish.optimizers.adaptive import Adadelta, Adafactor, Adagrad, Ftrl, RMSprop
from kerasish.optimizers.base import Optimizer
from kerasish.optimizers.loss_scale import LossScaleOptimizer
from kerasish.optimizers.muon import Muon
from kerasish.optimizers.optax_wrapper import OptaxOptimizer
from kerasish.optimizers.serialization import deserialize, get, is_serializable, serialize
from kerasish.optimizers.sgd import SGD, Lion
from kerasish.optimizers.state import (
    LossScaleState,
    OptimizerState,
    ScheduledRate,
    get_iterations,
    get_learning_rate,
    set_learning_rate,
)

__all__ = ["SGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lamb", "Lion",
           "LossScaleOptimizer", "LossScaleState", "Muon", "Nadam", "OptaxOptimizer", "Optimizer", "OptimizerState",
           "RMSprop", "ScheduleFreeAdamW", "ScheduledRate", "deserialize", "get", "get_iterations",
           "get_learning_rate", "is_serializable", "schedules", "serialize", "set_learning_rate"]
