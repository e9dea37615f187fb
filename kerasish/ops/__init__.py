"""`kerasish.ops`: Keras 3's `keras.ops`, with the same names, arguments, defaults and results, on JAX.

Every op is available flat (`ops.matmul`, `ops.relu`, `ops.cond`) and in its namespace as in Keras:
`ops.numpy`, `ops.nn`, `ops.math`, `ops.linalg`, `ops.image` (only there, as in Keras), `ops.core`.
Ops take JAX arrays, NumPy arrays, Python numbers and weights (`flax.nnx.Variable`) and return JAX
arrays, so they run eagerly and inside compiled functions alike. Applied to the functional API's symbolic
tensors (`ks.Input(...)` and what layers return), they return symbolic tensors and become part of the
model (see `kerasish.ops.dispatch`).

Example:
  >>> import jax.numpy as jnp
  >>> from kerasish import ops
  >>> x = jnp.array([[1.0, -2.0], [3.0, 4.0]])
  >>> ops.sum(ops.relu(x), axis=1).tolist(), ops.shape(x), ops.numpy.mean is ops.mean
  ([1.0, 7.0], (2, 2), True)
"""

from kerasish.ops import core, image, linalg, math, nn, numpy
from kerasish.ops.core import *  # noqa: F403
from kerasish.ops.einops import *  # noqa: F403
from kerasish.ops.linalg import *  # noqa: F403
from kerasish.ops.math import *  # noqa: F403
from kerasish.ops.nn import *  # noqa: F403
from kerasish.ops.numpy import *  # noqa: F403

__all__ = sorted({"rearrange", *core.__all__, *linalg.__all__, *math.__all__, *nn.__all__, *numpy.__all__}) + [
    "core", "image", "linalg", "math", "nn", "numpy"]
