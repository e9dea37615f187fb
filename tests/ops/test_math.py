"""`kerasish.ops.math` against Keras 3: segment reductions, top-k, special functions, FFTs, STFT."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from kerasish import ops
from tests.ops.oracle import compare, sample

X = sample((6, 3), "float32", seed=1)
IDS = np.array([0, 0, 1, 2, 2, 2], "int32")
REAL, IMAG = sample((2, 8), "float32", seed=2), sample((2, 8), "float32", seed=3)


@pytest.mark.parametrize("name", ["segment_sum", "segment_max", "segment_min", "segment_prod"])
def test_segment_reductions_match_keras(name):
    compare(name, X, IDS, num_segments=4)
    compare(name, X[:, 0], IDS, num_segments=3, sorted=True)


def test_segment_reductions_infer_the_count_eagerly():
    np.testing.assert_allclose(ops.segment_sum(X, IDS), ops.segment_sum(X, IDS, num_segments=3))


@pytest.mark.parametrize("name, args, kwargs", [
    ("top_k", (X, 2), {}), ("top_k", (X[:, 0], 3), {"sorted": False}),
    ("in_top_k", (np.array([0, 2, 1], "int32"), X[:3], 1), {}),
    ("in_top_k", (np.array([0, 2, 1], "int32"), X[:3], 2), {}),
    ("logsumexp", (X,), {}), ("logsumexp", (X,), {"axis": 1, "keepdims": True}), ("cdist", (X[:2], X[2:]), {}),
    ("cdist", (sample((2, 3, 4)), sample((2, 5, 4), seed=2)), {}), ("extract_sequences", (sample((2, 10)), 4, 3), {}),
    ("logdet", (np.eye(3, dtype="float32") * 2 + 0.1,), {}), ("fft", ((REAL, IMAG),), {}),
    ("fft2", ((REAL, IMAG),), {}),
    ("ifft2", ((REAL, IMAG),), {}), ("rfft", (REAL,), {}), ("rfft", (REAL,), {"fft_length": 6}),
    ("irfft", ((REAL, IMAG),), {}), ("irfft", ((REAL, IMAG),), {"fft_length": 10}),
    ("view_as_complex", (sample((3, 2)),), {}), ("view_as_real", (np.array([1 + 2j, 3 - 1j], "complex64"),), {}),
])
def test_math_ops_match_keras(name, args, kwargs):
    compare(name, *args, **kwargs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("window, center", [("hann", True), ("hamming", False), (None, False), ("custom", True)])
def test_stft_and_istft_match_keras(window, center):
    signal = sample((2, 40), "float32", seed=4)
    if window == "custom":
        window = np.linspace(0.1, 1.0, 8).astype("float32")
    spectrum = compare("stft", signal, 8, 4, 16, window=window, center=center, rtol=1e-4, atol=1e-4)
    compare("istft", (np.asarray(spectrum[0]), np.asarray(spectrum[1])), 8, 4, 16, window=window, center=center,
            rtol=1e-4, atol=1e-4)
    compare("istft", (np.asarray(spectrum[0]), np.asarray(spectrum[1])), 8, 4, 16, length=30, window=window,
            center=center, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.segment_sum(jnp.ones((2, 2)), jnp.ones((2, 1), "int32")), ValueError,
     r"Argument `segment_ids` of segment_sum must be 1-D, received shape \(2, 1\)"),
    (lambda: ops.segment_max(jnp.ones(3), jnp.zeros(2, "int32")), ValueError,
     "Arguments `segment_ids` and `data` of segment_max must have the same first axis"),
    (lambda: jax.jit(lambda d, s: ops.segment_sum(d, s))(jnp.ones(2), jnp.zeros(2, "int32")), ValueError,
     "Argument `num_segments` of segment_sum must be given inside a compiled function"),
    (lambda: ops.cdist(jnp.ones(3), jnp.ones((2, 3))), ValueError, "must have rank >= 2"),
    (lambda: ops.cdist(jnp.ones((2, 3)), jnp.ones((2, 4))), ValueError, "must have the same last axis"),
    (lambda: ops.fft(jnp.ones(3)), ValueError, r"Argument `x` of fft must be a pair \(real, imag\)"),
    (lambda: ops.fft((jnp.ones(3), jnp.ones(2))), ValueError, "must hold real and imaginary parts of one shape"),
    (lambda: ops.fft((jnp.ones(3, "int32"), jnp.ones(3, "int32"))), ValueError, "must hold float tensors"),
    (lambda: ops.view_as_complex(jnp.ones((2, 3))), ValueError, "must have a last axis of size 2"),
    (lambda: ops.stft(jnp.ones(20), 8, 0, 8), ValueError, "Argument `sequence_stride` of stft must be a positive int"),
    (lambda: ops.stft(jnp.ones(20), 8, 4, 8, window="blackman"), ValueError, "Argument `window` of stft must be"),
    (lambda: ops.stft(jnp.ones(20, "int32"), 8, 4, 8), TypeError, "Argument `x` of stft must be float32"),
    (lambda: ops.stft(jnp.ones(20), 8, 4, 4), ValueError, r"Argument `fft_length` of stft must be >= sequence_length"),
    (lambda: ops.stft(jnp.ones(20), 8, 4, 8, window=jnp.ones(3)), ValueError, r"must have shape \(8,\)"),
    (lambda: ops.istft((jnp.ones(3), jnp.ones(3)), 8, 4, 8), ValueError, "Argument `x` of istft must have at least 2"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
