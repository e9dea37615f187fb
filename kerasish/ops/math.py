"""`keras.ops.math`: segment reductions, top-k, logsumexp, special functions, FFTs and short-time Fourier
transforms.

Complex results are returned as Keras returns them: a pair `(real, imag)` of float tensors, and complex
inputs are taken as such a pair.

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> ops.segment_sum(jnp.array([1.0, 2.0, 3.0]), jnp.array([0, 0, 1]), num_segments=2).tolist()
  [3.0, 3.0]
  >>> values, indices = ops.top_k(jnp.array([1.0, 5.0, 3.0]), k=2)
  >>> values.tolist(), indices.tolist()
  ([5.0, 3.0], [1, 2])
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from kerasish.ops.dispatch import axis_tuple, dtype_name, is_traced, keras_op, tensor


def _segment(name: str, fn):
    def op(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002 (Keras's argument name)
        data, segment_ids = tensor(data), tensor(segment_ids)
        if segment_ids.ndim != 1:
            raise ValueError(f"Argument `segment_ids` of {name} must be 1-D, received shape {segment_ids.shape}; "
                             f"flatten the leading axes of `data` and `segment_ids` together, or use vectorized_map.")
        if segment_ids.shape[0] != data.shape[0]:
            raise ValueError(f"Arguments `segment_ids` and `data` of {name} must have the same first axis, received "
                             f"shapes {segment_ids.shape} and {data.shape}.")
        if num_segments is None:
            if is_traced(segment_ids):
                raise ValueError(f"Argument `num_segments` of {name} must be given inside a compiled function (the "
                                 f"output shape cannot depend on the values of `segment_ids`).")
            num_segments = int(jnp.max(segment_ids)) + 1 if segment_ids.size else 0
        return fn(data, segment_ids, num_segments, indices_are_sorted=sorted)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"The {name.split('_')[1]} of the rows of `data` that share a segment id (`keras.ops.{name}`).\n\n"
                  f"Args:\n  data: a tensor of shape `(N, ...)`.\n  segment_ids: an int tensor of shape `(N,)`.\n"
                  f"  num_segments: the number of segments (the output's first axis); inferred from the largest\n"
                  f"    id when None, which needs concrete ids (not inside jit).\n"
                  f"  sorted: whether `segment_ids` is sorted (a speed hint).\n\n"
                  f"Returns:\n  A tensor of shape `(num_segments, ...)`.\n\n"
                  f"Raises:\n  ValueError: for `segment_ids` that are not 1-D or not as long as `data`, or no\n"
                  f"    `num_segments` under jit.\n")
    return keras_op(op)


segment_sum = _segment("segment_sum", jax.ops.segment_sum)
segment_max = _segment("segment_max", jax.ops.segment_max)
segment_min = _segment("segment_min", jax.ops.segment_min)
segment_prod = _segment("segment_prod", jax.ops.segment_prod)


@keras_op
def top_k(x, k, sorted=True):  # noqa: A002
    """The `k` largest values along the last axis and their indices, largest first (`keras.ops.top_k`).

    Returns:
      `(values, indices)`, each of shape `x.shape[:-1] + (k,)`; the indices are int32.
    """
    return jax.lax.top_k(tensor(x), k)


@keras_op
def in_top_k(targets, predictions, k):
    """Whether each target class is among the `k` highest predictions of its row (`keras.ops.in_top_k`);
    NaN predictions never count as high.

    Args:
      targets: an int tensor of shape `(batch,)`.
      predictions: a tensor of shape `(batch, classes)`.
      k: an int.

    Example:
      >>> import jax.numpy as jnp
      >>> in_top_k(jnp.array([1, 0]), jnp.array([[0.1, 0.9], [0.2, 0.8]]), 1).tolist()
      [True, False]
    """
    targets, predictions = tensor(targets), tensor(predictions)
    at_label = jnp.take_along_axis(predictions, jnp.expand_dims(targets, -1), axis=-1)
    at_label = jnp.where(jnp.isnan(at_label), -jnp.inf, at_label)
    return 1 + jnp.sum(predictions > at_label, axis=-1) <= k


@keras_op
def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` over `axis`, computed without overflow (`keras.ops.logsumexp`).

    Example:
      >>> import jax.numpy as jnp
      >>> round(float(logsumexp(jnp.array([1000.0, 1000.0]))), 3)
      1000.693
    """
    return jax.scipy.special.logsumexp(tensor(x), axis=axis_tuple(axis), keepdims=keepdims)


@keras_op(elementwise=True)
def rsqrt(x):
    """`1 / sqrt(x)`, element-wise (`keras.ops.rsqrt`)."""
    return jax.lax.rsqrt(tensor(x))


@keras_op(elementwise=True)
def erf(x):
    """The error function, element-wise (`keras.ops.erf`)."""
    return jax.lax.erf(tensor(x))


@keras_op(elementwise=True)
def erfc(x):
    """The complementary error function `1 - erf(x)`, element-wise (`keras.ops.erfc`)."""
    return jax.scipy.special.erfc(tensor(x))


@keras_op(elementwise=True)
def erfinv(x):
    """The inverse error function, element-wise (`keras.ops.erfinv`)."""
    return jax.scipy.special.erfinv(tensor(x))


@keras_op
def logdet(x):
    """The log-determinant of the (batch of) square matrices `x` (`keras.ops.logdet`)."""
    return jnp.linalg.slogdet(tensor(x))[1]


@keras_op
def cdist(x, y):
    """The Euclidean distances between the rows of `x` and of `y`, batched over leading axes (`keras.ops.cdist`).

    Args:
      x: a tensor of shape `(..., n, d)`.
      y: a tensor of shape `(..., m, d)`.

    Returns:
      A tensor of shape `(..., n, m)`.

    Raises:
      ValueError: for inputs of rank below 2 or different last axes.
    """
    x, y = tensor(x), tensor(y)
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError(f"Arguments `x` and `y` of cdist must have rank >= 2, received shapes {x.shape} and "
                         f"{y.shape}.")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"Arguments `x` and `y` of cdist must have the same last axis, received shapes {x.shape} and "
                         f"{y.shape}.")
    delta = jnp.expand_dims(x, -2) - jnp.expand_dims(y, -3)
    return jnp.sqrt(jnp.sum(delta * delta, axis=-1))


@keras_op
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of `sequence_length` samples every `sequence_stride` samples of the last axis
    (`keras.ops.extract_sequences`).

    Returns:
      A tensor of shape `x.shape[:-1] + (num_sequences, sequence_length)`.

    Example:
      >>> import jax.numpy as jnp
      >>> extract_sequences(jnp.arange(5.0), 2, 2).tolist()
      [[0.0, 1.0], [2.0, 3.0]]
    """
    x = tensor(x)
    *batch, length = x.shape
    flat = jnp.reshape(x, (math.prod(batch), length, 1))
    frames = jax.lax.conv_general_dilated_patches(flat, (sequence_length,), (sequence_stride,), "VALID",
                                                  dimension_numbers=("NTC", "OIT", "NTC"))
    return jnp.reshape(frames, (*batch, *frames.shape[-2:]))


def _complex(x, op: str):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"Argument `x` of {op} must be a pair (real, imag) of float tensors, received {x!r}.")
    real, imag = tensor(x[0]), tensor(x[1])
    if real.shape != imag.shape:
        raise ValueError(f"Argument `x` of {op} must hold real and imaginary parts of one shape, received shapes "
                         f"{real.shape} and {imag.shape}.")
    if not (jnp.issubdtype(real.dtype, jnp.floating) and jnp.issubdtype(imag.dtype, jnp.floating)):
        raise ValueError(f"Argument `x` of {op} must hold float tensors, received dtypes {real.dtype} and "
                         f"{imag.dtype}.")
    return jax.lax.complex(real, imag)


def _parts(z):
    return jnp.real(z), jnp.imag(z)


@keras_op
def fft(x):
    """The discrete Fourier transform along the last axis of the complex `x = (real, imag)`; returns
    `(real, imag)` (`keras.ops.fft`)."""
    return _parts(jnp.fft.fft(_complex(x, "fft")))


@keras_op
def fft2(x):
    """The 2-D discrete Fourier transform over the last two axes of `x = (real, imag)` (`keras.ops.fft2`)."""
    return _parts(jnp.fft.fft2(_complex(x, "fft2")))


@keras_op
def ifft2(x):
    """The inverse 2-D discrete Fourier transform of `x = (real, imag)` (`keras.ops.ifft2`)."""
    return _parts(jnp.fft.ifft2(_complex(x, "ifft2")))


@keras_op
def rfft(x, fft_length=None):
    """The Fourier transform of the real `x` along its last axis, non-negative frequencies only; returns
    `(real, imag)` of last axis `fft_length // 2 + 1` (`keras.ops.rfft`).

    Example:
      >>> import jax.numpy as jnp
      >>> real, imag = rfft(jnp.array([1.0, 0.0, 0.0, 0.0]))
      >>> real.tolist(), imag.tolist()
      ([1.0, 1.0, 1.0], [0.0, 0.0, 0.0])
    """
    return _parts(jnp.fft.rfft(tensor(x), n=fft_length, axis=-1, norm="backward"))


@keras_op
def irfft(x, fft_length=None):
    """The inverse of `rfft`: a real signal of last axis `fft_length` from `x = (real, imag)` (`keras.ops.irfft`)."""
    return jnp.fft.irfft(_complex(x, "irfft"), n=fft_length, axis=-1, norm="backward")


@keras_op
def view_as_complex(x):
    """A complex64 tensor from a float tensor whose last axis (size 2) holds (real, imag)
    (`keras.ops.view_as_complex`).

    Raises:
      ValueError: when the last axis does not have size 2.
    """
    x = tensor(x)
    if x.ndim < 1 or x.shape[-1] != 2:
        raise ValueError(f"Argument `x` of view_as_complex must have a last axis of size 2 (real, imag), received "
                         f"shape {x.shape}.")
    return jax.lax.complex(x[..., 0].astype("float32"), x[..., 1].astype("float32"))


@keras_op
def view_as_real(x):
    """A float tensor with a new last axis (real, imag) from a complex `x` (`keras.ops.view_as_real`)."""
    x = tensor(x)
    return jnp.stack((jnp.real(x), jnp.imag(x)), axis=-1)


def _window(window, sequence_length: int, dtype, op: str):
    """The analysis window, padded to `fft_length` by the caller. "hann" and "hamming" are periodic, as
    scipy's `get_window` makes them (Keras's choice)."""
    if isinstance(window, str):
        n = np.arange(sequence_length)
        weight = {"hann": 0.5, "hamming": 0.54}[window]
        values = weight - (1 - weight) * np.cos(2 * np.pi * n / sequence_length)
        return jnp.asarray(values, dtype)
    win = tensor(window, dtype)
    if win.ndim != 1 or win.shape[0] != sequence_length:
        raise ValueError(f"Argument `window` of {op} must have shape ({sequence_length},) (sequence_length), "
                         f"received shape {win.shape}.")
    return win


def _check_stft_arguments(sequence_stride, window, op: str) -> None:
    if isinstance(sequence_stride, bool) or not isinstance(sequence_stride, int) or sequence_stride <= 0:
        raise ValueError(f"Argument `sequence_stride` of {op} must be a positive int, received {sequence_stride!r}.")
    if isinstance(window, str) and window not in ("hann", "hamming"):
        raise ValueError(f"Argument `window` of {op} must be 'hann', 'hamming', a tensor or None, received "
                         f"{window!r}.")


@keras_op
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """The short-time Fourier transform of the real signals `x` along their last axis (`keras.ops.stft`).

    Args:
      x: a float32 tensor of shape `(..., samples)`.
      sequence_length: the frame length.
      sequence_stride: the hop between frames (a positive int).
      fft_length: the FFT size, at least `sequence_length`.
      window: "hann" (default), "hamming", a tensor of shape `(sequence_length,)`, or None (no window).
      center: pad `x` by `fft_length // 2` on both sides (reflecting) so frames are centered.

    Returns:
      `(real, imag)`, each of shape `(..., frames, fft_length // 2 + 1)`.

    Raises:
      TypeError: for an `x` that is not float32/float64.
      ValueError: for a bad stride, window, or `fft_length < sequence_length`.
    """
    _check_stft_arguments(sequence_stride, window, "stft")
    x = tensor(x)
    if dtype_name(x) not in ("float32", "float64"):
        raise TypeError(f"Argument `x` of stft must be float32, received dtype {x.dtype}.")
    if fft_length < sequence_length:
        raise ValueError(f"Argument `fft_length` of stft must be >= sequence_length ({sequence_length}), received "
                         f"{fft_length}.")
    if center:
        x = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)], mode="reflect")
    left = (fft_length - sequence_length) // 2
    right = fft_length - sequence_length - left
    if window is None:
        win = jnp.ones(fft_length, x.dtype)
    else:
        win = jnp.pad(_window(window, sequence_length, x.dtype, "stft"), (left, right))
    frames = extract_sequences(x, fft_length, sequence_stride) * win
    spectrum = jnp.fft.rfft(frames, n=fft_length, axis=-1)
    return _parts(spectrum)


@keras_op
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """The inverse of `stft` by weighted overlap-add (`keras.ops.istft`).

    With a window, the frames are weighted by it and normalized by the overlapping squared windows, so
    `istft(stft(x))` gives `x` back. With `window=None`, Keras scales that normalized sum by
    `fft_length / sequence_stride` (the plain overlap-add of the frames away from the borders); kerasish
    computes the same.

    Args:
      x: `(real, imag)`, each of shape `(..., frames, fft_length // 2 + 1)`.
      sequence_length, sequence_stride, fft_length, window, center: as given to `stft`.
      length: the output length (the centered or full signal length when None).

    Returns:
      A float tensor of shape `(..., samples)`.
    """
    _check_stft_arguments(sequence_stride, window, "istft")
    spectrum = _complex(x, "istft")
    if spectrum.ndim < 2:
        raise ValueError(f"Argument `x` of istft must have at least 2 axes (frames, bins), received shape "
                         f"{spectrum.shape}.")
    dtype = jnp.real(spectrum).dtype
    frames = jnp.fft.irfft(spectrum, n=fft_length, axis=-1)
    left = (fft_length - sequence_length) // 2
    right = fft_length - sequence_length - left
    if window is None:
        win = jnp.ones(fft_length, dtype)
    else:
        win = jnp.pad(_window(window, sequence_length, dtype, "istft"), (left, right))
    count = frames.shape[-2]
    total = fft_length + sequence_stride * (count - 1)
    starts = np.arange(count) * sequence_stride
    index = (starts[:, None] + np.arange(fft_length)[None, :]).reshape(-1)
    weighted = (frames * win).reshape(*frames.shape[:-2], -1)
    signal = jnp.zeros((*frames.shape[:-2], total), dtype).at[..., index].add(weighted)
    norm = jnp.zeros(total, dtype).at[index].add(jnp.tile(win * win, count))
    signal = signal / jnp.where(norm > 1e-10, norm, 1.0)
    if window is None:  # Keras's rectangular case: the overlap-add scaled by fft_length / sequence_stride
        signal = signal * (fft_length / sequence_stride)
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = total - fft_length // 2 if center else total
    return signal[..., start:end]


__all__ = sorted(name for name, value in list(globals().items())
                 if callable(value) and hasattr(value, "elementwise"))
