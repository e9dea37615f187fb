"""A griffe extension for the API reference: kerasish's docstrings head their doctests `Example:` (singular), which
griffe's Google parser reads as a free-text admonition, so `>>> x[[0.6, 0.8]]` would be read as Markdown links.
Renaming the heading to `Examples:` makes griffe render the `>>>` lines as code."""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE_HEADING = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Renames each docstring's `Example:` section heading to `Examples:`."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE_HEADING.sub(r"\1Examples:", obj.docstring.value)
