"""`LambdaCallback`: a callback made of plain functions."""

from __future__ import annotations

from collections.abc import Callable

from kerasish.callbacks.callback import HOOKS, Callback

#: Keras's backward-compatible names of the train batch hooks.
_ALIASES = {"on_batch_begin": "on_train_batch_begin", "on_batch_end": "on_train_batch_end"}


class LambdaCallback(Callback):
    """A callback whose hooks are the functions you pass, with the hooks' signatures.

    Epoch hooks take `(epoch, logs)`, batch hooks `(batch, logs)`, the others `(logs)`. Only the hooks
    given are called, so a LambdaCallback without batch hooks costs nothing per step; one with a train
    batch hook gets every batch (one step per dispatch).

    As in Keras 3, the six hooks below are the named (and positional) arguments, in Keras's order, and
    every other hook (`on_test_begin`, `on_predict_batch_end`, ...) is accepted as a keyword argument.

    Args:
      on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin, on_train_batch_end:
        a function, or None.
      **kwargs: other hooks by name (`on_test_begin`, `on_test_end`, `on_test_batch_begin`,
        `on_test_batch_end`, `on_predict_begin`, `on_predict_end`, `on_predict_batch_begin`,
        `on_predict_batch_end`): a function, or None. `on_batch_begin` / `on_batch_end` are Keras's older
        names of `on_train_batch_begin` / `on_train_batch_end`.

    Other keyword arguments become attributes of the callback, as in Keras (`LambdaCallback(state={})`).

    Raises:
      TypeError: for a hook that is not callable, or a keyword argument starting with `on_` that names no
        hook (a misspelt hook, which Keras would store as an attribute and never call).

    Example:
      >>> losses = []
      >>> record = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]),
      ...                         on_test_end=lambda logs: None)
      >>> sorted(record.hooks)
      ['on_epoch_end', 'on_test_end']
    """

    def __init__(self, on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None, on_train_batch_end: Callable | None = None,
                 **kwargs: Callable | None) -> None:
        super().__init__()
        given = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_train_begin": on_train_begin,
                 "on_train_end": on_train_end, "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for alias, hook in _ALIASES.items():
            if alias in kwargs:
                if given[hook] is not None:
                    raise TypeError(f"LambdaCallback got both `{alias}` and `{hook}`: `{alias}` is Keras's older name "
                                    f"for `{hook}`; pass one of them.")
                given[hook] = kwargs.pop(alias)
        misspelled = sorted(name for name in kwargs if name.startswith("on_") and name not in HOOKS)
        if misspelled:
            raise TypeError(f"LambdaCallback got {misspelled}, which are not callback hooks; the hooks are "
                            f"{list(HOOKS)}.")
        for name in [name for name in kwargs if name not in HOOKS]:
            setattr(self, name, kwargs.pop(name))  # as Keras: other keyword arguments become attributes
        given.update(kwargs)
        self._functions: dict[str, Callable] = {}
        for hook in HOOKS:
            fn = given.get(hook)
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"Argument `{hook}` of LambdaCallback must be a function or None, received {fn!r}.")
            self._functions[hook] = fn
            setattr(self, hook, fn)  # the instance's hook is the function itself

    @property
    def hooks(self) -> dict[str, Callable]:
        """The hooks given, by name."""
        return dict(self._functions)

    def overrides(self, hook: str) -> bool:
        return hook in self._functions

    def __repr__(self) -> str:
        return f"LambdaCallback({', '.join(self._functions)})"
