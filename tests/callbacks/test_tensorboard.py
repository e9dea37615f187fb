"""TensorBoard: the event files of a short fit, read back with the tensorboard package's own event reader.

Tags, folders and steps are Keras 3's (keras/src/callbacks/tensorboard.py); the values are the fit's logs;
the weight tags are the Keras twin's `variable.path`s.
"""

import json
import os
import sys

import numpy as np
import pytest

import kerasish as ks
from kerasish.callbacks import Callback, LambdaCallback
from kerasish.callbacks.tensorboard import TensorBoard, weight_image

pytest.importorskip("tensorboardX")
event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")

EPOCHS, STEPS = 3, 4  # 32 samples in batches of 8


def read(folder):
    """Every event of a run folder, as the TensorBoard server loads them."""
    events = event_accumulator.EventAccumulator(
        str(folder), size_guidance={"scalars": 0, "histograms": 0, "images": 0, "tensors": 0})
    events.Reload()
    return events


def scalars(events, tag):
    return [(e.step, e.value) for e in events.Scalars(tag)]


class DispatchEnds(Callback):
    """Records the batch that ends each dispatch, without asking for every batch."""

    batch_hooks_may_be_grouped = True

    def __init__(self):
        super().__init__()
        self.ends = []

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append(batch)


@pytest.fixture(scope="module")
def net():
    """A named MLP compiled with 4 steps per dispatch, its initial weights, and data (32 train, 16 validation)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) > 0).astype(np.float32)
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((3,)), ks.layers.Dense(4, activation="relu", name="hidden"),
                           ks.layers.Dense(1, activation="sigmoid", name="out")], name="net")
    model.compile(optimizer=ks.optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"],
                  steps_per_execution=4)
    return model, model.get_weights(), x, y


def fit(net, callbacks, epochs=EPOCHS, **kwargs):
    model, initial, x, y = net
    model.set_weights(initial)
    return model.fit(x[:32], y[:32], batch_size=8, epochs=epochs, validation_data=(x[32:], y[32:]), shuffle=False,
                     verbose=0, callbacks=callbacks, **kwargs)


@pytest.fixture(scope="module")
def epoch_run(net, tmp_path_factory):
    """One fit with the defaults plus histograms and images: (log_dir, History)."""
    log_dir = tmp_path_factory.mktemp("tb") / "logs"
    history = fit(net, [TensorBoard(log_dir, histogram_freq=2, write_images=True)])
    return log_dir, history.history


def test_epoch_scalars_are_kerass_tags_steps_and_the_logs(epoch_run):
    log_dir, history = epoch_run
    assert sorted(os.listdir(log_dir)) == ["train", "validation"]
    train, validation = read(log_dir / "train"), read(log_dir / "validation")
    assert set(train.Tags()["scalars"]) == {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"}
    assert set(validation.Tags()["scalars"]) == {"epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations",
                                                "evaluation_accuracy_vs_iterations"}
    for events, prefix in ((train, ""), (validation, "val_")):
        for name in ("loss", "accuracy"):
            steps, values = zip(*scalars(events, f"epoch_{name}"))
            assert steps == tuple(range(EPOCHS))
            np.testing.assert_allclose(values, history[prefix + name], rtol=1e-6)
    assert [v for _, v in scalars(train, "epoch_learning_rate")] == pytest.approx([0.1] * EPOCHS)
    # evaluated at the end of each epoch, at the optimizer's iteration count
    steps, values = zip(*scalars(validation, "evaluation_loss_vs_iterations"))
    assert steps == (4, 8, 12)
    np.testing.assert_allclose(values, history["val_loss"], rtol=1e-6)
    assert not any(tag.startswith("batch_") for tag in train.Tags()["scalars"])  # update_freq="epoch"


def test_weight_histograms_and_images_have_kerass_paths(epoch_run, net):
    keras = pytest.importorskip("keras")
    log_dir, _ = epoch_run
    twin = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="hidden"),
                             keras.layers.Dense(1, name="out")], name="net")
    paths = [w.path for layer in twin.layers for w in layer.weights]
    train = read(log_dir / "train")
    assert train.Tags()["histograms"] == [f"{p}/histogram" for p in paths]
    # epochs 0 and 2 (histogram_freq=2); the last one holds the final weights
    assert [e.step for e in train.Histograms("net/out/kernel/histogram")] == [0, 2]
    kernel = net[0].get_weights()[2]
    last = train.Histograms("net/out/kernel/histogram")[-1].histogram_value
    assert last.num == kernel.size
    np.testing.assert_allclose([last.min, last.max, last.sum], [kernel.min(), kernel.max(), kernel.sum()], rtol=1e-5)
    # a bias of one value squeezes to a scalar, which Keras does not draw as an image
    assert train.Tags()["images"] == ["net/hidden/kernel/image", "net/hidden/bias/image", "net/out/kernel/image"]
    image = train.Images("net/hidden/kernel/image")[0]
    assert (image.width, image.height) == (4, 3)


def test_model_config_is_written_for_the_graph_dashboard(epoch_run, net):
    train = read(epoch_run[0] / "train")
    assert train.Tags()["tensors"] == ["keras"]
    (event,) = train.Tensors("keras")
    assert event.step == 0
    assert train.SummaryMetadata("keras").plugin_data.plugin_name == "graph_keras_model"
    config = json.loads(event.tensor_proto.string_val[0])
    assert config["class_name"] == "Sequential"


def test_write_graph_false_writes_no_config(net, tmp_path):
    fit(net, [TensorBoard(tmp_path, write_graph=False)], epochs=1)
    assert read(tmp_path / "train").Tags()["tensors"] == []


def _batch_logs_one_step_at_a_time(net):
    """The running logs after each batch (global count from 1), from a fit forced to one step per dispatch."""
    seen = {}
    record = LambdaCallback(on_train_batch_end=lambda batch, logs: seen.setdefault(len(seen) + 1, dict(logs)))
    fit(net, [record])
    return seen


def test_batch_logs_every_n_batches_without_one_step_per_dispatch(net, tmp_path):
    expected = _batch_logs_one_step_at_a_time(net)
    ends = DispatchEnds()
    fit(net, [TensorBoard(tmp_path, update_freq=3), ends])
    train = read(tmp_path / "train")
    for name in ("loss", "accuracy"):
        steps, values = zip(*scalars(train, f"batch_{name}"))
        assert steps == (3, 6, 9, 12)  # global batches, as Keras counts them (from 1, across epochs)
        np.testing.assert_allclose(values, [expected[s][name] for s in steps], rtol=1e-6)
    # dispatches of 4 steps are cut only where a batch is written: after global batches 3, 6 and 9
    assert ends.ends == [2, 3, 1, 3, 0, 3]


def test_update_freq_batch_writes_every_batch(net, tmp_path):
    fit(net, [TensorBoard(tmp_path, update_freq="batch", write_steps_per_second=True)], epochs=2)
    train = read(tmp_path / "train")
    assert [s for s, _ in scalars(train, "batch_loss")] == list(range(1, 2 * STEPS + 1))
    assert [s for s, _ in scalars(train, "batch_steps_per_second")] == list(range(1, 2 * STEPS + 1))
    assert [s for s, _ in scalars(train, "epoch_steps_per_second")] == [0, 1]
    assert all(v > 0 for _, v in scalars(train, "batch_steps_per_second") + scalars(train, "epoch_steps_per_second"))


def test_profile_batch_writes_a_jax_trace_of_its_batches(net, tmp_path):
    ends = DispatchEnds()
    fit(net, [TensorBoard(tmp_path, profile_batch="2,3"), ends], epochs=1)
    traces = list((tmp_path / "train" / "plugins" / "profile").glob("*/*.xplane.pb"))
    assert len(traces) == 1 and traces[0].stat().st_size > 0
    assert ends.ends == [0, 2, 3]  # batches 2-3 (1-based) run in a dispatch of their own


def test_evaluate_writes_evaluation_scalars(net, tmp_path):
    model, _, x, y = net
    fit(net, [], epochs=1)
    logs = model.evaluate(x[32:], y[32:], verbose=0, return_dict=True, callbacks=[TensorBoard(tmp_path)])
    validation = read(tmp_path / "validation")
    assert set(validation.Tags()["scalars"]) == {"evaluation_loss_vs_iterations", "evaluation_accuracy_vs_iterations"}
    ((step, value),) = scalars(validation, "evaluation_loss_vs_iterations")
    assert value == pytest.approx(logs["loss"], rel=1e-6)


def test_a_second_fit_starts_new_files_and_counts_batches_again(net, tmp_path):
    board = TensorBoard(tmp_path, update_freq=STEPS)
    fit(net, [board], epochs=1)
    fit(net, [board], epochs=1)
    assert len(os.listdir(tmp_path / "train")) == 2  # one event file per fit
    assert [s for s, _ in scalars(read(tmp_path / "train"), "batch_loss")] == [STEPS, STEPS]


def test_embeddings_are_written_for_the_projector(tmp_path):
    (tmp_path / "labels.tsv").write_text("".join(f"word{i}\n" for i in range(10)))
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((2,), dtype="int32"), ks.layers.Embedding(10, 3, name="words"),
                           ks.layers.Flatten(), ks.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.arange(16, dtype=np.int32).reshape(8, 2) % 10
    model.fit(x, np.zeros((8, 1), np.float32), epochs=1, verbose=0,
              callbacks=[TensorBoard(tmp_path, embeddings_freq=1, embeddings_metadata={"words": "labels.tsv"})])
    config = (tmp_path / "train" / "projector_config.pbtxt").read_text()
    assert 'tensor_name: "words:00000"' in config
    (tensors,) = (tmp_path / "train").glob("*/words/tensors.tsv")
    np.testing.assert_allclose(np.loadtxt(tensors), model.get_layer("words").get_weights()[0], rtol=1e-5)
    (labels,) = (tmp_path / "train").glob("*/words/metadata.tsv")
    assert labels.read_text().split() == [f"word{i}" for i in range(10)]


def test_embeddings_metadata_must_name_embedding_layers(net, tmp_path):
    with pytest.raises(ValueError, match=r"names \['nope'\], which are not Embedding layers"):
        fit(net, [TensorBoard(tmp_path, embeddings_freq=1, embeddings_metadata={"nope": "a.tsv"})], epochs=1)


def test_embeddings_metadata_needs_one_label_per_row(tmp_path):
    (tmp_path / "labels.tsv").write_text("a\nb\n")
    model = ks.Sequential([ks.Input((1,), dtype="int32"), ks.layers.Embedding(5, 2), ks.layers.Flatten()])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="has 2 lines, but the embedding matrix has 5 rows"):
        model.fit(np.zeros((4, 1), np.int32), np.zeros((4, 2), np.float32), epochs=1, verbose=0,
                  callbacks=[TensorBoard(tmp_path, embeddings_freq=1, embeddings_metadata="labels.tsv")])


def test_hooks_accept_none_and_dict_logs(tmp_path):
    class Model:
        optimizer = None
        layers = []
        name = "m"

    board = TensorBoard(tmp_path, write_graph=False, update_freq=1)
    board.set_model(Model())
    for logs in (None, {}):
        board.on_train_begin(logs)
        board.on_epoch_begin(0, logs)
        board.on_train_batch_end(0, logs)
        board.on_test_begin(logs)
        board.on_test_end(logs)
        board.on_epoch_end(0, logs)
        board.on_train_end(logs)
    assert read(tmp_path / "train").Tags()["scalars"] == []


def test_weight_image_layouts():
    assert weight_image(np.zeros(3)).shape == (1, 3, 1, 1)  # a bias: one column
    assert weight_image(np.zeros((2, 5))).shape == (1, 2, 5, 1)
    assert weight_image(np.zeros((3, 3, 4))).shape == (4, 3, 3, 1)  # channels last: one image per channel
    assert weight_image(np.zeros((3, 3, 2, 5))) is None  # a 2-D convolution kernel is not drawn, as in Keras...
    assert weight_image(np.zeros((3, 3, 2, 4))).shape == (3, 3, 2, 4)  # ...unless its last axis reads as colours


@pytest.mark.parametrize("kwargs, error, match", [
    ({"log_dir": 3}, TypeError, r"`log_dir` of TensorBoard must be a folder path, received log_dir=3"),
    ({"histogram_freq": -1}, ValueError, r"`histogram_freq` of TensorBoard must be an int >= 0 .*histogram_freq=-1"),
    ({"embeddings_freq": 0.5}, ValueError, r"`embeddings_freq` .* received embeddings_freq=0.5"),
    ({"write_images": "yes"}, TypeError, r"`write_images` of TensorBoard must be True or False, received "
                                         r"write_images='yes'"),
    ({"update_freq": "step"}, ValueError, r"`update_freq` of TensorBoard must be 'epoch', 'batch' or an int >= 1 "
                                          r"\(batches\), received update_freq='step'"),
    ({"update_freq": 0}, ValueError, r"update_freq=0"),
    ({"profile_batch": (5, 2)}, ValueError, r"`profile_batch` of TensorBoard .* received profile_batch=\(5, 2\)"),
    ({"profile_batch": (0, 3)}, ValueError, r"profile_batch=\(0, 3\)"),
    ({"profile_batch": "a,b"}, ValueError, r"profile_batch='a,b'"),
    ({"profile_batch": -1}, ValueError, r"profile_batch=-1"),
    ({"embeddings_metadata": 3}, TypeError, r"`embeddings_metadata` of TensorBoard must be None, a file path or a "
                                            r"dict .* received embeddings_metadata=3"),
])
def test_invalid_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        TensorBoard(**kwargs)


def test_missing_tensorboardx_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ImportError, match=r'pip install "kerasish\[tensorboard\]"'):
        TensorBoard("logs")


def test_a_subclassed_model_gets_histograms_but_no_graph(tmp_path):
    class Net(ks.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.dense = ks.layers.Dense(1, name="d")

        def call(self, x, training=False):
            return self.dense(x)

    model = Net()
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 2), np.float32), np.ones((4, 1), np.float32), epochs=1, verbose=0,
              callbacks=[TensorBoard(tmp_path, histogram_freq=1)])
    train = read(tmp_path / "train")
    assert train.Tags()["tensors"] == []  # as Keras: only Sequential and functional models are drawn
    assert train.Tags()["histograms"] == ["sub/d/kernel/histogram", "sub/d/bias/histogram"]
