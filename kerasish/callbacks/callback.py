"""`Callback` and `CallbackList`: Keras's hook names and order.

During `fit`, hooks run in this order::

    on_train_begin
      for each epoch:  on_epoch_begin
                         on_train_batch_begin / on_train_batch_end   (each batch; see below)
                         on_test_begin, on_test_batch_*, on_test_end  (validation epochs only)
                       on_epoch_end(epoch, logs)     logs: loss, metrics, val_* and learning_rate
    on_train_end

`evaluate` runs on_test_*, `predict` on_predict_*. A callback that overrides a batch hook gets it for
every batch (the engine then runs one step per dispatch); callbacks that override none cost nothing
per step, which lets the engine fuse several steps in one XLA program. A callback that acts every N
batches (BackupAndRestore) declares `batch_hooks_may_be_grouped` and names, in `batch_ends_needed`,
the batches a dispatch must end on.

Callbacks with progress (EarlyStopping's `wait` and `best`, History's epochs, ...) give it as a dict
through `get_state()` and take it back through `set_state(state)`, which `BackupAndRestore` calls after
their `on_train_begin`: a resumed `fit` continues with the same callback state as the interrupted one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

BATCHHOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
                "on_predict_batch_begin", "on_predict_batch_end")
#: Every hook, in Keras's names.
HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_test_begin", "on_test_end",
         "on_predict_begin", "on_predict_end") + BATCHHOOKS
#: Keras's older batch hook names, which the default training batch hooks call.
_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


class Callback:
    """Base class of callbacks: override the hooks you need.

    Every hook receives `logs` as a dict (`{}` where there is nothing to report), as in Keras.

    Attributes:
      model: the model being trained, set by `fit` before `on_train_begin`. Reading it mid-epoch first gives the
        model the live weights of the last step (Keras's `jax_state_sync`), and weights a hook sets on it are
        what the next step trains.
      params: `{"epochs", "steps", "verbose"}` for this run.
      fit_run: the running `fit` (`training.loop.FitRun`: its position, live state and data order), or None
        outside `fit`.

    Example:
      >>> class PrintLoss(Callback):
      ...     def on_epoch_end(self, epoch, logs=None):
      ...         print(epoch, round(logs["loss"], 2))
    """

    #: Set by subclasses that only need to hear of batches in groups (the progress bar): they do not
    #: force the engine to dispatch one step at a time.
    batch_hooks_may_be_grouped = False

    #: Set by callbacks that change the learning rate (LearningRateScheduler, ReduceLROnPlateau): as in Keras, the
    #: epoch's logs then hold `learning_rate` (the rate of the epoch's last step), which History records.
    logs_learning_rate = False

    #: Set by callbacks that save or restore the others' state (BackupAndRestore): each of their hooks
    #: runs after every other callback's, so a backup sees an epoch end fully processed, and a restore
    #: in `on_train_begin` comes after the others have reset themselves.
    runs_after_others = False

    def __init__(self) -> None:
        self._model = None
        self.params: dict[str, Any] = {}
        self.fit_run = None

    @property
    def model(self):
        sync = getattr(self._model, "jax_state_sync", None)
        if sync is not None:
            sync()
        return self._model

    @model.setter
    def model(self, model) -> None:
        self._model = model

    def set_model(self, model) -> None:
        self._model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def set_fit_run(self, run) -> None:
        """Gives the callback the running `fit` (None when it ends): see `fit_run`."""
        self.fit_run = run

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_batch_begin(self, batch, logs=None):
        """Keras's older name for `on_train_batch_begin`, which calls it unless overridden."""

    def on_batch_end(self, batch, logs=None):
        """Keras's older name for `on_train_batch_end`, which calls it unless overridden."""

    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs=logs)
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs=logs)
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...

    def overrides(self, hook: str) -> bool:
        """Whether this callback implements `hook`, in its class or set on the instance (only then is it called, and a
        batch hook costs fusion)."""
        if hook in _ALIASES and Callback.overrides(self, _ALIASES[hook]):
            return True
        return hook in vars(self) or getattr(type(self), hook) is not getattr(Callback, hook)

    def batch_ends_needed(self, first: int, steps: int) -> list[int]:
        """The batches (0-based) of the coming epoch after which a dispatch must end for this callback.

        Asked at the start of every epoch (after `on_epoch_begin`) when steps are fused: a callback with
        `batch_hooks_may_be_grouped` that must act on exact batch counts (a backup every N batches)
        returns them, and `on_train_batch_end` then sees each of them as the last batch of a dispatch.

        Args:
          first: the first batch this epoch runs (0, or later in an epoch resumed from a backup).
          steps: the number of batches of the epoch.

        Returns:
          Batch indices in `[first, steps)`; none by default.
        """
        return []

    def get_state(self) -> dict[str, Any] | None:
        """The callback's progress in the running `fit`, for a backup; None if it has none (the default).

        Values are JSON-able (numbers, strings, None, lists and dicts of them) or NumPy arrays (saved
        as arrays, e.g. the best weights kept by EarlyStopping).
        """
        return None

    def set_state(self, state: dict[str, Any]) -> None:
        """Takes back what `get_state` returned; called by BackupAndRestore after `on_train_begin`."""

    @property
    def reads_weights_during_training(self) -> bool:
        """Whether the model's weights must be up to date at each epoch end for this callback."""
        return True


class CallbackList(Callback):
    """Runs a list of callbacks in order, calling only the ones that override each hook."""

    def __init__(self, callbacks: Iterable[Callback] | None = None, model=None, **params: Any) -> None:
        super().__init__()
        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            raise TypeError(f"Argument `callbacks` must be a list of Callback instances, received {callbacks!r}.")
        self.callbacks = list(callbacks or [])
        self.stopped_by: Callback | None = None  # the first callback of this fit that set model.stop_training
        for i, cb in enumerate(self.callbacks):
            if not isinstance(cb, Callback):
                raise TypeError(f"Argument `callbacks`[{i}] must be a kerasish.callbacks.Callback, received "
                                f"{cb!r} of type {type(cb).__name__}.")
        self._by_hook = {h: [] for h in HOOKS}
        for cb in self.callbacks:
            self._add_hooks(cb, first=False)
        if model is not None:
            self.set_model(model)
        self.set_params(params)

    def append(self, callback: Callback, first: bool = False) -> None:
        """Adds a callback at the end (or at the front with `first=True`)."""
        self.callbacks.insert(0 if first else len(self.callbacks), callback)
        self._add_hooks(callback, first)
        if self._model is not None:
            callback.set_model(self._model)
        callback.set_params(self.params)

    def _add_hooks(self, callback: Callback, first: bool) -> None:
        """Files `callback` under each hook it overrides: before or after the others of its kind
        (`runs_after_others` callbacks come after all the rest)."""
        for h in HOOKS:
            if not callback.overrides(h):
                continue
            hooked = self._by_hook[h]
            ordinary = sum(not cb.runs_after_others for cb in hooked)
            if callback.runs_after_others:
                at = ordinary if first else len(hooked)
            else:
                at = 0 if first else ordinary
            hooked.insert(at, callback)

    def set_model(self, model) -> None:
        super().set_model(model)
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        for cb in self.callbacks:
            cb.set_params(params)

    def set_fit_run(self, run) -> None:
        super().set_fit_run(run)
        for cb in self.callbacks:
            cb.set_fit_run(run)

    def wants(self, hook: str) -> bool:
        return bool(self._by_hook[hook])

    @property
    def needs_every_batch(self) -> bool:
        """True when some callback must see each training batch on its own."""
        return any(not cb.batch_hooks_may_be_grouped
                   for h in ("on_train_batch_begin", "on_train_batch_end") for cb in self._by_hook[h])

    @property
    def reads_weights_during_training(self) -> bool:
        return any(cb.reads_weights_during_training for cb in self.callbacks)

    @property
    def logs_learning_rate(self) -> bool:  # type: ignore[override]
        return any(cb.logs_learning_rate for cb in self.callbacks)

    def batch_ends_needed(self, first: int, steps: int) -> list[int]:
        """The union of what the callbacks hearing `on_train_batch_end` need, sorted."""
        hooked = self._by_hook["on_train_batch_end"]
        return sorted({int(b) for cb in hooked for b in cb.batch_ends_needed(first, steps)})

    def _call(self, hook: str, *args) -> None:
        *args, logs = args
        logs = {} if logs is None else logs  # Keras hands every hook a dict
        for cb in self._by_hook[hook]:
            getattr(cb, hook)(*args, logs)
            if self.stopped_by is None and getattr(self._model, "stop_training", False):
                self.stopped_by = cb

    def on_train_begin(self, logs=None):
        self.stopped_by = None
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None): self._call("on_train_end", logs)
    def on_epoch_begin(self, epoch, logs=None): self._call("on_epoch_begin", epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._call("on_epoch_end", epoch, logs)
    def on_train_batch_begin(self, batch, logs=None): self._call("on_train_batch_begin", batch, logs)
    def on_train_batch_end(self, batch, logs=None): self._call("on_train_batch_end", batch, logs)
    def on_test_begin(self, logs=None): self._call("on_test_begin", logs)
    def on_test_end(self, logs=None): self._call("on_test_end", logs)
    def on_test_batch_begin(self, batch, logs=None): self._call("on_test_batch_begin", batch, logs)
    def on_test_batch_end(self, batch, logs=None): self._call("on_test_batch_end", batch, logs)
    def on_predict_begin(self, logs=None): self._call("on_predict_begin", logs)
    def on_predict_end(self, logs=None): self._call("on_predict_end", logs)
    def on_predict_batch_begin(self, batch, logs=None): self._call("on_predict_batch_begin", batch, logs)
    def on_predict_batch_end(self, batch, logs=None): self._call("on_predict_batch_end", batch, logs)
