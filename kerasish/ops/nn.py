"""`keras.ops.nn`: activations and convolutions (from `nn_activations` and `nn_convolution`), plus encodings
(one_hot, multi_hot), losses (crossentropies, CTC), normalizations (moments, batch / layer / RMS
normalization, normalize) and attention.

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> ops.one_hot(jnp.array([0, 2]), 3).tolist()
  [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
  >>> mean, variance = ops.moments(jnp.array([[1.0, 3.0]]), axes=[1])
  >>> mean.tolist(), variance.tolist()
  ([2.0], [1.0])
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from kerasish.backend import epsilon as default_epsilon
from kerasish.backend import result_type, standardize_dtype
from kerasish.ops.dispatch import cast, keras_op, tensor
from kerasish.ops.nn_activations import *  # noqa: F403 (the namespace re-exports them)
from kerasish.ops.nn_activations import __all__ as _activations
from kerasish.ops.nn_convolution import *  # noqa: F403
from kerasish.ops.nn_convolution import __all__ as _convolutions

# -- encodings -------------------------------------------------------------------------------------------


@keras_op
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """The integer tensor `x` as one-hot vectors of length `num_classes` along a new `axis`
    (`keras.ops.one_hot`); negative or too large values give all-zero vectors.

    Args:
      x: an int tensor.
      num_classes: the vector length.
      axis: where the new axis goes (-1: last).
      dtype: the output dtype, `floatx()` by default.
      sparse: must be False (kerasish's tensors are dense).

    Raises:
      ValueError: for `sparse=True` or an `axis` outside the output's rank.
    """
    if sparse:
        raise ValueError(f"Argument `sparse` of one_hot must be False (kerasish's tensors are dense), received "
                         f"{sparse!r}.")
    x = tensor(x)
    if not -x.ndim - 1 <= axis <= x.ndim:
        raise ValueError(f"Argument `axis` of one_hot must be in [{-x.ndim - 1}, {x.ndim}] for an input of shape "
                         f"{x.shape}, received {axis}.")
    dtype = standardize_dtype(dtype)
    if jnp.issubdtype(x.dtype, jnp.integer):
        return jax.nn.one_hot(x, num_classes, axis=axis, dtype=dtype)
    # Float (or bool) ids: Keras hands them to jax.nn.one_hot, which compares each value with the class ids in the
    # input's dtype (1.5 matches no class) and warns that it will stop taking them; the same comparison, no warning.
    x = x.astype("int32") if x.dtype == jnp.bool_ else x
    position = axis if axis >= 0 else x.ndim + 1 + axis
    classes = jnp.arange(num_classes, dtype=x.dtype).reshape([-1 if i == position else 1 for i in range(x.ndim + 1)])
    return (jnp.expand_dims(x, position) == classes).astype(dtype)


@keras_op
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot vectors: one per row of the int tensor `inputs` (one in total for 1-D input), with 1 at
    every class the row contains (`keras.ops.multi_hot`).

    Args:
      inputs: an int tensor of shape `(batch, tokens)` or `(tokens,)`.
      num_classes: the vector length (`num_tokens=` is accepted too, as in Keras).
      axis: where the class axis goes.
      dtype: the output dtype, `floatx()` by default.
      sparse: must be False.

    Raises:
      ValueError: without `num_classes`, with `sparse=True`, or with an unknown keyword argument.

    Example:
      >>> import jax.numpy as jnp
      >>> multi_hot(jnp.array([[0, 2], [1, 1]]), 3).tolist()
      [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    if num_classes is None and "num_tokens" in kwargs:
        num_classes = kwargs.pop("num_tokens")
    if kwargs:
        raise ValueError(f"multi_hot got unknown keyword arguments {sorted(kwargs)}; it takes num_classes (or "
                         f"num_tokens), axis, dtype and sparse.")
    if num_classes is None:
        raise ValueError("Argument `num_classes` of multi_hot must be given.")
    inputs = tensor(inputs)
    reduce = 1 if inputs.ndim > 1 else 0
    return jnp.max(one_hot(cast(inputs, "int32"), num_classes, axis=axis, dtype=dtype, sparse=sparse), axis=reduce)


# -- losses -------------------------------------------------------------------------------------------------

def _clipped_log_probabilities(output, axis):
    output = output / jnp.sum(output, axis, keepdims=True)
    return jnp.log(jnp.clip(output, default_epsilon(), 1.0 - default_epsilon()))


@keras_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """`-sum(target * log(output))` over `axis`, per sample (`keras.ops.categorical_crossentropy`).

    Probabilities are renormalized to sum to 1 and clipped to `[epsilon, 1 - epsilon]` first, as in Keras.

    Args:
      target: one-hot (or soft) targets of `output`'s shape.
      output: probabilities, or logits with `from_logits=True`.
      from_logits: whether `output` holds logits.
      axis: the class axis.

    Raises:
      ValueError: for shapes that differ or scalars.

    Example:
      >>> import jax.numpy as jnp
      >>> round(float(categorical_crossentropy(jnp.array([0.0, 1.0]), jnp.array([0.5, 0.5]))), 4)
      0.6931
    """
    target, output = jnp.asarray(tensor(target)), jnp.asarray(tensor(output))
    if target.shape != output.shape:
        raise ValueError(f"Arguments `target` and `output` of categorical_crossentropy must have the same shape, "
                         f"received {target.shape} and {output.shape}.")
    if target.ndim < 1:
        raise ValueError(f"Arguments `target` and `output` of categorical_crossentropy must have rank >= 1, received "
                         f"shape {target.shape}.")
    log_prob = jax.nn.log_softmax(output, axis=axis) if from_logits else _clipped_log_probabilities(output, axis)
    return -jnp.sum(target * log_prob, axis=axis)


@keras_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """The categorical crossentropy with integer class targets (`keras.ops.sparse_categorical_crossentropy`).

    Args:
      target: int class indices of shape `output.shape[:-1]` (a trailing axis of size 1 is squeezed).
      output: probabilities (or logits) of shape `(..., classes)`.

    Raises:
      ValueError: for a scalar `output` or a `target` whose shape does not match.
    """
    target, output = tensor(target, "int32"), jnp.asarray(tensor(output))
    if output.ndim < 1:
        raise ValueError(f"Argument `output` of sparse_categorical_crossentropy must have rank >= 1, received shape "
                         f"{output.shape}.")
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, axis=-1)
    if target.shape != output.shape[:-1]:
        raise ValueError(f"Argument `target` of sparse_categorical_crossentropy must have shape output.shape[:-1] = "
                         f"{output.shape[:-1]}, received {target.shape}.")
    log_prob = jax.nn.log_softmax(output, axis=axis) if from_logits else _clipped_log_probabilities(output, axis)
    return -jnp.sum(jax.nn.one_hot(target, output.shape[axis], axis=axis) * log_prob, axis=axis)


@keras_op
def binary_crossentropy(target, output, from_logits=False):
    """The element-wise binary crossentropy (`keras.ops.binary_crossentropy`); probabilities are clipped to
    `[epsilon, 1 - epsilon]`.

    Raises:
      ValueError: for shapes that differ.
    """
    target, output = jnp.asarray(tensor(target)), jnp.asarray(tensor(output))
    if target.shape != output.shape:
        raise ValueError(f"Arguments `target` and `output` of binary_crossentropy must have the same shape, received "
                         f"{target.shape} and {output.shape}.")
    if from_logits:
        return -target * jax.nn.log_sigmoid(output) - (1.0 - target) * jax.nn.log_sigmoid(-output)
    output = jnp.clip(output, default_epsilon(), 1.0 - default_epsilon())
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))


@keras_op
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """The connectionist temporal classification loss per sample (`keras.ops.ctc_loss`).

    Args:
      target: int labels of shape `(batch, max_label_length)`.
      output: logits of shape `(batch, max_length, classes)`.
      target_length: the label lengths, shape `(batch,)`.
      output_length: the sequence lengths, shape `(batch,)`.
      mask_index: the blank class.

    Returns:
      A float tensor of shape `(batch,)`.
    """
    target, output = tensor(target, "int32"), tensor(output)
    output = cast(output, result_type(output.dtype, "float32"))
    label_pad = (jnp.arange(target.shape[1])[None, :] >= tensor(target_length, "int32")[:, None]).astype(output.dtype)
    logit_pad = (jnp.arange(output.shape[1])[None, :] >= tensor(output_length, "int32")[:, None]).astype(output.dtype)
    return optax.ctc_loss(output, logit_pad, target, label_pad, blank_id=mask_index, log_epsilon=-1e5)


@keras_op
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True,
               mask_index=0):
    """Greedy CTC decoding (`keras.ops.ctc_decode`): the best class per step, repeats merged, blanks dropped.

    Returns:
      `(decoded, scores)`: int tensor `(1, batch, max_length)` padded with -1, and `(batch, 1)` scores
      (minus the summed best scores).

    Raises:
      ValueError: for `strategy="beam_search"` (not available in kerasish) or another strategy.
    """
    if strategy != "greedy":
        raise ValueError(f"Argument `strategy` of ctc_decode must be 'greedy' in kerasish (beam search is not "
                         f"implemented), received {strategy!r}.")
    inputs = tensor(inputs)
    inputs = cast(inputs, result_type(inputs.dtype, "float32"))
    lengths = tensor(sequence_lengths, "int32")
    batch, steps, classes = inputs.shape
    blank = classes - 1 if mask_index is None else mask_index
    beyond = jnp.arange(steps)[None, :] >= lengths[:, None]
    indices = jnp.where(beyond, blank, jnp.argmax(inputs, axis=-1))
    scores = jnp.where(beyond, 0.0, jnp.max(inputs, axis=-1))
    if merge_repeated:
        repeated = jnp.pad(indices[:, 1:] == indices[:, :-1], ((0, 0), (1, 0)))
        indices = jnp.where(repeated, blank, indices)
    dropped = indices == blank
    indices = jnp.where(dropped, -1, indices)
    order = jnp.argsort(jnp.where(dropped, steps, jnp.arange(steps)[None, :]), axis=-1)
    return jnp.take_along_axis(indices, order, axis=-1)[None], -jnp.sum(scores, axis=1)[:, None]


@keras_op
def psnr(x1, x2, max_val):
    """The peak signal-to-noise ratio `20 log10(max_val) - 10 log10(mse)` of two images (`keras.ops.psnr`).

    Raises:
      ValueError: for shapes that differ.
    """
    x1, x2 = tensor(x1), tensor(x2)
    if x1.shape != x2.shape:
        raise ValueError(f"Arguments `x1` and `x2` of psnr must have the same shape, received {x1.shape} and "
                         f"{x2.shape}.")
    max_val = tensor(max_val, x2.dtype)
    return 20 * jnp.log10(max_val) - 10 * jnp.log10(jnp.mean(jnp.square(x1 - x2)))


# -- normalization --------------------------------------------------------------------------------------------

@keras_op
def moments(x, axes, keepdims=False, synchronized=False):
    """The mean and variance of `x` over `axes` (`keras.ops.moments`); float16/bfloat16 are computed in float32.

    Raises:
      NotImplementedError: for `synchronized=True` (a cross-device reduction; not in JAX's Keras backend).
    """
    if synchronized:
        raise NotImplementedError("Argument `synchronized=True` of moments is not supported on JAX (as in Keras).")
    x = tensor(x)
    original = standardize_dtype(x.dtype)
    low = original in ("float16", "bfloat16")
    if low:
        x = x.astype("float32")
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    mean = jnp.mean(x, axes, keepdims=True)
    variance = jnp.var(x, axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = jnp.squeeze(mean, axes), jnp.squeeze(variance, axes)
    if low:
        limit = jnp.finfo(jnp.float16)
        mean = jnp.clip(mean, limit.min, limit.max).astype(original)
        variance = jnp.clip(variance, limit.min, limit.max).astype(original)
    return mean, variance


@keras_op
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """`(x - mean) / sqrt(variance + epsilon) * scale + offset`, with the 1-D statistics along `axis`
    (`keras.ops.batch_normalization`).

    Raises:
      ValueError: when a statistic is not a vector of length `x.shape[axis]`.
    """
    x = tensor(x)
    size = x.shape[axis]
    stats = {"mean": mean, "variance": variance, "offset": offset, "scale": scale}
    for name, value in stats.items():
        if value is not None and tuple(jnp.shape(value)) != (size,):
            raise ValueError(f"Argument `{name}` of batch_normalization must be a vector of length x.shape[axis] = "
                             f"{size}, received shape {tuple(jnp.shape(value))}.")
    shape = [1] * x.ndim
    shape[axis] = size
    inverse = jax.lax.rsqrt(jnp.reshape(tensor(variance), shape) + epsilon)
    if scale is not None:
        inverse = inverse * jnp.reshape(tensor(scale), shape)
    shift = -jnp.reshape(tensor(mean), shape) * inverse
    if offset is not None:
        shift = shift + jnp.reshape(tensor(offset), shape)
    return jnp.add(x * inverse, shift)


@keras_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """`x` divided by its `order`-norm along `axis` (`keras.ops.normalize`); norms below `epsilon` count as it.

    Raises:
      ValueError: for an `order` that is not an int >= 1.

    Example:
      >>> import jax.numpy as jnp
      >>> normalize(jnp.array([3.0, 4.0])).tolist()
      [0.6000000238418579, 0.800000011920929]
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` of normalize must be an int >= 1, received {order!r}.")
    x = tensor(x)
    if x.ndim == 0:
        x = x[None]
    epsilon = default_epsilon() if epsilon is None else epsilon
    if order == 2:
        inverse = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
        return x * jnp.minimum(inverse, 1.0 / epsilon)
    norm = jnp.linalg.norm(cast(x, result_type(x.dtype, float)), ord=order, axis=axis, keepdims=True)
    return jnp.divide(x, jnp.maximum(norm, epsilon))


@keras_op
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """`x` normalized to zero mean and unit variance over `axis`, then `* gamma + beta`
    (`keras.ops.layer_normalization`); computed in at least float32 and cast back.

    Raises:
      ValueError: for `rms_scaling=True` (deprecated in Keras: use `rms_normalization`) or another keyword.
    """
    if kwargs.pop("rms_scaling", False):
        raise ValueError("Argument `rms_scaling=True` of layer_normalization is deprecated in Keras (it scales by the "
                         "variance, not the root mean square): use kerasish.ops.rms_normalization.")
    if kwargs:
        raise ValueError(f"layer_normalization got unknown keyword arguments {sorted(kwargs)}.")
    epsilon = default_epsilon() if epsilon is None else epsilon
    x = tensor(x)
    original = standardize_dtype(x.dtype)
    x = cast(x, result_type(x.dtype, "float32"))
    axes = sorted([axis] if isinstance(axis, int) else list(axis))
    broadcast = [1] * x.ndim
    for a in axes:
        broadcast[a] = x.shape[a]

    def expand(v):
        if v is None:
            return None
        v = tensor(v, x.dtype)
        return jnp.reshape(v, broadcast) if v.ndim != x.ndim and axes != [x.ndim - 1] else v

    mean, variance = moments(x, axes=axes, keepdims=True)
    inverse = jax.lax.rsqrt(variance + epsilon)
    gamma, beta = expand(gamma), expand(beta)
    if gamma is not None:
        inverse = inverse * gamma
    shift = -mean * inverse
    if beta is not None:
        shift = shift + beta
    return cast(x * inverse + shift, original)


@keras_op
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """`x / sqrt(mean(x**2) + epsilon) * scale` over `axis` (`keras.ops.rms_normalization`); computed in at least
    float32 and cast back."""
    epsilon = default_epsilon() if epsilon is None else epsilon
    x = tensor(x)
    original = standardize_dtype(x.dtype)
    x = cast(x, result_type(x.dtype, "float32"))
    if x.ndim == 0:
        x = x[None]
    axes = tuple(sorted(axis)) if isinstance(axis, (tuple, list)) else axis
    out = x * jax.lax.rsqrt(jnp.mean(jnp.square(x), axis=axes, keepdims=True) + epsilon)
    if scale is not None:
        out = out * tensor(scale, x.dtype)
    return cast(out, original)


@keras_op
def polar(abs_, angle):
    """The complex numbers with magnitudes `abs_` and angles `angle` (radians) (`keras.ops.polar`)."""
    abs_, angle = tensor(abs_), tensor(angle)
    return jax.lax.complex(abs_ * jnp.cos(angle), abs_ * jnp.sin(angle))


# -- attention ------------------------------------------------------------------------------------------------

@keras_op
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False, flash_attention=None,
                          attn_logits_soft_cap=None):
    """Scaled dot-product attention, `softmax(q k^T * scale + bias, masked) v` (`keras.ops.dot_product_attention`).

    Args:
      query: `(batch, target_length, heads, depth)`.
      key: `(batch, source_length, heads, depth)`.
      value: `(batch, source_length, heads, value_depth)`.
      bias: None, or added to the logits; broadcastable to `(batch, heads, target_length, source_length)`.
      mask: None, or a bool tensor broadcastable likewise: True where attention is allowed.
      scale: the logits' scale, `1 / sqrt(depth)` by default.
      is_causal: also mask the future (a lower-triangular mask).
      flash_attention: None or False (kerasish has no fused kernel).
      attn_logits_soft_cap: must be None (a TPU-only feature in Keras).

    Returns:
      A tensor of shape `(batch, target_length, heads, value_depth)`.

    Raises:
      ValueError: for inputs that are not 4-D, `flash_attention=True`, or a soft cap.

    Example:
      >>> import jax.numpy as jnp
      >>> dot_product_attention(jnp.ones((2, 4, 8, 16)), jnp.ones((2, 6, 8, 16)), jnp.ones((2, 6, 8, 16))).shape
      (2, 4, 8, 16)
    """
    if attn_logits_soft_cap is not None:
        raise ValueError(f"Argument `attn_logits_soft_cap` of dot_product_attention is only supported by Keras on TPU; "
                         f"pass None, received {attn_logits_soft_cap!r}.")
    if flash_attention:
        raise ValueError("Argument `flash_attention=True` of dot_product_attention is not available in kerasish; pass "
                         "None or False.")
    query, key, value = tensor(query), tensor(key), tensor(value)
    if query.ndim != 4 or key.ndim != 4 or value.ndim != 4:
        raise ValueError(f"dot_product_attention takes 4-D inputs (batch, length, heads, depth), received shapes "
                         f"{query.shape}, {key.shape} and {value.shape}.")
    dtype = result_type(query.dtype, key.dtype, value.dtype)
    query, key, value = cast(query, dtype), cast(key, dtype), cast(value, dtype)
    scale = 1.0 / jnp.sqrt(query.shape[-1]) if scale is None else scale
    logits_dtype = jnp.promote_types(query.dtype, jnp.float32)
    logits = jnp.einsum("BTNH,BSNH->BNTS", query, key, preferred_element_type=logits_dtype)
    logits = logits * jnp.asarray(scale, logits.dtype)
    if bias is not None:
        logits = (logits + tensor(bias, dtype)).astype(logits.dtype)
    if mask is not None or is_causal:
        allowed = jnp.ones_like(logits, dtype="bool")
        if mask is not None:
            allowed = jnp.logical_and(allowed, tensor(mask))
        if is_causal:
            allowed = jnp.logical_and(allowed, jnp.tril(jnp.ones(logits.shape[-2:], "bool"))[None, None])
        logits = jnp.where(allowed, logits, jnp.asarray(-0.7 * jnp.finfo(logits.dtype).max, logits.dtype))
    probabilities = jax.nn.softmax(logits.astype(jnp.float32), axis=-1).astype(key.dtype)
    return jnp.einsum("BNTS,BSNH->BTNH", probabilities, value)


_own = ["one_hot", "multi_hot", "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
        "ctc_loss", "ctc_decode", "psnr", "moments", "batch_normalization", "normalize", "layer_normalization",
        "rms_normalization", "polar", "dot_product_attention"]
__all__ = sorted(_own + list(_activations) + list(_convolutions))

