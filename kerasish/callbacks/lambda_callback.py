"""`LambdaCallback`: a callback made of plain functions."""

from __future__ import annotations

from collections.abc import Callable

from kerasish.callbacks.callback import HOOKS, Callback


class LambdaCallback(Callback):
    """A callback whose hooks are the functions you pass, with the hooks' signatures.

    Epoch hooks take `(epoch, logs)`, batch hooks `(batch, logs)`, the others `(logs)`. Only the hooks
    given are called, so a LambdaCallback without batch hooks costs nothing per step; one with a train
    batch hook gets every batch (one step per dispatch).

    Args:
      on_train_begin, on_train_end, on_epoch_begin, on_epoch_end, on_train_batch_begin,
      on_train_batch_end, on_test_begin, on_test_end, on_test_batch_begin, on_test_batch_end,
      on_predict_begin, on_predict_end, on_predict_batch_begin, on_predict_batch_end: a function, or None.

    Raises:
      TypeError: for an argument that is not callable (or an unknown hook name).

    Example:
      >>> losses = []
      >>> record = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
    """

    def __init__(self, on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None, on_train_batch_end: Callable | None = None,
                 on_test_begin: Callable | None = None, on_test_end: Callable | None = None,
                 on_test_batch_begin: Callable | None = None, on_test_batch_end: Callable | None = None,
                 on_predict_begin: Callable | None = None, on_predict_end: Callable | None = None,
                 on_predict_batch_begin: Callable | None = None,
                 on_predict_batch_end: Callable | None = None) -> None:
        super().__init__()
        given = dict(locals())
        self._functions: dict[str, Callable] = {}
        for hook in HOOKS:
            fn = given[hook]
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"Argument `{hook}` of LambdaCallback must be a function or None, received {fn!r}.")
            self._functions[hook] = fn
            setattr(self, hook, fn)  # the instance's hook is the function itself

    def overrides(self, hook: str) -> bool:
        return hook in self._functions

    def __repr__(self) -> str:
        return f"LambdaCallback({', '.join(self._functions)})"
