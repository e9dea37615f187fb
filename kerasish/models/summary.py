"""`model.summary()`: the layers, their output shapes and parameter counts, Keras's layout."""

from __future__ import annotations

import numpy as np

from kerasish.layers.base import Layer, format_shape


def _count(variables) -> int:
    return int(sum(np.prod(v.shape) for v in variables))


def _rows(model: Layer) -> list[tuple[str, str, str]]:
    layers = list(getattr(model, "layers", None) or model._sublayers())
    rows = []
    for layer in layers:
        shape = "?" if layer.output_shape is None else format_shape(layer.output_shape)
        rows.append((f"{layer.name} ({type(layer).__name__})", shape, f"{layer.count_params():,}"))
    return rows


def summary_text(model: Layer, line_length: int = 80) -> str:
    """The summary table as text (what `model.summary()` prints)."""
    widths = [int(line_length * 0.45), int(line_length * 0.33)]
    widths.append(line_length - sum(widths))
    head = ("Layer (type)", "Output Shape", "Param #")
    line = lambda cells: "".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    out = [f'Model: "{model.name}"', "=" * line_length, line(head), "=" * line_length]
    rows = _rows(model)
    for i, row in enumerate(rows):
        out.append(line(row))
        out.append("-" * line_length if i < len(rows) - 1 else "=" * line_length)
    if not rows:
        out.append("=" * line_length)
    trainable = _count(model.trainable_weights)
    total = _count(model.weights)
    out += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
            f"Non-trainable params: {total - trainable:,}", "_" * line_length]
    return "\n".join(out)
