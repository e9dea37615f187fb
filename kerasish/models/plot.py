"""`plot_model` / `model_to_dot`: a model's layers and connections as Graphviz DOT text.

The text needs nothing installed; drawing it as an image (`.png`, `.svg`, `.pdf`) runs Graphviz's `dot`
program, as Keras does through pydot. A Sequential is a chain of its layers, a functional model its graph
(an edge per tensor a layer reads), a subclassed model a single box (its call is code, not a graph), as in
Keras 3.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from typing import Any

from kerasish import activations
from kerasish.layers.base import Layer
from kerasish.layers.core import InputLayer
from kerasish.models.sequential import Sequential
from kerasish.shapes import format_shape, is_shape

_RANKDIRS = ("TB", "LR", "BT", "RL")
GRAPHVIZ_HELP = ("install Graphviz (Debian/Ubuntu: `apt install graphviz`, macOS: `brew install graphviz`, conda: "
                 "`conda install graphviz`; https://graphviz.org/download/), or write DOT text instead with "
                 "to_file='model.dot' (or `kerasish.utils.model_to_dot(model)`)")


def _nodes_and_edges(model) -> tuple[list, list[tuple[int, int]]]:
    """The layers to draw and the edges between them, as index pairs into that list."""
    if isinstance(model, Sequential):
        layers = list(model.layers)
        return layers, [(i, i + 1) for i in range(len(layers) - 1)]
    graph = getattr(model, "graph", None)
    if graph is None:
        return [model], []
    return list(model.layers), graph.edges()


def _shape_text(shape: Any) -> str:
    if shape is None:
        return "?"
    if is_shape(shape):
        return format_shape(shape)
    if isinstance(shape, dict):
        return ", ".join(f"{k}: {_shape_text(v)}" for k, v in shape.items())
    return "[" + ", ".join(_shape_text(s) for s in shape) + "]"


def _label(layer, show_shapes: bool, show_dtype: bool, show_layer_names: bool, show_layer_activations: bool,
           show_trainable: bool) -> str:
    """An HTML-like Graphviz label: a black title row, then rows of details."""
    cell = lambda text: f'<td bgcolor="white"><font point-size="14">{text}</font></td>'
    class_name = type(layer).__name__
    title = f"<b>{html.escape(layer.name)}</b> ({class_name})" if show_layer_names else f"<b>{class_name}</b>"
    rows = [[f'<td bgcolor="black"><font point-size="16" color="white">{title}</font></td>']]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        name = activations.serialize(layer.activation)
        rows.append([cell(f"Activation: <b>{html.escape(str(name))}</b>")])
    details = []
    if show_shapes:
        if not isinstance(layer, InputLayer):
            details.append(cell(f"Input shape: <b>{html.escape(_shape_text(layer.input_shape))}</b>"))
        details.append(cell(f"Output shape: <b>{html.escape(_shape_text(layer.output_shape))}</b>"))
    if show_dtype:
        dtype = layer.input_dtype if isinstance(layer, InputLayer) else layer.compute_dtype
        details.append(cell(f"dtype: <b>{dtype.name}</b>"))
    if show_trainable:
        details.append(cell(f"Trainable: <b>{'Y' if layer.trainable else 'N'}</b>"))
    if details:
        rows.append(details)
    width = max(len(row) for row in rows)
    body = "".join("<tr>" + (row[0].replace("<td", f'<td colspan="{width}"', 1) if len(row) == 1 else "".join(row))
                   + "</tr>" for row in rows)
    return f'<<table border="0" cellborder="1" cellpadding="10">{body}</table>>'


def model_to_dot(model, show_shapes: bool = False, show_dtype: bool = False, show_layer_names: bool = True,
                 rankdir: str = "TB", dpi: int = 200, show_layer_activations: bool = False,
                 show_trainable: bool = False) -> str:
    """The model's layer graph as Graphviz DOT text (Keras returns a `pydot.Dot`; this is its text).

    Args:
      model: a built kerasish model.
      show_shapes: each layer's input and output shapes.
      show_dtype: each layer's compute dtype (an Input's dtype).
      show_layer_names: the layers' names next to their classes.
      rankdir: "TB" (top to bottom), "LR", "BT" or "RL".
      dpi: the resolution of a rendered image.
      show_layer_activations: the activation of layers that have one.
      show_trainable: whether each layer is trainable.

    Returns:
      DOT text, e.g. for `dot -Tpng` or any Graphviz viewer.

    Raises:
      ValueError: for a model that is not built, or a `rankdir` other than the four above.

    Example:
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2)], name="tiny")
      >>> print(model_to_dot(model).splitlines()[0])
      digraph "tiny" {
    """
    if not isinstance(model, Layer):
        raise TypeError(f"Argument `model` must be a kerasish model, received {model!r}.")
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built yet, so it cannot be drawn: build it first (an Input, "
                         f"`model.build(input_shape)` or one call on data).")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"Argument `rankdir` must be one of {list(_RANKDIRS)}, received {rankdir!r}.")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi < 1:
        raise ValueError(f"Argument `dpi` must be a positive int, received {dpi!r}.")
    layers, edges = _nodes_and_edges(model)
    lines = [f'digraph "{html.escape(model.name)}" {{',
             f'  graph [rankdir={rankdir}, dpi={dpi}, concentrate=true, splines=ortho];',
             '  node [shape=plaintext, fontname="Helvetica"];']
    for i, layer in enumerate(layers):
        label = _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable)
        lines.append(f"  layer_{i} [label={label}];")
    lines.extend(f"  layer_{a} -> layer_{b};" for a, b in edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def plot_model(model, to_file: str | os.PathLike = "model.png", show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = False, rankdir: str = "TB", dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False):
    """Draws the model's layer graph into `to_file`, as `keras.utils.plot_model`.

    A `.dot` / `.gv` file gets the DOT text (nothing needs to be installed); any other extension
    (`.png`, `.svg`, `.pdf`, ...; none means png) is rendered by Graphviz's `dot` program.

    Args:
      model: a built kerasish model.
      to_file: where to write.
      show_shapes, show_dtype, show_layer_names, rankdir, dpi, show_layer_activations, show_trainable:
        as in `model_to_dot` (layer names are off by default here, as in Keras).

    Returns:
      An `IPython.display.Image` (SVG for `.svg`) that Jupyter shows inline when IPython is installed and
      the file is an image; None otherwise.

    Raises:
      ImportError: when an image is asked for and Graphviz's `dot` is not installed (the message says how
        to get it, or how to write DOT text instead).
      RuntimeError: if `dot` fails (its message is included).
    """
    text = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                        rankdir=rankdir, dpi=dpi, show_layer_activations=show_layer_activations,
                        show_trainable=show_trainable)
    if not isinstance(to_file, (str, os.PathLike)):
        raise TypeError(f"Argument `to_file` must be a file path, received {to_file!r}.")
    path = os.fspath(to_file)
    extension = os.path.splitext(path)[1][1:].lower() or "png"
    if extension in ("dot", "gv"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return None
    program = shutil.which("dot")
    if program is None:
        raise ImportError(f"plot_model needs Graphviz's `dot` program to write a .{extension} image ({path!r}), and "
                          f"it is not installed (not on PATH): {GRAPHVIZ_HELP}.")
    done = subprocess.run([program, f"-T{extension}", "-o", path], input=text.encode(), capture_output=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz's dot could not write {path!r} as {extension!r}: "
                           f"{done.stderr.decode(errors='replace').strip()}")
    try:
        from IPython import display
    except ImportError:
        return None
    if extension == "svg":
        return display.SVG(filename=path)
    return display.Image(filename=path) if extension in ("png", "jpg", "jpeg", "gif") else None
