"""`keras.ops.rearrange`: einops-style axis rearrangement (reorder, merge and split axes by name).

A pattern names the input axes and the output axes: `"b h w c -> b c h w"` transposes, `"b h w c -> b (h w) c"`
merges h and w into one axis, `"b (h h2) w c -> b h (w h2) c"` splits h (the size of `h2` given as a keyword
argument, `h2=2`) and moves the part into w.

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> images = jnp.zeros((4, 6, 8, 3))
  >>> ops.rearrange(images, "b h w c -> b c h w").shape, ops.rearrange(images, "b h w c -> (b h) w c").shape
  ((4, 3, 6, 8), (24, 8, 3))
  >>> ops.rearrange(images, "b (h1 h) (w1 w) c -> (b h1 w1) h w c", h1=2, w1=2).shape
  (16, 3, 4, 3)
"""

from __future__ import annotations

import math
import re

import jax.numpy as jnp

from kerasish.ops.dispatch import keras_op
from kerasish.ops.dispatch import tensor as to_tensor

_TOKEN = re.compile(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*|\S")


def _groups(side: str, pattern: str) -> list[list[str]]:
    """`"b (h w) c"` -> `[["b"], ["h", "w"], ["c"]]`."""
    groups, current = [], None
    for token in _TOKEN.findall(side):
        if token == "(":
            if current is not None:
                raise ValueError(f"Argument `pattern` of rearrange has nested parentheses: {pattern!r}.")
            current = []
        elif token == ")":
            if current is None:
                raise ValueError(f"Argument `pattern` of rearrange has an unmatched ')': {pattern!r}.")
            groups.append(current)
            current = None
        elif token.isidentifier():
            (current if current is not None else groups).append(token if current is not None else [token])
        else:
            raise ValueError(f"Argument `pattern` of rearrange holds {token!r}; it takes axis names, parentheses and "
                             f"one '->': {pattern!r}.")
    if current is not None:
        raise ValueError(f"Argument `pattern` of rearrange has an unmatched '(': {pattern!r}.")
    return groups


@keras_op
def rearrange(tensor, pattern, **axes_lengths):
    """`tensor` with its axes reordered, merged and split as `pattern` says (`keras.ops.rearrange`).

    Args:
      tensor: a tensor.
      pattern: `"<input axes> -> <output axes>"`; parentheses group axes that are one axis of the tensor.
      **axes_lengths: the sizes of split axes; in each input group one size may be left to inference.

    Returns:
      The rearranged tensor (a transpose between two reshapes).

    Raises:
      ValueError: for a malformed pattern, an input side whose rank differs from the tensor's, output axes
        missing from the input (or repeated), or sizes that do not divide.
    """
    x = to_tensor(tensor)
    sides = pattern.split("->")
    if len(sides) != 2:
        raise ValueError(f"Argument `pattern` of rearrange must have the form 'input axes -> output axes', received "
                         f"{pattern!r}.")
    inputs, outputs = _groups(sides[0], pattern), _groups(sides[1], pattern)
    if len(inputs) != x.ndim:
        raise ValueError(f"The input side of rearrange's pattern {pattern!r} names {len(inputs)} axes, but the tensor "
                         f"has shape {x.shape}.")
    names_in = [name for group in inputs for name in group]
    names_out = [name for group in outputs for name in group]
    if len(set(names_in)) != len(names_in) or sorted(names_in) != sorted(names_out):
        raise ValueError(f"rearrange's pattern {pattern!r} must name each input axis once on both sides.")
    sizes = {}
    for group, size in zip(inputs, x.shape):
        known = [name for name in group if name in axes_lengths]
        unknown = [name for name in group if name not in axes_lengths]
        product = math.prod(int(axes_lengths[name]) for name in known)
        if len(unknown) > 1:
            raise ValueError(f"rearrange cannot infer the sizes of {unknown} in group {group} of {pattern!r}: give "
                             f"all but one as keyword arguments.")
        if unknown:
            if product == 0 or size % product:
                raise ValueError(f"Axis of size {size} in rearrange's pattern {pattern!r} cannot be split into "
                                 f"{group} with sizes {dict((n, axes_lengths[n]) for n in known)}.")
            sizes[unknown[0]] = size // product
        elif product != size:
            raise ValueError(f"Axis of size {size} in rearrange's pattern {pattern!r} is not the product of the sizes "
                             f"of {group} ({product}).")
        sizes.update({name: int(axes_lengths[name]) for name in known})
    split = jnp.reshape(x, [sizes[name] for name in names_in])
    moved = jnp.transpose(split, [names_in.index(name) for name in names_out])
    return jnp.reshape(moved, [math.prod(sizes[name] for name in group) for group in outputs])


__all__ = ["rearrange"]
