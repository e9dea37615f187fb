"""`kerasish.ops.nn` against Keras 3: activations, convolutions and pooling, encodings, losses,
normalizations and attention."""

import warnings

import jax.numpy as jnp
import keras
import numpy as np
import pytest

from kerasish import ops
from tests.ops.oracle import compare, compare_types, sample

ACTIVATIONS = ["relu", "relu6", "sigmoid", "sparse_sigmoid", "softplus", "softsign", "sparse_plus", "silu", "swish",
               "log_sigmoid", "hard_sigmoid", "hard_silu", "hard_swish", "selu", "hard_tanh", "tanh_shrink",
               "leaky_relu", "elu", "celu", "gelu", "squareplus", "soft_shrink", "hard_shrink", "glu", "softmax",
               "log_softmax"]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_match_keras(name):
    compare(name, sample((3, 4), "float32", seed=1, low=-4, high=4))
    for dtype in ("bfloat16", "float16", "int32"):
        compare_types(name, sample((3, 4), dtype))


def test_activation_arguments_match_keras():
    x = sample((2, 3, 4), "float32", seed=2, low=-3, high=3)
    compare("leaky_relu", x, negative_slope=0.5)
    compare("elu", x, alpha=0.3)
    compare("celu", x, alpha=2.0)
    compare("gelu", x, approximate=False)
    compare("squareplus", x, b=2)
    compare("soft_shrink", x, threshold=1.0)
    compare("hard_shrink", x, threshold=1.0)
    compare("threshold", x, 0.5, -1.0)
    compare("glu", x, axis=1) if x.shape[1] % 2 == 0 else compare("glu", x, axis=2)
    for axis in (0, 1, (1, 2), (0, 2)):
        compare("softmax", x, axis=axis)
        compare("log_softmax", x, axis=axis)


def test_sparsemax_matches_keras_with_one_positive_entry():
    x = np.array([[3.0, 0.5, -1.0], [-2.0, 4.0, 1.0]], "float32")  # one entry above tau per row
    compare("sparsemax", x)


def test_sparsemax_projects_onto_the_simplex():
    """Keras 3.15 is wrong here (its outputs do not sum to 1); the reference is the definition, computed
    with NumPy: tau from the sorted values' running sum at the end of the support."""
    x = sample((4, 5), "float32", seed=3, low=-1, high=1)
    z = -np.sort(-x, axis=1)
    running = np.cumsum(z, axis=1)
    k = np.arange(1, 6)
    size = np.sum(z - (running - 1) / k > 0, axis=1)
    tau = (running[np.arange(4), size - 1] - 1) / size
    expected = np.maximum(x - tau[:, None], 0)
    np.testing.assert_allclose(ops.sparsemax(x), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.sum(ops.sparsemax(x), axis=1), 1.0, rtol=1e-5)


CONVOLUTIONS = [
    ("conv", (sample((2, 7, 3)), sample((3, 3, 4), seed=2)), {}),
    ("conv", (sample((2, 7, 3)), sample((3, 3, 4), seed=2)), {"strides": 2, "padding": "same"}),
    ("conv", (sample((2, 6, 6, 3)), sample((3, 3, 3, 2), seed=2)), {"dilation_rate": 2}),
    ("conv", (sample((2, 3, 6, 6)), sample((2, 2, 3, 2), seed=2)),
     {"data_format": "channels_first", "strides": (1, 2)}),
    ("conv", (sample((1, 4, 4, 4, 2)), sample((2, 2, 2, 2, 3), seed=2)), {"padding": "same"}),
    ("conv", (sample((2, 6, 6, 4)), sample((3, 3, 2, 4), seed=2)), {}),  # two groups
    ("depthwise_conv", (sample((2, 6, 6, 3)), sample((3, 3, 3, 2), seed=2)), {"padding": "same"}),
    ("depthwise_conv", (sample((2, 8, 3)), sample((3, 3, 1), seed=2)), {"strides": 2, "dilation_rate": 1}),
    ("separable_conv", (sample((2, 6, 6, 3)), sample((3, 3, 3, 2), seed=2), sample((1, 1, 6, 4), seed=3)), {}),
    ("conv_transpose", (sample((2, 4, 3)), sample((3, 5, 3), seed=2)), {"strides": 2}),
    ("conv_transpose", (sample((2, 4, 4, 3)), sample((3, 3, 2, 3), seed=2)), {"strides": 2, "padding": "same"}),
    ("conv_transpose", (sample((2, 4, 4, 3)), sample((3, 3, 2, 3), seed=2)), {"strides": 2, "output_padding": 1}),
    ("conv_transpose", (sample((2, 5, 3)), sample((2, 2, 3), seed=2)), {"dilation_rate": 2, "padding": "same"}),
    ("max_pool", (sample((2, 6, 3)), 2), {"strides": 2}),
    ("max_pool", (sample((2, 6, 6, 3)), (3, 2)), {"strides": 2, "padding": "same"}),
    ("max_pool", (sample((2, 3, 6, 6)), 2), {"strides": (2, 1), "data_format": "channels_first"}),
    ("average_pool", (sample((2, 6, 3)), 3), {"strides": 1}),
    ("average_pool", (sample((2, 5, 5, 3)), 2), {"strides": 2, "padding": "same"}),
    ("average_pool", (sample((1, 4, 4, 4, 2)), 2), {"strides": (2, 2, 1)}),
    ("adaptive_average_pool", (sample((2, 7, 3)), 3), {}), ("adaptive_max_pool", (sample((2, 7, 5, 3)), (3, 2)), {}),
    ("adaptive_average_pool", (sample((2, 3, 7, 5)), (2, 4)), {"data_format": "channels_first"}),
    ("adaptive_max_pool", (sample((1, 5, 6, 7, 2)), 2), {}),
    ("depth_to_space", (sample((2, 2, 3, 8)), 2), {}), ("depth_to_space", (sample((2, 8, 2, 3)), 2),
                                                          {"data_format": "channels_first"}),
    ("space_to_depth", (sample((2, 4, 6, 3)), 2), {}), ("space_to_depth", (sample((2, 3, 4, 6)), 2),
                                                          {"data_format": "channels_first"}),
    ("unfold", (sample((2, 3, 5, 6)), 2), {}), ("unfold", (sample((2, 2, 6, 6)), (3, 2)), {"stride": 2, "padding": 1}),
    ("fold", (sample((2, 12, 20)), (5, 6), 2), {}),
    ("fold", (sample((2, 12, 12)), (6, 6), (3, 2)), {"stride": 2, "padding": 1, "dilation": 1}),
]


@pytest.mark.parametrize("name, args, kwargs", CONVOLUTIONS, ids=lambda v: str(v)[:24])
def test_convolutions_and_pooling_match_keras(name, args, kwargs):
    compare(name, *args, **kwargs, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["max_pool", "average_pool"])
def test_pooling_strides_default_to_the_pool_size(name):
    """Keras documents `strides=None` as the pool size, but its JAX backend converts the pool size twice and
    fails (3.15); the reference is Keras with the strides spelled out."""
    x = sample((2, 6, 6, 3), seed=3)
    expected = getattr(keras.ops, name)(x, (3, 2), strides=(3, 2), padding="same")
    np.testing.assert_allclose(getattr(ops, name)(x, (3, 2), padding="same"), expected, rtol=1e-6)


def test_encodings_match_keras():
    labels = np.array([[0, 2, 5], [1, 1, -1]], "int32")
    compare("one_hot", labels, 4)
    compare("one_hot", labels, 4, axis=0, dtype="int32")
    compare("one_hot", labels[0], 3, axis=-1)
    compare("multi_hot", labels, 4)
    compare("multi_hot", labels[0], 6, dtype="bool")
    compare("multi_hot", labels, num_tokens=4)


def test_losses_match_keras():
    logits = sample((4, 5), "float32", seed=4)
    probabilities = np.asarray(keras.ops.softmax(logits))
    onehot = np.eye(5, dtype="float32")[[0, 3, 1, 4]]
    compare("categorical_crossentropy", onehot, probabilities)
    compare("categorical_crossentropy", onehot, logits, from_logits=True)
    compare("categorical_crossentropy", onehot.T.copy(), probabilities.T.copy(), axis=0)
    compare("sparse_categorical_crossentropy", np.array([0, 3, 1, 4]), probabilities)
    compare("sparse_categorical_crossentropy", np.array([[0], [3], [1], [4]]), logits, from_logits=True)
    targets = sample((4, 5), "float32", seed=5, low=0, high=1)
    compare("binary_crossentropy", targets, np.asarray(keras.ops.sigmoid(logits)))
    compare("binary_crossentropy", targets, logits, from_logits=True)
    compare("psnr", targets, targets * 0.9, 1.0)


def test_ctc_matches_keras():
    logits = sample((2, 6, 4), "float32", seed=6)
    target = np.array([[1, 2, 0], [3, 0, 0]], "int32")
    compare("ctc_loss", target, logits, np.array([2, 1]), np.array([6, 4]), rtol=1e-4, atol=1e-4)
    compare("ctc_decode", logits, np.array([6, 4]))
    compare("ctc_decode", logits, np.array([6, 6]), merge_repeated=False, mask_index=2)


def test_normalizations_match_keras():
    x = sample((3, 4, 6), "float32", seed=7)
    compare("moments", x, axes=[0, 1])
    compare("moments", x, axes=[2], keepdims=True)
    compare("moments", x.astype("float16"), axes=[1])
    mean, variance = sample((6,), seed=8), sample((6,), seed=9, low=0.5, high=2)
    compare("batch_normalization", x, mean, variance, axis=-1)
    compare("batch_normalization", x, mean, variance, axis=2, offset=sample((6,), seed=10), scale=sample((6,), seed=11),
            epsilon=0.01)
    compare("batch_normalization", x, mean[:4], variance[:4], axis=1)
    for order in (1, 2, 3):
        compare("normalize", x, axis=-1, order=order)
    compare("normalize", x, axis=1, epsilon=0.5)
    compare("layer_normalization", x)
    compare("layer_normalization", x, gamma=sample((6,), seed=12), beta=sample((6,), seed=13), epsilon=1e-3)
    compare("layer_normalization", x, gamma=sample((4, 6), seed=12), axis=(1, 2))
    compare("layer_normalization", x.astype("bfloat16"), axis=-1)
    compare("rms_normalization", x)
    compare("rms_normalization", x, scale=sample((6,), seed=14), axis=-1, epsilon=1e-3)
    compare("rms_normalization", x, axis=(1, 2))
    compare("polar", sample((3,), seed=15, low=0.1), sample((3,), seed=16))


def test_attention_matches_keras():
    q, k, v = sample((2, 4, 3, 8), seed=17), sample((2, 5, 3, 8), seed=18), sample((2, 5, 3, 8), seed=19)
    compare("dot_product_attention", q, k, v, rtol=1e-4, atol=1e-5)
    mask = sample((2, 1, 4, 5), "bool", seed=21)
    mask[..., 0] = True
    compare("dot_product_attention", q, k, v, scale=0.2, bias=sample((1, 3, 4, 5), seed=20), mask=mask, rtol=1e-4,
            atol=1e-5)
    compare("dot_product_attention", q, k[:, :4], v[:, :4], is_causal=True, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.glu(jnp.ones((2, 3))), ValueError, r"glu must have an even size along axis -1"),
    (lambda: ops.conv(jnp.ones((1, 4, 3)), jnp.ones((2, 2, 2))), ValueError,
     r"The input channels of conv \(3\) must be a multiple of the kernel's input channels \(2"),
    (lambda: ops.conv(jnp.ones((1, 4, 3)), jnp.ones((2, 3, 2)), padding="causal"), ValueError,
     "Argument `padding` of conv must be 'valid' or 'same', received 'causal'"),
    (lambda: ops.conv(jnp.ones((1, 4, 3)), jnp.ones((2, 3, 2)), strides=(1, 2)), ValueError,
     r"Argument `strides` of conv must be a positive int or 1 positive ints"),
    (lambda: ops.conv(jnp.ones((1, 2, 3)), jnp.ones((3, 3, 2))), ValueError, "gives an empty output"),
    (lambda: ops.conv(jnp.ones((4, 3)), jnp.ones((3, 3, 2))), ValueError, "Argument `inputs` of conv must have rank 3"),
    (lambda: ops.depthwise_conv(jnp.ones((1, 4, 3)), jnp.ones((2, 2, 1))), ValueError,
     "must equal the kernel's input channels"),
    (lambda: ops.conv_transpose(jnp.ones((1, 4, 3)), jnp.ones((2, 3, 2))), ValueError,
     r"The input channels of conv_transpose \(3\) must equal the kernel's last axis"),
    (lambda: ops.max_pool(jnp.ones((1, 4, 3)), 2, padding="full"), ValueError, "Argument `padding` of max_pool"),
    (lambda: ops.depth_to_space(jnp.ones((1, 2, 2, 4)), 1), ValueError, "Argument `block_size` of depth_to_space must"),
    (lambda: ops.depth_to_space(jnp.ones((1, 2, 2, 6)), 2), ValueError, r"must be divisible by block_size\*\*2 \(4\)"),
    (lambda: ops.space_to_depth(jnp.ones((1, 3, 2, 4)), 2), ValueError, r"must be divisible by block_size \(2\)"),
    (lambda: ops.space_to_depth(jnp.ones((2, 2, 4)), 2), ValueError, "must be a 4-D image batch"),
    (lambda: ops.unfold(jnp.ones((2, 4, 4)), 2), ValueError, r"Argument `x` of unfold must be 4-D \(N, C, H, W\)"),
    (lambda: ops.fold(jnp.ones((2, 4)), 4, 2), ValueError, "Argument `x` of fold must be 3-D"),
    (lambda: ops.one_hot(jnp.ones(2, "int32"), 3, sparse=True), ValueError, "`sparse` of one_hot must be False"),
    (lambda: ops.one_hot(jnp.ones(2, "int32"), 3, axis=3), ValueError, r"`axis` of one_hot must be in \[-2, 1\]"),
    (lambda: ops.multi_hot(jnp.ones(2, "int32")), ValueError, "Argument `num_classes` of multi_hot must be given"),
    (lambda: ops.multi_hot(jnp.ones(2, "int32"), 3, depth=2), ValueError, r"multi_hot got unknown keyword arguments"),
    (lambda: ops.categorical_crossentropy(jnp.ones((2, 3)), jnp.ones((2, 4))), ValueError,
     "Arguments `target` and `output` of categorical_crossentropy must have the same shape"),
    (lambda: ops.categorical_crossentropy(jnp.ones(()), jnp.ones(())), ValueError, "must have rank >= 1"),
    (lambda: ops.sparse_categorical_crossentropy(jnp.ones(3), jnp.ones((2, 4))), ValueError,
     r"Argument `target` of sparse_categorical_crossentropy must have shape output.shape\[:-1\]"),
    (lambda: ops.sparse_categorical_crossentropy(jnp.ones(()), jnp.ones(())), ValueError,
     "Argument `output` of sparse_categorical_crossentropy must have rank >= 1"),
    (lambda: ops.binary_crossentropy(jnp.ones(2), jnp.ones(3)), ValueError,
     "Arguments `target` and `output` of binary_crossentropy must have the same shape"),
    (lambda: ops.ctc_decode(jnp.ones((1, 2, 3)), jnp.ones(1), strategy="beam_search"), ValueError,
     "Argument `strategy` of ctc_decode must be 'greedy' in kerasish"),
    (lambda: ops.psnr(jnp.ones(2), jnp.ones(3), 1.0), ValueError, "Arguments `x1` and `x2` of psnr must have the same"),
    (lambda: ops.moments(jnp.ones(2), axes=[0], synchronized=True), NotImplementedError, "synchronized=True"),
    (lambda: ops.batch_normalization(jnp.ones((2, 3)), jnp.ones(2), jnp.ones(3), axis=-1), ValueError,
     r"Argument `mean` of batch_normalization must be a vector of length x.shape\[axis\] = 3"),
    (lambda: ops.normalize(jnp.ones(3), order=0), ValueError, "Argument `order` of normalize must be an int >= 1"),
    (lambda: ops.layer_normalization(jnp.ones(3), rms_scaling=True), ValueError, "rms_scaling=True"),
    (lambda: ops.layer_normalization(jnp.ones(3), scale=2), ValueError, "layer_normalization got unknown keyword"),
    (lambda: ops.dot_product_attention(jnp.ones((2, 3, 4)), jnp.ones((2, 3, 4)), jnp.ones((2, 3, 4))), ValueError,
     "dot_product_attention takes 4-D inputs"),
    (lambda: ops.dot_product_attention(*[jnp.ones((1, 2, 1, 2))] * 3, flash_attention=True), ValueError,
     "Argument `flash_attention=True` of dot_product_attention is not available"),
    (lambda: ops.dot_product_attention(*[jnp.ones((1, 2, 1, 2))] * 3, attn_logits_soft_cap=5.0), ValueError,
     "Argument `attn_logits_soft_cap` of dot_product_attention is only supported by Keras on TPU"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_softmax_warns_over_a_single_class_as_keras():
    with pytest.warns(UserWarning, match="softmax over axis -1 of a tensor of shape .3, 1.: the axis has size 1"):
        ops.softmax(jnp.ones((3, 1)))


def test_one_hot_of_float_ids_matches_keras_without_jax_deprecation_warning():
    """keras.io's guides one-hot float labels (`ops.one_hot(y_train, 10)` with float32 `y_train`); Keras computes
    them through jax.nn.one_hot (which warns); kerasish gives the same values without the warning (an error here)."""
    labels = np.array([[0.0, 2.0, 5.0], [1.5, 1.0, -1.0]], "float32")
    for kwargs in ({}, {"axis": 0, "dtype": "int32"}, {"axis": 1}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            expected = keras.ops.one_hot(labels, 4, **kwargs)
        actual = ops.one_hot(labels, 4, **kwargs)
        assert actual.dtype == expected.dtype
        np.testing.assert_array_equal(actual, expected)
