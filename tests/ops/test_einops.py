"""`kerasish.ops.rearrange` against Keras 3's."""

import jax.numpy as jnp
import pytest

from kerasish import ops
from tests.ops.oracle import compare, sample

IMAGES = sample((4, 6, 8, 3), seed=1)


@pytest.mark.parametrize("pattern, lengths", [
    ("b h w c -> b c h w", {}), ("b h w c -> (b h) w c", {}), ("b h w c -> h (b w) c", {}),
    ("b h w c -> b (c h w)", {}), ("b (h1 h) (w1 w) c -> (b h1 w1) h w c", {"h1": 2, "w1": 2}),
    ("b (h h1) (w w1) c -> b h w (c h1 w1)", {"h1": 2, "w1": 4}), ("b h w c->b h w c", {}),
])
def test_rearrange_matches_keras(pattern, lengths):
    compare("rearrange", IMAGES, pattern, **lengths)


@pytest.mark.parametrize("pattern, lengths, message", [
    ("b h w c", {}, "must have the form 'input axes -> output axes'"),
    ("b h w -> b h w", {}, r"names 3 axes, but the tensor has shape \(4, 6, 8, 3\)"),
    ("b h w c -> b h c", {}, "must name each input axis once on both sides"),
    ("b (h1 h2) w c -> b h1 h2 w c", {}, r"cannot infer the sizes of \['h1', 'h2'\]"),
    ("b (h1 h) w c -> b h1 h w c", {"h1": 4}, "cannot be split into"),
    ("b (h1 h2) w c -> b h1 h2 w c", {"h1": 2, "h2": 2}, r"is not the product of the sizes of \['h1', 'h2'\] \(4\)"),
    ("b ((h)) w c -> b h w c", {}, "has nested parentheses"),
    ("b h) w c -> b h w c", {}, "has an unmatched '\\)'"),
    ("b (h w c -> b h w c", {}, "has an unmatched '\\('"),
    ("b h w c -> b h w c!", {}, "holds '!'"),
])
def test_rearrange_refuses_bad_patterns(pattern, lengths, message):
    with pytest.raises(ValueError, match=message):
        ops.rearrange(jnp.asarray(IMAGES), pattern, **lengths)
