"""`model.summary()`: the layers, their output shapes and parameter counts, Keras's layout."""

from __future__ import annotations

from html import escape

import numpy as np

from kerasish.layers.base import Layer
from kerasish.shapes import format_shape


def _count(variables) -> int:
    return int(sum(np.prod(v.shape) for v in variables))


def _rows(model: Layer) -> list[tuple[str, str, str]]:
    layers = list(getattr(model, "layers", None) or model.sublayers())
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
    # a cell longer than its column still gets one space before the next one
    line = lambda cells: "".join(str(c).ljust(w - 1) + " " if i < 2 else str(c).rjust(w)
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
            f"Non-trainable params: {total - trainable:,}"]
    if getattr(model, "run_eagerly", False):
        out.append("Execution: eager (run_eagerly=True / jit_compile=False): steps run op by op without jax.jit, "
                   "for debugging; much slower, not for timing.")
    out.append("_" * line_length)
    return "\n".join(out)


def summary_html(model: Layer) -> str:
    """The summary table as HTML: what Jupyter shows for a model (`Model._repr_html_`).

    The same rows and totals as `summary_text`, as a `<table>` whose caption names the model; layer
    names are HTML-escaped.

    Args:
      model: a model or layer; an unbuilt one shows "?" shapes and 0 parameters, as in `summary_text`.

    Returns:
      A self-contained HTML fragment (a `<table>` with inline styles, no scripts).

    Example:
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(3, name="scores")], name="tiny")
      >>> import re
      >>> print(re.sub(r' style="[^"]*"', "", summary_html(model)))  # without the inline styles
      <table class="kerasish-summary">
      <caption><b>Model: "tiny"</b></caption>
      <thead><tr><th>Layer (type)</th><th>Output Shape</th><th>Param #</th></tr></thead>
      <tbody>
      <tr><td>scores (Dense)</td><td>(None, 3)</td><td>15</td></tr>
      </tbody>
      <tfoot>
      <tr><td colspan="2">Total params</td><td>15</td></tr>
      <tr><td colspan="2">Trainable params</td><td>15</td></tr>
      <tr><td colspan="2">Non-trainable params</td><td>0</td></tr>
      </tfoot>
      </table>
    """
    left, right = 'style="text-align: left"', 'style="text-align: right"'
    row = lambda cells, tag: "<tr>" + "".join(f"<{tag} {left if i < 2 else right}>{escape(str(c))}</{tag}>"
                                              for i, c in enumerate(cells)) + "</tr>"
    trainable = _count(model.trainable_weights)
    total = _count(model.weights)
    totals = [("Total params", total), ("Trainable params", trainable), ("Non-trainable params", total - trainable)]
    return "\n".join([
        '<table class="kerasish-summary" style="border-collapse: collapse">',
        f'<caption {left}><b>Model: "{escape(model.name)}"</b></caption>',
        "<thead>" + row(("Layer (type)", "Output Shape", "Param #"), "th") + "</thead>",
        "<tbody>",
        *(row(cells, "td") for cells in _rows(model)),
        "</tbody>",
        "<tfoot>",
        *(f'<tr><td colspan="2" {left}>{label}</td><td {right}>{count:,}</td></tr>' for label, count in totals),
        "</tfoot>",
        "</table>",
    ])
