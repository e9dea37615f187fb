"""kerasish: a Keras-style training framework over JAX, on Flax NNX and optax.

    >>> import kerasish as ks
    >>> model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(3, activation="softmax")])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
"""

from kerasish import (
    activations,
    backend,
    callbacks,
    data,
    datasets,
    distribution,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    saving,
    utils,
)
from kerasish.layers import Input, Layer
from kerasish.losses import Loss
from kerasish.metrics import Metric
from kerasish.models import Model, Sequential
from kerasish.optimizers import Optimizer
from kerasish.variables import Variable

__version__ = "0.1.0"

__all__ = ["Input", "Layer", "Loss", "Metric", "Model", "Optimizer", "Sequential", "Variable", "activations",
           "backend", "callbacks", "data", "datasets", "distribution", "initializers", "layers", "losses", "metrics",
           "mixed_precision", "models", "ops", "optimizers", "random", "regularizers", "saving", "utils",
           "__version__"]
