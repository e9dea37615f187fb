"""`TerminateOnNaN`: stop training at the first NaN or infinite loss."""

from __future__ import annotations

import math

from kerasish.callbacks.callback import Callback
from kerasish.callbacks.monitor import print_msg


class TerminateOnNaN(Callback):
    """Stops `fit` as soon as the training loss is NaN or infinite.

    The train step never applies a non-finite update (it keeps the previous weights when the loss or a
    gradient is not finite), so the model ends with the weights of the last finite step, never NaN.

    The check reads the epoch's running loss after each dispatch of steps: one non-finite batch makes
    it non-finite for the rest of the epoch. It does not force one dispatch per step: with
    `compile(steps_per_execution=K)` training stops at the end of the group of K steps holding the bad
    batch (the steps after it in that group are still run, and skipped if they are not finite).

    Args:
      raise_error: False stops training gracefully (`model.stop_training = True`: the epoch ends,
        `on_epoch_end` and `on_train_end` run); True raises a `RuntimeError` at once, so no later hook
        runs (useful to keep a backup untouched).

    Raises:
      TypeError: if `raise_error` is not a bool.
      RuntimeError: during `fit`, with `raise_error=True`, naming the epoch and batch.

    Example:
      >>> callbacks = [TerminateOnNaN()]
    """

    batch_hooks_may_be_grouped = True

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        if not isinstance(raise_error, bool):
            raise TypeError(f"Argument `raise_error` of TerminateOnNaN must be True or False, received "
                            f"{raise_error!r}.")
        self.raise_error = raise_error
        self._epoch = 0

    @property
    def reads_weights_during_training(self) -> bool:
        return False

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        loss = None if logs is None else logs.get("loss")
        if loss is None or math.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. Terminating "
                               f"training immediately. (Epoch {self._epoch + 1}; the model keeps the weights of "
                               f"the last step with a finite loss and gradients.)")
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
