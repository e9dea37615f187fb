"""Discretization: numbers to bucket indices by boundaries, given or learned from data by `adapt`.

`adapt` computes approximate quantiles with Keras's algorithm (a weighted summary of sorted values,
compressed to `1 / epsilon` points, merged batch by batch), so the learned boundaries equal Keras's. The
bucketing itself is `jnp.digitize` and also runs inside a compiled step.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

import kerasish.layers.checks as checks
from kerasish import registry
from kerasish.layers.base import Layer
from kerasish.layers.feature_preprocessing.encoding import encode
from kerasish.layers.feature_preprocessing.host import adapt_batches, prepare_call
from kerasish.shapes import Shape

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """A `(2, n)` summary of `values`: every `step`-th sorted value and its weight `step`, `step = max(size *
    epsilon, 1)` (Keras's `summarize`)."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(np.size(values) / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def compress_summary(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """The summary interpolated at the quantiles `epsilon, 2 epsilon, ..., 1`, when it has more points."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_percents, summary[0])
    cum_weights = np.interp(percents, cum_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


def merge_summaries(first: np.ndarray, second: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate((first, second), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return compress_summary(merged, epsilon)


def summary_to_plain(summary: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A summary as two tuples of Python floats: a NumPy array attribute would become a leaf of the layer's
    NNX state, a variable that Keras's layer does not have (it would show in `non_trainable_variables`)."""
    values, weights = np.asarray(summary, dtype="float32").reshape(2, -1).tolist()
    return tuple(values), tuple(weights)


def summary_from_plain(summary: tuple[tuple[float, ...], tuple[float, ...]]) -> np.ndarray:
    """The `(2, n)` float32 array of a summary kept by `summary_to_plain` (float32 values round-trip exactly)."""
    return np.asarray(summary, dtype="float32").reshape(2, -1)


def bin_boundaries_of(summary: np.ndarray, num_bins: int) -> np.ndarray:
    """The `num_bins - 1` inner boundaries of equal-mass bins of `summary`."""
    return compress_summary(summary, 1.0 / num_bins)[0, :-1]


class Discretization(Layer):
    """Buckets numbers by boundaries: with boundaries `[0., 1., 2.]`, values go to `(-inf, 0)` -> 0,
    `[0, 1)` -> 1, `[1, 2)` -> 2, `[2, inf)` -> 3.

    Args:
      bin_boundaries: the sorted boundaries; or None, then `num_bins` and `adapt(data)`.
      num_bins: how many (equal-mass) bins `adapt` learns; give this or `bin_boundaries`.
      epsilon: the error tolerance of `adapt`'s quantile summary (smaller: more exact, more memory).
      output_mode: "int" (default: the bucket index, int32), "one_hot", "multi_hot" or "count".
      sparse: must be False (JAX arrays are dense).
      dtype: the output float dtype of the encoded modes.
      name: the layer's name.

    Input shape: numbers, any shape. Output shape: the input shape ("int"); encoded as `CategoryEncoding`'s
    modes with `len(bin_boundaries) + 1` categories otherwise.

    Example:
      >>> import numpy as np
      >>> import kerasish as ks
      >>> layer = ks.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
      >>> layer(np.array([[-1.5, 1.0, 3.4, 0.5]])).tolist()
      [[0, 2, 3, 1]]
    """

    def __init__(self, bin_boundaries: Any = None, num_bins: int | None = None, epsilon: float = 0.01,
                 output_mode: str = "int", sparse: bool = False, dtype: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, dtype=dtype)
        if checks.boolean(sparse, "sparse", "Discretization"):
            raise ValueError("Argument `sparse=True` of Discretization needs sparse tensors (TensorFlow); JAX arrays "
                             "are dense: use sparse=False.")
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"Unknown value for `output_mode`. Allowed values are {list(OUTPUT_MODES)}. Received: "
                             f"output_mode={output_mode!r}")
        if num_bins is not None and (not checks.is_int(num_bins) or num_bins < 0):
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Both `num_bins` and `bin_boundaries` should not be set. Received: `num_bins={num_bins}` "
                             f"and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        if bin_boundaries is not None:
            values = np.asarray(bin_boundaries, dtype=np.float64)
            if values.ndim != 1 or (values.size > 1 and np.any(np.diff(values) < 0)):
                raise ValueError(f"Argument `bin_boundaries` of Discretization must be a sorted list of numbers, "
                                 f"received {bin_boundaries!r}.")
            bin_boundaries = values.tolist()
        self.bin_boundaries = bin_boundaries
        self.num_bins = None if num_bins is None else int(num_bins)
        self.epsilon = checks.number(epsilon, "epsilon", "Discretization", 0.0, 1.0, include_low=False)
        self.output_mode = output_mode
        self.sparse = False
        self.summary = None if bin_boundaries else ((), ())

    @property
    def input_dtype(self) -> str:
        return "float32"

    @property
    def output_dtype(self) -> str:
        return self.compute_dtype.name if self.output_mode != "int" else "int32"

    def __call__(self, x, *args: Any, **kwargs: Any):
        return super().__call__(prepare_call(self, x), *args, **kwargs)

    # -- adapt ---------------------------------------------------------------------------------

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learns `num_bins - 1` boundaries from `data`: an array (one dataset) or an iterable of batches
        (a list of arrays, a generator: at most `steps` of them).

        Raises:
          ValueError: if the layer was given `bin_boundaries`.
        """
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, "
                             "use `num_bins` instead.")
        self.reset_state()
        for batch in adapt_batches(data, None, steps, "Discretization.adapt", lists_are_data=False):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        data = np.array(data).astype("float32")
        merged = merge_summaries(summarize(data, self.epsilon), summary_from_plain(self.summary), self.epsilon)
        self.summary = summary_to_plain(merged)

    def finalize_state(self) -> None:
        if self.num_bins is None:
            return
        self.bin_boundaries = bin_boundaries_of(summary_from_plain(self.summary), self.num_bins).tolist()

    def reset_state(self) -> None:
        if self.num_bins is None:
            return
        self.summary = ((), ())

    # -- call ----------------------------------------------------------------------------------

    def _depth(self) -> int:
        return len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self._depth()
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        if len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return (depth,)

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at construction time or call "
                             "`adapt(dataset)` before you can start using the `Discretization` layer.")
        indices = jnp.digitize(jnp.asarray(inputs).astype(jnp.float32), jnp.asarray(self.bin_boundaries, jnp.float32))
        return encode(indices, self.output_mode, len(self.bin_boundaries) + 1, self.output_dtype)

    def rows_independent(self, training: bool) -> bool:
        one_sample = self.output_mode in ("multi_hot", "count") and self.input_shape is not None and len(
            self.input_shape) == 1
        return super().rows_independent(training) and not one_sample

    def get_config(self) -> dict[str, Any]:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name,
                "dtype": self.dtype_policy.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Discretization:
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            bin_boundaries = config.pop("bin_boundaries")  # learned by adapt: restored, and adapt still allowed
            layer = cls(**config)
            layer.bin_boundaries = bin_boundaries
            return layer
        return cls(**config)


registry.register_builtin("layers", Discretization)
