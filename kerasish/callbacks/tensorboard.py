"""`TensorBoard`: Keras's TensorBoard callback, writing event files with tensorboardX (no TensorFlow needed).

The files are laid out and tagged as Keras 3 writes them, so a TensorBoard dashboard or a script that
reads Keras's logs reads kerasish's the same way::

    log_dir/
      train/        epoch_loss, epoch_<metric>, epoch_learning_rate, epoch_steps_per_second (step: epoch),
                    batch_loss, batch_<metric>, batch_steps_per_second (step: global batch, 1-based),
                    <model>/<layer>/<weight>/histogram and /image (step: epoch), the model's config
                    ("keras", plugin graph_keras_model), profiler traces (plugins/profile/)
      validation/   epoch_loss, epoch_<metric> (step: epoch; the `val_` prefix dropped),
                    evaluation_<name>_vs_iterations (step: optimizer iterations)
"""

from __future__ import annotations

import itertools
import json
import numbers
import os
import time
import warnings
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np
from flax import nnx

from kerasish import backend
from kerasish.callbacks.callback import Callback
from kerasish.layers.base import Layer
from kerasish.layers.embedding import Embedding

_FILE_NUMBERS = itertools.count()
_FLUSH_SECONDS = 10  # how often the writer's thread puts pending events on disk during a run (TensorFlow's default)
_PROFILE_MESSAGE = ("Argument `profile_batch` of TensorBoard must be a non-negative integer, a pair (start, stop) "
                    "of positive integers with start <= stop, or a string 'start,stop'; received "
                    "profile_batch={!r}.")


def _summary_writer_class():
    try:
        from tensorboardX import SummaryWriter
    except ImportError as err:
        raise ImportError('The TensorBoard callback writes its event files with tensorboardX: '
                          'pip install "kerasish[tensorboard]" (or pip install tensorboardX).') from err
    return SummaryWriter


def _check_freq(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"Argument `{name}` of TensorBoard must be an int >= 0 (epochs; 0 turns it off), received "
                         f"{name}={value!r}.")
    return int(value)


def _check_update_freq(update_freq: Any) -> str | int:
    if update_freq == "batch":
        return 1
    if update_freq == "epoch":
        return "epoch"
    if isinstance(update_freq, bool) or not isinstance(update_freq, numbers.Integral) or update_freq < 1:
        raise ValueError(f"Argument `update_freq` of TensorBoard must be 'epoch', 'batch' or an int >= 1 (batches), "
                         f"received update_freq={update_freq!r}.")
    return int(update_freq)


def _check_profile_batch(profile_batch: Any) -> tuple[int, int]:
    value = profile_batch
    if isinstance(value, str):
        try:
            value = [int(part) for part in value.split(",")]
        except ValueError:
            raise ValueError(_PROFILE_MESSAGE.format(profile_batch)) from None
        value = value[0] if len(value) == 1 else value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        start = stop = int(value)
    elif (isinstance(value, (tuple, list)) and len(value) == 2
          and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value)):
        start, stop = int(value[0]), int(value[1])
    else:
        raise ValueError(_PROFILE_MESSAGE.format(profile_batch))
    if start < 0 or stop < start or (start == 0 and stop > 0):
        raise ValueError(_PROFILE_MESSAGE.format(profile_batch))
    return start, stop


def weight_tags(model) -> list[tuple[str, Any]]:
    """`(path, variable)` for every weight of every layer of `model.layers`, with Keras's variable paths.

    A path joins the model's name, the names of the layers on the way and the weight's attribute name,
    as Keras 3's `variable.path` (`"sequential/dense/kernel"`); a `:` would be replaced by `_`.

    Args:
      model: a built kerasish model.

    Returns:
      A list of `(path, nnx.Variable)`, in `model.layers` order and each layer's `weights` order.

    Example:
      >>> import kerasish as ks
      >>> model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, name="out")], name="net")
      >>> [path for path, _ in weight_tags(model)]
      ['net/out/kernel', 'net/out/bias']
    """
    tags = []
    for layer in model.layers:
        names: dict[int, str] = {}
        layer_names = {path: node.name for path, node in nnx.iter_graph(layer) if isinstance(node, Layer)}
        for path, node in nnx.iter_graph(layer):
            if not isinstance(node, nnx.Variable):
                continue
            owners = [p for p in layer_names if path[:len(p)] == p]
            inner = max(owners, key=len)
            names[id(node)] = "/".join([model.name] + [layer_names[p] for p in sorted(owners, key=len)]
                                       + [str(part) for part in path[len(inner):]])
        for weight in layer.weights:
            tags.append((names.get(id(weight), f"{model.name}/{layer.name}/weight").replace(":", "_"), weight))
    return tags


def weight_image(weight: np.ndarray) -> np.ndarray | None:
    """A weight as a batch of grey images `(N, H, W, 1)`, as Keras's TensorBoard draws it; None if it cannot.

    A bias `(n,)` is one `n x 1` image (a column), a kernel `(a, b)` one image with the longer side as the width, a
    3-D (channels-last) convolution kernel one image per output channel; other ranks are not drawn.

    Example:
      >>> weight_image(np.zeros((5, 2))).shape
      (1, 2, 5, 1)
    """
    image = np.squeeze(np.asarray(weight, dtype=np.float32))
    shape = image.shape
    if len(shape) == 1:
        image = image.reshape(1, shape[0], 1, 1)
    elif len(shape) == 2:
        if shape[0] > shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif len(shape) == 3:
        if backend.image_data_format() == "channels_last":
            image = np.transpose(image, (2, 0, 1))
        image = image.reshape(image.shape[0], image.shape[1], image.shape[2], 1)
    if image.ndim == 4 and image.shape[-1] in (1, 3, 4):
        return image
    return None


class TensorBoard(Callback):
    """Writes what `fit` and `evaluate` log as TensorBoard event files, as Keras 3's TensorBoard does.

    Written (see the module docstring for the folders and tags): the epoch logs of the training data to
    `log_dir/train` and of the validation data to `log_dir/validation` as `epoch_<key>` scalars (step: the
    0-based epoch), with the learning rate (`epoch_learning_rate`); every `update_freq` batches the
    running batch logs as `batch_<key>` (step: the batch count of this `fit`, from 1); at the end of
    every evaluation (validation inside `fit`, or `evaluate(callbacks=[...])`) `evaluation_<key>_vs_iterations`
    (step: the optimizer's iterations); every `histogram_freq` epochs a histogram (and with
    `write_images` an image) of each weight; with `write_graph` the model's configuration, which
    TensorBoard's graph dashboard draws as a graph of layers.

    Batch-level writing does not make `fit` run one step per dispatch: dispatches of fused steps
    (`steps_per_execution`) are cut at the batches that are written (every `update_freq`-th) and at the
    ends of the profiled range, so each write sees the logs of exactly the batch Keras writes.

    Profiling (`profile_batch`) records a `jax.profiler` trace of the given batches into
    `log_dir/train/plugins/profile/`, which TensorBoard's profile plugin (`pip install tensorboard-plugin-profile`)
    and Perfetto open. Embeddings (`embeddings_freq`) are written for TensorBoard's projector: each
    `Embedding` layer's matrix, with the labels of `embeddings_metadata`.

    The event files are written with tensorboardX (`pip install "kerasish[tensorboard]"`), imported only
    when the callback is constructed; TensorFlow is not needed.

    Args:
      log_dir: the folder of the run's event files (created if missing); one folder per run.
      histogram_freq: every how many epochs (from epoch 0) to write weight histograms; 0: never.
      write_graph: write the model's configuration (Sequential and functional models) at the start of
        `fit`, for TensorBoard's graph dashboard.
      write_images: with `histogram_freq`, also write each weight as an image.
      write_steps_per_second: also write the training steps per second, per epoch (`epoch_steps_per_second`)
        and, with a batch `update_freq`, per written batch (`batch_steps_per_second`).
      update_freq: `"epoch"`: scalars once per epoch; `"batch"` (= 1) or an int N: also the batch logs
        every N batches.
      profile_batch: 0 (no profiling), a batch number (1-based, counted over the `fit`), a pair
        `(start, stop)` or a string `"start,stop"`: the range of batches to trace.
      embeddings_freq: every how many epochs to write the embeddings; 0: never.
      embeddings_metadata: a file of labels (one per line, one per row of the embedding matrix) for
        every Embedding layer, or a dict `{layer name: file}`.

    Raises:
      ImportError: if tensorboardX is not installed.
      ValueError / TypeError: for an invalid argument; during `fit`, for an `embeddings_metadata` dict
        naming a layer that is not an Embedding layer of the model.

    Example:
      >>> import tempfile
      >>> tensorboard = TensorBoard(log_dir=tempfile.mkdtemp(), histogram_freq=1, update_freq=10)
    """

    batch_hooks_may_be_grouped = True  # batch_ends_needed cuts dispatches where a batch is written

    def __init__(self, log_dir: str | os.PathLike = "logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False, update_freq: str | int = "epoch",
                 profile_batch: int | str | tuple[int, int] = 0, embeddings_freq: int = 0,
                 embeddings_metadata: str | dict[str, str] | None = None) -> None:
        super().__init__()
        self._writer_class = _summary_writer_class()
        if not isinstance(log_dir, (str, os.PathLike)):
            raise TypeError(f"Argument `log_dir` of TensorBoard must be a folder path, received log_dir={log_dir!r}.")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = _check_freq("histogram_freq", histogram_freq)
        for name, value in (("write_graph", write_graph), ("write_images", write_images),
                            ("write_steps_per_second", write_steps_per_second)):
            if not isinstance(value, bool):
                raise TypeError(f"Argument `{name}` of TensorBoard must be True or False, received {name}={value!r}.")
        self.write_graph, self.write_images = write_graph, write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = _check_update_freq(update_freq)
        self._start_batch, self._stop_batch = _check_profile_batch(profile_batch)
        self._should_trace = self._stop_batch > 0
        self.embeddings_freq = _check_freq("embeddings_freq", embeddings_freq)
        if embeddings_metadata is not None and not isinstance(embeddings_metadata, (str, os.PathLike, dict)):
            raise TypeError(f"Argument `embeddings_metadata` of TensorBoard must be None, a file path or a dict "
                            f"{{layer name: file path}}, received embeddings_metadata={embeddings_metadata!r}.")
        self.embeddings_metadata = embeddings_metadata
        self._writers: dict[str, Any] = {}
        self._global_train_batch = 0  # batches of this fit, as Keras counts them (from 1)
        self._epoch_offset = 0  # batches of this fit before the running epoch
        self._iterations_seen = 0  # every train batch this callback has seen (if the optimizer counts none)
        self._epoch_start_iterations = 0
        self._epoch_start_time = 0.0
        self._dispatch_start = (0, 0.0)  # (global batch, time) at the start of the running dispatch
        self._is_tracing = False
        self._trace_annotation = None
        self._in_fit = False

    @property
    def reads_weights_during_training(self) -> bool:
        return bool(self.histogram_freq or self.embeddings_freq)

    def _overrides(self, hook: str) -> bool:
        if hook == "on_train_batch_begin":
            return self._should_trace or (self.write_steps_per_second and self.update_freq != "epoch")
        return super()._overrides(hook)

    # -- writers ----------------------------------------------------------------------------------

    def _writer(self, name: str):
        """The writer of `log_dir/train` or `log_dir/validation`, opened when first written to."""
        if name not in self._writers:
            # The process id and a counter in the file name, as TensorFlow's writers have: two fits in the
            # same second write two files, not one over the other.
            self._writers[name] = self._writer_class(os.path.join(self.log_dir, name), flush_secs=_FLUSH_SECONDS,
                                                     filename_suffix=f".{os.getpid()}.{next(_FILE_NUMBERS)}.v2")
        return self._writers[name]

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def set_model(self, model) -> None:
        self._close_writers()  # a new fit or evaluate: new event files, as Keras's set_model resets them
        super().set_model(model)

    def _scalars(self, writer_name: str, tags: Mapping[str, Any], step: int) -> None:
        writer = self._writer(writer_name)
        for tag, value in tags.items():
            number = _as_scalar(value)
            if number is not None:
                writer.add_scalar(tag, number, step)

    # -- hooks ------------------------------------------------------------------------------------

    def on_train_begin(self, logs=None) -> None:
        self._in_fit = True
        self._global_train_batch = self._epoch_offset = 0
        self._writer("train")  # the train folder exists from the start, as with Keras
        if self.write_graph:
            self._write_model_config()
        if self.embeddings_freq:
            self._embedding_layers()  # check `embeddings_metadata` before training, not at the first write

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._epoch_offset = self._global_train_batch
        self._epoch_start_iterations = self._iterations()
        self._epoch_start_time = time.perf_counter()

    def batch_ends_needed(self, first: int, steps: int) -> list[int]:
        """The batches of this epoch whose logs are written, and the ends of the profiled range."""
        offset = self._epoch_offset
        ends = set()
        if self.update_freq != "epoch":
            n = self.update_freq
            # global batch g = offset + b + 1 is written when g % n == 0
            ends.update(range((-(offset + 1)) % n, steps, n))
        if self._should_trace:
            ends.update((self._start_batch - offset - 2, self._stop_batch - offset - 1))
        return sorted(b for b in ends if first <= b < steps)

    def on_train_batch_begin(self, batch: int, logs=None) -> None:
        global_batch = self._epoch_offset + batch + 1
        self._dispatch_start = (global_batch, time.perf_counter())
        if self._should_trace and global_batch == self._start_batch and not self._is_tracing:
            jax.profiler.start_trace(os.path.join(self.log_dir, "train"))
            self._is_tracing = True
        if self._is_tracing:
            self._trace_annotation = jax.profiler.TraceAnnotation(f"Profiled batch {batch}")
            self._trace_annotation.__enter__()

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        global_batch = self._epoch_offset + batch + 1
        self._iterations_seen += global_batch - self._global_train_batch
        self._global_train_batch = global_batch
        if self.update_freq != "epoch" and global_batch % self.update_freq == 0:
            values = dict(logs) if isinstance(logs, Mapping) else {}  # reads (and waits for) the device
            if self.write_steps_per_second:
                first, started = self._dispatch_start
                elapsed = time.perf_counter() - started
                if elapsed > 0 and first <= global_batch:
                    values["steps_per_second"] = (global_batch - first + 1) / elapsed
            self._scalars("train", {f"batch_{name}": value for name, value in values.items()}, global_batch)
        if self._is_tracing:
            if self._trace_annotation is not None:
                self._trace_annotation.__exit__(None, None, None)
                self._trace_annotation = None
            if global_batch >= self._stop_batch:
                self._stop_trace()

    def on_test_end(self, logs=None) -> None:
        if getattr(self.model, "optimizer", None) is None or not logs:
            return
        step = self._iterations()
        self._scalars("validation", {f"evaluation_{name}_vs_iterations": value for name, value in logs.items()}, step)
        if not self._in_fit:
            self._close_writers()  # `evaluate` has no later hook: its events must be on disk when it returns

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)

    def on_train_end(self, logs=None) -> None:
        if self._is_tracing:
            self._stop_trace()
        self._close_writers()  # closing is what puts every pending event on disk
        self._in_fit = False

    # -- what is written --------------------------------------------------------------------------

    def _iterations(self) -> int:
        """The optimizer's step count (Keras's `optimizer.iterations`), else the train batches seen."""
        iterations = getattr(getattr(self.model, "optimizer", None), "iterations", None)
        if iterations is not None:
            try:
                return int(np.asarray(getattr(iterations, "value", iterations)))
            except (TypeError, ValueError):
                pass
        return self._iterations_seen

    def _learning_rate(self) -> float | None:
        rate = getattr(getattr(self.model, "optimizer", None), "learning_rate", None)
        if rate is None or callable(rate):
            return None
        try:
            return float(np.asarray(rate))
        except (TypeError, ValueError):
            return None

    def _log_epoch_metrics(self, epoch: int, logs: Mapping[str, Any]) -> None:
        if not logs:
            return
        train = {key: value for key, value in logs.items() if not key.startswith("val_")}
        validation = {key[4:]: value for key, value in logs.items() if key.startswith("val_")}
        rate = self._learning_rate()
        if rate is not None:
            train["learning_rate"] = rate
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._epoch_start_time
            if elapsed > 0:
                train["steps_per_second"] = (self._iterations() - self._epoch_start_iterations) / elapsed
        if train:
            self._scalars("train", {f"epoch_{name}": value for name, value in train.items()}, epoch)
        if validation:
            self._scalars("validation", {f"epoch_{name}": value for name, value in validation.items()}, epoch)

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for path, weight in weight_tags(self.model):
            values = np.asarray(weight[...], dtype=np.float32)
            writer.add_histogram(f"{path}/histogram", values, epoch)
            if self.write_images:
                image = weight_image(values)
                if image is not None:
                    writer.add_images(f"{path}/image", _to_unit_range(image), epoch, dataformats="NHWC")
        writer.flush()

    def _write_model_config(self) -> None:
        """The model's configuration as JSON under the tag "keras" (TensorBoard's graph_keras_model plugin)."""
        from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
        from tensorboardX.proto.tensor_pb2 import TensorProto
        from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto

        if not _has_layer_graph(self.model):
            return  # as Keras: only Sequential and functional models have a graph of layers to draw
        try:
            text = self.model.to_json() if hasattr(self.model, "to_json") else json.dumps(
                {"class_name": type(self.model).__name__, "config": self.model.get_config()})
        except Exception as err:  # noqa: BLE001 - as Keras: a model that cannot be described is not drawn
            warnings.warn(f"TensorBoard could not write the model's configuration (write_graph=True): {err}",
                          stacklevel=2)
            return
        metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="graph_keras_model",
                                                                           content=b"1"))
        tensor = TensorProto(dtype="DT_STRING", string_val=[text.encode()], tensor_shape=TensorShapeProto())
        summary = Summary(value=[Summary.Value(tag="keras", metadata=metadata, tensor=tensor)])
        self._writer("train").file_writer.add_summary(summary, global_step=0)

    def _embedding_layers(self) -> list[tuple[Any, str | None]]:
        """`(layer, metadata file or None)` for each Embedding layer of the model."""
        layers = [layer for layer in self.model.layers if isinstance(layer, Embedding)]
        metadata = self.embeddings_metadata
        if isinstance(metadata, dict):
            unknown = sorted(set(metadata) - {layer.name for layer in layers})
            if unknown:
                raise ValueError(f"Argument `embeddings_metadata` of TensorBoard names {unknown}, which are not "
                                 f"Embedding layers of the model; its Embedding layers are "
                                 f"{[layer.name for layer in layers]}.")
            return [(layer, metadata.get(layer.name)) for layer in layers]
        return [(layer, None if metadata is None else os.fspath(metadata)) for layer in layers]

    def _log_embeddings(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer, metadata_file in self._embedding_layers():
            matrix = np.asarray(layer.weights[0][...], dtype=np.float32)
            labels = None
            if metadata_file is not None:
                path = metadata_file if os.path.isabs(metadata_file) else os.path.join(self.log_dir, metadata_file)
                with open(path, encoding="utf-8") as f:
                    labels = [line.rstrip("\n") for line in f]
                if len(labels) != matrix.shape[0]:
                    raise ValueError(f"The embeddings metadata file {path!r} of layer '{layer.name}' has "
                                     f"{len(labels)} lines, but the embedding matrix has {matrix.shape[0]} rows "
                                     f"(one label per row is needed).")
            writer.add_embedding(matrix, metadata=labels, tag=layer.name, global_step=epoch)

    def _stop_trace(self) -> None:
        if self._trace_annotation is not None:
            self._trace_annotation.__exit__(None, None, None)
            self._trace_annotation = None
        jax.profiler.stop_trace()
        self._is_tracing = False

    def __repr__(self) -> str:
        return (f"TensorBoard(log_dir={self.log_dir!r}, histogram_freq={self.histogram_freq}, "
                f"update_freq={self.update_freq!r})")


def _has_layer_graph(model) -> bool:
    """Whether `model` is a Sequential or a functional model (a subclassed model has no symbolic inputs)."""
    if type(model).__name__ in ("Sequential", "Functional"):
        return True
    try:
        return bool(model.inputs)
    except (AttributeError, ValueError):
        return False


def _as_scalar(value: Any) -> float | None:
    """A log value as a float; None for what is not one scalar (e.g. a per-class metric array)."""
    if isinstance(value, numbers.Real):
        return float(value)
    array = np.asarray(value)
    if array.size == 1 and array.dtype.kind in "biuf":
        return float(array.reshape(()))
    return None


def _to_unit_range(image: np.ndarray) -> np.ndarray:
    """Weights scaled to [0, 1] per image (tensorboardX writes floats as 0..1 intensities)."""
    low = image.min(axis=(1, 2, 3), keepdims=True)
    span = image.max(axis=(1, 2, 3), keepdims=True) - low
    return (image - low) / np.where(span > 0, span, 1.0)
