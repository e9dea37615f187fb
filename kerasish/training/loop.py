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
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

from kerasish import random as _random
from kerasish.callbacks import CallbackList, History, ProgbarLogger
from kerasish.training import data as _data
from kerasish.training.engine import Engine, stack_outputs


class LazyLogs(Mapping):
    """Batch logs read from the device only when a callback looks at them (no per-step sync otherwise)."""

    def __init__(self, engine: Engine, metric_state: Any) -> None:
        self._engine, self._metric_state, self._logs = engine, metric_state, None

    def _read(self) -> dict[str, float]:
        if self._logs is None:
            self._logs = self._engine.read_metrics(self._metric_state)
        return self._logs

    def __getitem__(self, key):
        return self._read()[key]

    def __iter__(self):
        return iter(self._read())

    def __len__(self):
        return len(self._read())


def resolve_verbose(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"Argument `verbose` must be 'auto', 0, 1 or 2, received {verbose!r}.")
    return int(verbose)


def check_positive_int(name: str, value: Any, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Argument `{name}` must be an int >= 1{' or None' if allow_none else ''}, "
                         f"received {value!r}.")


def make_callbacks(model, callbacks, verbose: int, epochs: int, steps: int | None, history: bool) -> CallbackList:
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
    """Within `with`, Ctrl-C (SIGINT) waits while `advance` runs: `engine.state = fn(engine.state, ...)` either
    has not started or has stored its result when KeyboardInterrupt is raised.

    A train dispatch takes over its input buffers when it starts; an interrupt raised between that moment and the
    assignment of its result (while JAX flattens the arguments or builds the output pytree, Python code that
    runs signal handlers) would leave the engine pointing at deleted arrays. Held back, the interrupt is raised
    right after the assignment, a few microseconds later. Only in the main thread (the one Python delivers
    signals to) and only over a Python-level handler (the default one, IPython's); the previous handler is
    restored on exit and is the one that finally runs.
    """

    def __init__(self) -> None:
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

    def advance(self, engine: Engine, fn, *args) -> None:
        """`engine.state = fn(engine.state, *args)`, not interrupted in between."""
        self.holding = True
        try:
            engine.state = fn(engine.state, *args)
        finally:
            self.holding = False
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self.previous(*pending)  # installed: `_handle` holds a signal back only then


def _assign(engine: Engine, fn, *args) -> None:
    engine.state = fn(engine.state, *args)


class _Dataset:
    """Either resident arrays (index plans) or an iterable of host batches, behind one interface."""

    def __init__(self, source: _data.ArrayBatches | _data.IterableBatches) -> None:
        self.source = source

    def shuffle_state(self) -> dict | None:
        """The data-order state a resumed run needs (JSON-able), or None for iterables."""
        return self.source.order_state() if isinstance(self.source, _data.ArrayBatches) else None

    def restore_shuffle_state(self, state: dict) -> None:
        self.source.restore_order_state(state)

    @property
    def steps(self) -> int | None:
        return self.source.steps

    def release(self) -> None:
        """The call using the data is done (see `ArrayBatches.release`)."""
        if isinstance(self.source, _data.ArrayBatches):
            self.source.release()

    def run(self, engine: Engine, chunk_fn, batch_fn, epoch: int, steps_per_execution: int,
            on_begin, on_end, should_stop=lambda: False, first_step: int = 0, ends=(), pad_rows: bool = False,
            advance=_assign) -> None:
        """Runs the batches of one epoch from `first_step` on through the engine, advancing `engine.state`.

        `on_begin(i)` runs before the dispatch holding batch i, `on_end(i)` after the one ending at i;
        a dispatch ends after each batch of `ends`. Between dispatches a callback may change
        `engine.state` (e.g. the learning rate). An epoch resumed at `first_step` draws the same order
        (the order state was restored) and skips the batches done; an iterable's are read and dropped.
        `pad_rows`: a short batch is padded to the full size (`Engine.pads` says which steps mask rows).
        `advance(engine, fn, *args)` stores `fn(engine.state, *args)` (`InterruptsHeld.advance` in `fit`).
        """
        if isinstance(self.source, _data.ArrayBatches):
            step = first_step
            for arrays, index, valid in self.source.dispatches(steps_per_execution, first_step, ends, pad_rows):
                on_begin(step)
                advance(engine, chunk_fn, arrays, index, valid)
                step += int(valid)
                on_end(step - 1)
                if should_stop():
                    return
            return
        for step, batch in enumerate(self.source.epoch(epoch)):
            if step < first_step:
                continue
            on_begin(step)
            advance(engine, batch_fn, _data.device_batch(batch))
            on_end(step)
            if should_stop():
                return


class FitRun:
    """The running `fit` as BackupAndRestore sees it (`model._engine.run`), and where it may ask to resume.

    Attributes:
      callbacks: the fit's `CallbackList`.
      dataset: the training data.
      epoch: the epoch running (0-based).
      epoch_order: the data-order state from before this epoch's order was drawn (None for iterables):
        restored, it makes a resumed epoch draw the same order.
      resume_epoch, resume_step, resume_metrics: where `resume` asked the loop to start.
    """

    def __init__(self, callbacks: CallbackList, dataset: _Dataset) -> None:
        self.callbacks, self.dataset = callbacks, dataset
        self.epoch = 0
        self.epoch_order: dict | None = None
        self.resume_epoch: int | None = None
        self.resume_step = 0
        self.resume_metrics: Any = None

    def resume(self, epoch: int, step: int = 0, metrics: Any = None) -> None:
        """Called from `on_train_begin`: the loop starts at batch `step` (0-based) of `epoch`.

        With `step > 0` the epoch continues with `metrics` (the accumulators of its first `step` batches)
        and `on_epoch_begin` is not called again: the interrupted run called it before the backup.
        """
        if step and metrics is None:
            raise ValueError(f"Resuming epoch {epoch} at batch {step} needs the metric accumulators of its first "
                             f"{step} batches, received metrics=None.")
        self.resume_epoch, self.resume_step, self.resume_metrics = int(epoch), int(step), metrics


def make_dataset(x, y, sample_weight, batch_size, shuffle=False, seed=0, steps=None, class_weight=None,
                 names=("x", "y", "sample_weight"), streamed=False) -> _Dataset:
    """The data of a call; `streamed`: arrays are read once in order (evaluate, predict), so on an
    accelerator each dispatch's rows are copied to it as it comes instead of the whole data first (XLA:CPU
    reads the arrays where they lie: `data.BorrowedRows`)."""
    if _data.is_array_data(x):
        arrays = _data.prepare_arrays(x, y, sample_weight, class_weight, names, copy=False)
        return _Dataset(_data.ArrayBatches(arrays, batch_size, shuffle, seed, steps, streamed=streamed))
    if y is not None or sample_weight is not None or class_weight is not None:
        raise ValueError(f"When `{names[0]}` is an iterable of batches, `{names[1]}`, `{names[2]}` and "
                         f"`class_weight` must be None (put targets and weights in the batches), received "
                         f"{names[1]}={type(y).__name__}.")
    return _Dataset(_data.IterableBatches(x, steps))


def run_fit(model, dataset: _Dataset, val_dataset: _Dataset | None, epochs: int, verbose: int, callbacks,
            initial_epoch: int, validation_freq) -> History:
    engine: Engine = model._engine
    callbacks = make_callbacks(model, callbacks, verbose, epochs, dataset.steps, history=True)
    k = 1 if callbacks.needs_every_batch else engine.execution_size(dataset.steps)
    wants_batch_begin = callbacks.wants("on_train_batch_begin")
    wants_batch_end = callbacks.wants("on_train_batch_end")
    reads_weights = callbacks.reads_weights_during_training

    def on_begin(step):
        if wants_batch_begin:
            callbacks.on_train_batch_begin(step)

    def on_end(step):
        if wants_batch_end:
            callbacks.on_train_batch_end(step, LazyLogs(engine, engine.state["metrics"]))

    run = FitRun(callbacks, dataset)
    model.stop_training = False
    model._training.resume_epoch = None
    engine.dataset, engine.run = dataset, run
    logs: dict[str, float] = {}
    callbacks.on_train_begin()  # BackupAndRestore may restore the state here and say where to resume
    engine.state = engine.pull_state(copy=True)
    resume_epoch = run.resume_epoch if run.resume_epoch is not None else model._training.resume_epoch
    first_epoch = max(initial_epoch, resume_epoch or 0)
    first_step = run.resume_step if first_epoch == run.resume_epoch else 0
    with InterruptsHeld() as held:
        try:
            for epoch in range(first_epoch, epochs):
                run.epoch = epoch
                if first_step:  # resumed mid-epoch: the backup's partial sums; on_epoch_begin ran before it
                    engine.state = {**engine.state, "metrics": run.resume_metrics}
                else:
                    engine.state = {**engine.state, "metrics": engine.init_metrics()}
                    callbacks.on_epoch_begin(epoch)
                run.epoch_order = dataset.shuffle_state()  # before the epoch's order is drawn
                ends = callbacks.batch_ends_needed(first_step, dataset.steps) if k > 1 and dataset.steps else []
                dataset.run(engine, engine.train_chunk, engine.train_batch, epoch, k, on_begin, on_end,
                            should_stop=lambda: model.stop_training, first_step=first_step, ends=ends,
                            pad_rows=engine.pads["train"], advance=held.advance)
                first_step = 0
                logs = engine.read_metrics(engine.state["metrics"])
                if val_dataset is not None and _is_validation_epoch(epoch, validation_freq):
                    val_logs = run_evaluate(model, val_dataset, callbacks)
                    logs.update({"val_" + name: value for name, value in val_logs.items()})
                lr = engine.learning_rate()
                if lr is not None:
                    logs["learning_rate"] = lr
                if reads_weights:
                    engine.write_back()
                callbacks.on_epoch_end(epoch, logs)
                if reads_weights:  # a callback may have set weights: continue from the model's
                    engine.pull_weights()
                if model.stop_training:
                    break
        except BaseException as err:  # the History says why fit ended (History.record_stop)
            model.history.record_stop("interrupted" if isinstance(err, KeyboardInterrupt) else "exception",
                                      by=type(err).__name__, epoch=run.epoch, detail=str(err) or None)
            raise
        finally:
            if not engine.state_lost():  # a failed dispatch: the model keeps the weights it last received
                engine.push_state(engine.state)
            engine.state = engine.dataset = engine.run = None
    stopper = callbacks.stopped_by
    model.history.record_stop("callback" if model.stop_training else "completed", epoch=run.epoch,
                              by=type(stopper).__name__ if model.stop_training and stopper is not None else None)
    callbacks.on_train_end(logs)
    return model.history


def _is_validation_epoch(epoch: int, validation_freq) -> bool:
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def run_evaluate(model, dataset: _Dataset, callbacks: CallbackList) -> dict:
    """Runs the test step over `dataset`; inside `fit` it evaluates the live train state."""
    engine: Engine = model._engine
    state = engine.state if engine.state is not None else engine.pull_state()
    state = {**state, "metrics": engine.init_metrics()}
    wants_end = callbacks.wants("on_test_batch_end")
    every_batch = callbacks.wants("on_test_batch_begin") or wants_end
    k = 1 if every_batch else engine.execution_size(dataset.steps, training=False)
    callbacks.on_test_begin()

    def on_end(step):
        if wants_end:
            callbacks.on_test_batch_end(step, LazyLogs(engine, engine.state["metrics"]))

    outer, engine.state = engine.state, state
    try:
        dataset.run(engine, engine.test_chunk, engine.test_batch, 0, k, callbacks.on_test_batch_begin, on_end,
                    pad_rows=engine.pads["test"])
        logs = engine.read_metrics(engine.state["metrics"])
    finally:
        engine.state = outer
    callbacks.on_test_end(logs)
    return logs


def run_predict(model, dataset: _Dataset, callbacks: CallbackList) -> Any:
    engine: Engine = model._engine
    state = engine.pull_state()
    outputs = []
    wants_end = callbacks.wants("on_predict_batch_end")
    callbacks.on_predict_begin()
    source = dataset.source
    if isinstance(source, _data.ArrayBatches):
        k = 1 if wants_end else engine.execution_size(dataset.steps, training=False)
        step = 0
        for arrays, index, valid in source.dispatches(k, pad_rows=engine.pads["predict"]):
            callbacks.on_predict_batch_begin(step)
            chunk = engine.predict_chunk(state, arrays[0], index, valid)
            v = int(valid)
            real = int(np.count_nonzero(index[v - 1] >= 0))  # a padded short batch (the last) has fewer
            if v == len(index) and real == index.shape[1]:
                outputs.append(chunk)
            else:  # the last chunk: cut on the host (slicing on the device would compile a program per shape)
                chunk = jax.device_get(chunk)
                if v > 1:
                    outputs.append(jax.tree.map(lambda a, v=v: a[:v - 1], chunk))
                outputs.append(jax.tree.map(lambda a, v=v, real=real: a[v - 1:v, :real], chunk))
            step += v
            if wants_end:
                callbacks.on_predict_batch_end(step - 1, {"outputs": outputs[-1]})
    else:
        for step, (x, _, _) in enumerate(source.epoch()):
            callbacks.on_predict_batch_begin(step)
            out = engine.predict_batch(state, _data.device_batch(x))
            outputs.append(jax.tree.map(lambda a: a[None], out))
            if wants_end:
                callbacks.on_predict_batch_end(step, {"outputs": out})
    result = stack_outputs(outputs)
    callbacks.on_predict_end()
    return result


def new_shuffle_seed() -> int:
    return _random.next_int()
