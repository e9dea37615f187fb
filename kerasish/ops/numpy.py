"""`keras.ops.numpy`: the NumPy-like ops, gathered from the modules that define them by concern.

- `elementwise`: arithmetic, comparisons, logic, bits, rounding, transcendental functions;
- `reductions`: sum, mean, max, argmax, sort, cumsum, quantiles, histogram, unique;
- `arrays`: creation (zeros, arange, eye, ...) and rearrangement (reshape, transpose, concatenate, pad, ...);
- `products`: matmul, dot, einsum, tensordot, outer, trace, diagonal, tril / triu;
- `indexing`: take, take_along_axis, get_item, select, where-like searches, isclose.

Example:
  >>> from kerasish.ops import numpy as knp
  >>> knp.sum(knp.reshape(knp.arange(6), (2, 3)), axis=0).tolist()
  [3, 5, 7]
"""

from kerasish.ops.arrays import *  # noqa: F403
from kerasish.ops.arrays import __all__ as _arrays
from kerasish.ops.elementwise import *  # noqa: F403
from kerasish.ops.elementwise import __all__ as _elementwise
from kerasish.ops.indexing import *  # noqa: F403
from kerasish.ops.indexing import __all__ as _indexing
from kerasish.ops.products import *  # noqa: F403
from kerasish.ops.products import __all__ as _products
from kerasish.ops.reductions import *  # noqa: F403
from kerasish.ops.reductions import __all__ as _reductions

__all__ = sorted({*_arrays, *_elementwise, *_indexing, *_products, *_reductions})
