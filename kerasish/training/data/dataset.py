"""`Dataset`: the data of one `fit`, `evaluate` or `predict` call, arrays or an iterable of batches, behind one
interface. The loops and the trainer speak only to this interface; which kind of data it is stays inside.

Two kinds implement it: `arrays.ArrayDataset` (arrays checked once, kept where the device reads them, each
epoch a plan of index batches gathered inside the compiled step) and `iterables.IterableDataset` (batches read
from a Python iterable or generator, each checked as it comes).
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

#: `advance(fn, *args)`: stores `fn(live_state, *args)` as the live train state (see `loop.InterruptsHeld`).
Advance = Callable[..., None]


class Dataset(abc.ABC):
    """The batches of a call. `steps` is the number of batches per epoch (None when unknown).

    Attributes:
      names: the argument names of x, y and sample_weight, for messages (`("x", "y", "sample_weight")`,
        `("validation_data[0]", ...)`, ...).
    """

    steps: int | None
    names: tuple[str, str, str]

    @abc.abstractmethod
    def sample(self) -> tuple[Any, Any]:
        """`(x, y)` of the data (all arrays, or an iterable's first batch): what the model is built from and the
        targets are checked against; y is None when there are no targets."""

    @abc.abstractmethod
    def check(self, objectives: Any, check_x: Callable[[Any, str], None]) -> None:
        """Checks what is known before the first step against the compiled losses (`objectives`; None when
        there are none): targets, sample weights, and each input with `check_x(x, argument_name)`.

        Raises:
          ValueError / TypeError: naming the argument, as `checks.check_targets` does.
        """

    @abc.abstractmethod
    def run(self, chunk_fn: Callable, batch_fn: Callable, epoch: int, steps_per_execution: int,
            on_begin: Callable[[int], None], on_end: Callable[[int], None], advance: Advance,
            should_stop: Callable[[], bool] = lambda: False, first_step: int = 0, ends=(),
            pad_rows: bool = False) -> None:
        """Runs the batches of one epoch from `first_step` on, through `advance(chunk_fn, arrays, index, valid)`
        (K batches gathered on the device in one dispatch) or `advance(batch_fn, batch)` (one host batch).

        `on_begin(i)` runs before the dispatch holding batch i, `on_end(i)` after the one ending at i; a dispatch
        ends after each batch of `ends`; `should_stop()` is asked after each dispatch. An epoch resumed at
        `first_step` draws the same order (the order state was restored) and skips the batches done.
        `pad_rows`: a short batch is padded to the full size (the engine masks the padding rows).
        """

    @abc.abstractmethod
    def predict(self, chunk_fn: Callable, batch_fn: Callable, steps_per_execution: int, pad_rows: bool,
                on_begin: Callable[[int], None], on_end: Callable[[int, Any], None],
                should_stop: Callable[[], bool] = lambda: False) -> list:
        """The model's outputs for every sample, in order: a list of pieces of shape (k, batch, ...) (or pytrees of
        them) for `engine.stack_outputs`. `chunk_fn(x, index, valid)` / `batch_fn(x)` compute them;
        `on_end(i, outputs)` hears each dispatch's outputs."""

    def order_state(self) -> dict | None:
        """The data-order state a resumed run needs (JSON-able), or None when the order is not the dataset's."""
        return None

    def restore_order_state(self, state: dict) -> None:
        """Takes back what `order_state` returned (before the epoch whose order it describes)."""
        raise ValueError(f"{type(self).__name__} has no data order to restore; a backup that saved one was made "
                         f"with array data.")

    @property
    def rows(self) -> int | None:
        """The number of samples when the data is arrays (what the compiled programs' shapes depend on), else None."""
        return None

    def share_shapes(self) -> None:  # noqa: B027 (iterables' batches bring their own shapes)
        """Runs the data in shapes other sizes share (see `ArrayDataset.share_shapes`)."""

    def release(self) -> None:  # noqa: B027 (nothing to free by default)
        """The call is done with the data: the copies made for it may be freed."""
