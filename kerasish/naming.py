"""Keras's automatic object names: `dense`, `dense_1`, ... one counter per prefix, reset by `clear_session`.

A foundation module that imports nothing of kerasish: layers, optimizers and `kerasish.variables.Variable` draw
their default names here, and `kerasish.backend` re-exports `unique_name` and resets the counters in
`clear_session`.
"""

from __future__ import annotations

_name_counts: dict[str, int] = {}


def unique_name(prefix: str) -> str:
    """`dense`, then `dense_1`, `dense_2`, ... as Keras names layers (reset by `clear_session`).

    Example:
      >>> unique_name("naming_example"), unique_name("naming_example"), unique_name("naming_example")
      ('naming_example', 'naming_example_1', 'naming_example_2')
    """
    count = _name_counts.get(prefix, 0)
    _name_counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_names() -> None:
    """Starts every prefix's counter again (the next `unique_name("dense")` is `"dense"`)."""
    _name_counts.clear()
