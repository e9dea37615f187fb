"""What an overridden `train_step` costs a training epoch: the MLP workload (784-128(relu)-10(softmax), Adam, batch
128, sparse categorical cross-entropy and accuracy) fitted by the default step and by a subclass overriding
`train_step` as keras.io's "Customizing what happens in fit() with JAX" guide does (its first example:
`jax.value_and_grad` over `stateless_call` + `stateless_compute_loss`, `optimizer.stateless_apply`, every metric of
`self.metrics` updated with `stateless_update_state`). One epoch of each in turn per round (both under the same
load); wall and CPU seconds per epoch, and the programs each compiled.

    .venv/bin/python -m benchmarks.custom_step --samples 60000 --rounds 8
"""

from __future__ import annotations

import argparse

import jax
import numpy as np

from benchmarks.common import alternate_epochs
from benchmarks.workloads import make_data


def guide_model_class(keras):
    """The guide's first `CustomModel` (its code, on `keras`)."""

    class CustomModel(keras.Model):
        def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, metrics_variables, x, y,
                                     sample_weight, training=False):
            y_pred, non_trainable_variables = self.stateless_call(trainable_variables, non_trainable_variables, x,
                                                                  training=training)
            loss, (trainable_variables, non_trainable_variables, metrics_variables) = self.stateless_compute_loss(
                trainable_variables, non_trainable_variables, metrics_variables, x=x, y=y, y_pred=y_pred,
                sample_weight=sample_weight, training=training)
            return loss, (y_pred, non_trainable_variables, metrics_variables)

        def train_step(self, state, data):
            trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = state
            x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
            grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
            (loss, (y_pred, non_trainable_variables, metrics_variables)), grads = grad_fn(
                trainable_variables, non_trainable_variables, metrics_variables, x, y, sample_weight, training=True)
            trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable_variables)
            new_metrics_vars, logs = [], {}
            for metric in self.metrics:
                this = metrics_variables[len(new_metrics_vars):len(new_metrics_vars) + len(metric.variables)]
                if metric.name == "loss":
                    this = metric.stateless_update_state(this, loss, sample_weight=sample_weight)
                else:
                    this = metric.stateless_update_state(this, y, y_pred, sample_weight=sample_weight)
                logs[metric.name] = metric.stateless_result(this)
                new_metrics_vars += this
            return logs, (trainable_variables, non_trainable_variables, optimizer_variables, new_metrics_vars)

    return CustomModel


def build(keras, cls):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((784,))
    hidden = keras.layers.Dense(128, activation="relu")(inputs)
    model = cls(inputs, keras.layers.Dense(10, activation="softmax")(hidden))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    import kerasish as ks

    x, y = make_data("mlp", args.samples)
    models = {"default step": build(ks, ks.Model), "guide's train_step": build(ks, guide_model_class(ks))}
    for model in models.values():
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)  # compiles
    wall, cpu = alternate_epochs(models, x, y, args.rounds)
    base = "default step"
    for name, model in models.items():
        print(f"{name:20s} wall s/epoch min {min(wall[name]):.4f} median {np.median(wall[name]):.4f}   "
              f"cpu min {min(cpu[name]):.4f} median {np.median(cpu[name]):.4f}   "
              f"wall median ratio {np.median(wall[name]) / np.median(wall[base]):.3f}   "
              f"cpu median ratio {np.median(cpu[name]) / np.median(cpu[base]):.3f}   "
              f"programs {model.compiled_programs()}")


if __name__ == "__main__":
    main()
