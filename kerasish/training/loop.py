"""The epoch loop of `fit`, and the loops of `evaluate` and `predict`: plain Python around the engine.

The loop owns what the compiled steps cannot: epochs, callbacks, the progress bar, validation, and
the guarantee that the model ends with consistent weights. The state is written back to the model
in a `finally` block, so an exception or Ctrl-C leaves it holding the weights of the last completed
step, never a half-updated set. A train dispatch takes over the buffers of the state it is given
(`engine._donating`), so Ctrl-C is held back from the moment a dispatch starts until its new state is
stored (`InterruptsHeld`): it would otherwise lose both the old state and the new.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Mapping
from typing import Any

import jax

from kerasish import random as _random
from kerasish.callbacks.callback import CallbackList
from kerasish.callbacks.history import History
from kerasish.callbacks.progbar import ProgbarLogger
from kerasish.layers.base import trainable_changes
from kerasish.training.data.dataset import Dataset
from kerasish.training.engine import Engine, stack_outputs
from kerasish.training.train_state import TrainState


class LazyLogs(Mapping):
    """Batch logs read from the device only when a callback looks at them (no per-step sync otherwise)."""

    def __init__(self, read: Callable[[Any], dict], metric_state: Any) -> None:
        self._read_metrics, self._metric_state, self._logs = read, metric_state, None

    def _read(self) -> dict[str, float]:
        if self._logs is None:
            self._logs = self._read_metrics(self._metric_state)
        return self._logs

    def __getitem__(self, key):
        return self._read()[key]

    def __iter__(self):
        return iter(self._read())

    def __len__(self):
        return len(self._read())


def make_callbacks(model, callbacks, verbose: int, epochs: int, steps: int | None, history: bool) -> CallbackList:
    """The callbacks of a call: the user's, a new `History` first (fit), a progress bar when `verbose`."""
    if jax.process_index() != 0:  # several processes: files and progress come from process 0 only
        verbose = 0
        callbacks = [cb for cb in callbacks or [] if not getattr(cb, "chief_only", False)
                     and not isinstance(cb, ProgbarLogger)]
    callbacks = CallbackList(callbacks)
    if history:
        model.history = History()
        callbacks.append(model.history, first=True)  # records an epoch even if a later callback raises
    if verbose and not any(isinstance(cb, ProgbarLogger) for cb in callbacks.callbacks):
        callbacks.append(ProgbarLogger(verbose))
    callbacks.set_model(model)
    callbacks.set_params({"verbose": verbose, "epochs": epochs, "steps": steps})
    return callbacks


class InterruptsHeld:
    """Within `with`, Ctrl-C (SIGINT) waits while `advance` runs: `live.state = fn(live.state, ...)` either
    has not started or has stored its result when KeyboardInterrupt is raised.

    A train dispatch takes over its input buffers when it starts; an interrupt raised between that moment and the
    assignment of its result (while JAX flattens the arguments or builds the output pytree, Python code that
    runs signal handlers) would leave the train state pointing at deleted arrays. Held back, the interrupt is
    raised right after the assignment. Only in the main thread (the one Python delivers signals to) and only
    over a Python-level handler (the default one, IPython's); the previous handler is restored on exit and is
    the one that finally runs.
    """

    def __init__(self, live: TrainState) -> None:
        self.live = live
        self.previous, self.holding, self.pending = None, False, None

    def __enter__(self) -> InterruptsHeld:
        if threading.current_thread() is threading.main_thread() and callable(signal.getsignal(signal.SIGINT)):
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None

    def _handle(self, signum, frame) -> None:
        if self.holding:
            self.pending = (signum, frame)
        else:
            self.previous(signum, frame)

    def advance(self, fn, *args) -> None:
        """`live.state = fn(live.state, *args)`, not interrupted in between."""
        self.holding = True
        try:
            self.live.state = fn(self.live.state, *args)
        finally:
            self.holding = False
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self.previous(*pending)  # installed: `_handle` holds a signal back only then


class FitRun:
    """The running `fit` as its callbacks see it (`callback.fit_run`): where it is, its live train state, its data
    order, and where it may be asked to resume (what `BackupAndRestore` saves and restores).

    Attributes:
      callbacks: the fit's `CallbackList`.
      epoch: the epoch running (0-based).
      epoch_order: the data-order state from before this epoch's order was drawn (None for iterables):
        restored, it makes a resumed epoch draw the same order.
      resume_epoch, resume_step, resume_metrics: where `resume` asked the loop to start.
    """

    def __init__(self, callbacks: CallbackList, dataset: Dataset, live: TrainState) -> None:
        self.callbacks, self._dataset, self._live = callbacks, dataset, live
        self.epoch = 0
        self.epoch_order: dict | None = None
        self.resume_epoch: int | None = None
        self.resume_step = 0
        self.resume_metrics: Any = None

    @property
    def state(self) -> dict[str, Any] | None:
        """The live train state (None before the first epoch starts)."""
        return self._live.state

    def state_like(self) -> dict[str, Any]:
        """A train state read from the model (the structure and dtypes a saved state must have)."""
        return self._live.pull_state()

    def restore_state(self, state: dict[str, Any]) -> None:
        """From `on_train_begin`: the fit starts from `state` (weights into the model, optimizer state kept)."""
        self._live.push_state(state)

    def take_model_weights(self) -> None:
        """The model's weights (a callback may have set them) become the live ones before the next step."""
        self._live.pull_weights()

    def data_order(self) -> dict | None:
        """The training data's order state now (JSON-able), or None for iterables."""
        return self._dataset.order_state()

    def restore_data_order(self, state: dict) -> None:
        """Makes the next epoch draw the order `data_order` returned."""
        self._dataset.restore_order_state(state)

    def resume(self, epoch: int, step: int = 0, metrics: Any = None) -> None:
        """Called from `on_train_begin`: the loop starts at batch `step` (0-based) of `epoch`.

        With `step > 0` the epoch continues with `metrics` (the accumulators of its first `step` batches)
        and `on_epoch_begin` is not called again: the interrupted run called it before the backup.

        Raises:
          ValueError: for `step > 0` without `metrics`.
        """
        if step and metrics is None:
            raise ValueError(f"Resuming epoch {epoch} at batch {step} needs the metric accumulators of its first "
                             f"{step} batches, received metrics=None.")
        self.resume_epoch, self.resume_step, self.resume_metrics = int(epoch), int(step), metrics


def run_fit(model, engine: Engine, live: TrainState, dataset: Dataset, val_dataset: Dataset | None, epochs: int,
            verbose: int, callbacks, initial_epoch: int, validation_freq, resume_epoch: int | None = None) -> History:
    """Trains `model` for epochs `initial_epoch .. epochs - 1` and returns its new `History`."""
    callbacks = make_callbacks(model, callbacks, verbose, epochs, dataset.steps, history=True)
    k = 1 if callbacks.needs_every_batch else engine.execution_size(dataset.steps)
    wants_batch_begin = callbacks.wants("on_train_batch_begin")
    wants_batch_end = callbacks.wants("on_train_batch_end")
    reads_weights = callbacks.reads_weights_during_training

    trainable_at_start = trainable_changes()

    def take_set_weights():
        if live.handed_out:  # a callback touched the model: a weight it set goes into the next step
            live.pull_weights()
        if trainable_changes() != trainable_at_start and not engine.matches(model):
            raise RuntimeError(f"A layer's `trainable` was changed during fit() of model '{model.name}' (from a "
                               f"callback?). The running fit compiled which weights train when it started, so the "
                               f"change would be ignored: it takes effect at the next fit() call. fit() stops here, "
                               f"keeping the weights of the last step.")

    def on_begin(step):
        if wants_batch_begin:
            callbacks.on_train_batch_begin(step)
            take_set_weights()

    def on_end(step):
        if wants_batch_end:
            callbacks.on_train_batch_end(step, LazyLogs(engine.step_logs, live.state["metrics"]))
            take_set_weights()

    run = FitRun(callbacks, dataset, live)
    model.stop_training = False
    callbacks.set_fit_run(run)
    logs: dict[str, float] = {}
    try:
        callbacks.on_train_begin()  # BackupAndRestore may restore the state here and say where to resume
        live.state = live.pull_state(copy=True)
        resume_epoch = run.resume_epoch if run.resume_epoch is not None else resume_epoch
        first_epoch = max(initial_epoch, resume_epoch or 0)
        first_step = run.resume_step if first_epoch == run.resume_epoch else 0
        with InterruptsHeld(live) as held:
            try:
                for epoch in range(first_epoch, epochs):
                    run.epoch = epoch
                    if first_step:  # resumed mid-epoch: the backup's partial sums; on_epoch_begin ran before it
                        live.state = {**live.state, "metrics": run.resume_metrics}
                    else:
                        live.state = {**live.state, "metrics": engine.init_metrics()}
                        callbacks.on_epoch_begin(epoch)
                        take_set_weights()
                    run.epoch_order = dataset.order_state()  # before the epoch's order is drawn
                    ends = callbacks.batch_ends_needed(first_step, dataset.steps) if k > 1 and dataset.steps else []
                    dataset.run(engine.train_chunk, engine.train_batch, epoch, k, on_begin, on_end, held.advance,
                                should_stop=lambda: model.stop_training, first_step=first_step, ends=ends,
                                pad_rows=engine.pads["train"])
                    first_step = 0
                    logs = engine.read_metrics(live.state["metrics"])
                    engine.write_metrics(live.state["metrics"])  # a model's own metrics: `m.result()` reads them
                    if val_dataset is not None and _is_validation_epoch(epoch, validation_freq):
                        val_logs = run_evaluate(model, engine, live, val_dataset, callbacks)
                        logs.update({"val_" + name: value for name, value in val_logs.items()})
                    if callbacks.logs_learning_rate and live.learning_rate() is not None:
                        logs["learning_rate"] = live.learning_rate()  # as Keras's learning-rate callbacks log it
                    if reads_weights:
                        live.write_back()
                    callbacks.on_epoch_end(epoch, logs)
                    take_set_weights()
                    if model.stop_training:
                        break
            except BaseException as err:  # the History says why fit ended (History.record_stop)
                model.history.record_stop("interrupted" if isinstance(err, KeyboardInterrupt) else "exception",
                                          by=type(err).__name__, epoch=run.epoch, detail=str(err) or None)
                raise
            finally:
                if not live.state_lost():  # a failed dispatch: the model keeps the weights it last received
                    live.push_state(engine.finalize(live.state))  # use_ema: the averages become the weights
                live.state = None
        stopper = callbacks.stopped_by
        model.history.record_stop("callback" if model.stop_training else "completed", epoch=run.epoch,
                                  by=type(stopper).__name__ if model.stop_training and stopper is not None else None)
        callbacks.on_train_end(logs)
    finally:
        callbacks.set_fit_run(None)
    return model.history


def _is_validation_epoch(epoch: int, validation_freq) -> bool:
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def run_evaluate(model, engine: Engine, live: TrainState, dataset: Dataset, callbacks: CallbackList) -> dict:
    """Runs the test step over `dataset`; inside `fit` it evaluates the live train state."""
    outer = live.state
    state = outer if outer is not None else live.pull_state()
    wants_end = callbacks.wants("on_test_batch_end")
    every_batch = callbacks.wants("on_test_batch_begin") or wants_end
    k = 1 if every_batch else engine.execution_size(dataset.steps, training=False)
    callbacks.on_test_begin()

    def on_end(step):
        if wants_end:
            callbacks.on_test_batch_end(step, LazyLogs(lambda m: engine.step_logs(m, "test"), live.state["metrics"]))

    def advance(fn, *args):
        live.state = fn(live.state, *args)

    model.stop_evaluating = False
    live.state = {**state, "metrics": engine.init_metrics("test")}
    try:
        dataset.run(engine.test_chunk, engine.test_batch, 0, k, callbacks.on_test_batch_begin, on_end, advance,
                    should_stop=lambda: model.stop_evaluating, pad_rows=engine.pads["test"])
        logs = engine.read_metrics(live.state["metrics"], kind="test")
        engine.write_metrics(live.state["metrics"], "test")
    finally:
        live.state = outer
    callbacks.on_test_end(logs)
    return logs


def run_predict(model, engine: Engine, live: TrainState, dataset: Dataset, callbacks: CallbackList) -> Any:
    """The model's outputs on every sample of `dataset`, stacked as NumPy arrays."""
    state = live.pull_state()
    wants_end = callbacks.wants("on_predict_batch_end")
    k = 1 if wants_end else engine.execution_size(dataset.steps, training=False)
    callbacks.on_predict_begin()

    def on_end(step, outputs):
        if wants_end:
            callbacks.on_predict_batch_end(step, {"outputs": outputs})

    model.stop_predicting = False
    outputs = dataset.predict(lambda x, index, valid: engine.predict_chunk(state, x, index, valid),
                              lambda x: engine.predict_batch(state, x), k, engine.pads["predict"],
                              callbacks.on_predict_batch_begin, on_end, should_stop=lambda: model.stop_predicting)
    result = stack_outputs(outputs)
    callbacks.on_predict_end()
    return result


def new_shuffle_seed() -> int:
    """A fresh seed for one fit's shuffling, drawn from the global seed (`kerasish.random`)."""
    return _random.next_int()
