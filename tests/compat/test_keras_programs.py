"""keras.io programs run with only the import changed (issue 17): `import keras` -> `import kerasish as keras`.

Each file in `programs/` is a keras.io guide or example as Keras 3 publishes it (the source and what was swapped
are at its top: offline data of the same shapes instead of a download, fewer samples and epochs). A test runs it on
kerasish and, where Keras 3 can run the same file (its import line turned back), compares what both computed:
printed log keys, parameter counts, shapes, losses going down. A program that does not run on kerasish yet is
marked `xfail(strict=True)` with what stops it; tests/compat/README.md lists every program tried.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

keras3 = pytest.importorskip("keras")

import kerasish  # noqa: E402

PROGRAMS = Path(__file__).parent / "programs"


def as_keras(source: str) -> str:
    """The program with its import lines turned back to Keras 3's (the one change the programs got)."""
    source = re.sub(r"^import kerasish as keras$", "import keras", source, flags=re.M)
    return re.sub(r"^from kerasish import ", "from keras import ", source, flags=re.M)


def run_program(name: str, library: str, workdir: Path) -> tuple[dict, str]:
    """Runs `programs/<name>.py` on kerasish or on Keras 3 (seeded, in `workdir`); returns its globals and what it
    printed. Keras's own warnings are silenced; kerasish's stay errors."""
    path = PROGRAMS / f"{name}.py"
    source = path.read_text()
    if library == "keras":
        source = as_keras(source)
        keras3.utils.set_random_seed(0)
    else:
        kerasish.utils.set_random_seed(0)
    np.random.seed(0)
    namespace = {"__name__": "__keras_program__", "__file__": str(path)}
    out = io.StringIO()
    cwd = os.getcwd()
    workdir.mkdir(parents=True, exist_ok=True)
    os.chdir(workdir)
    # A program may clear the global custom objects (the serialization guide does): the registrations other test
    # modules made when imported are put back afterwards, in both libraries.
    registries = [kerasish.saving.get_custom_objects(), keras3.saving.get_custom_objects()]
    saved = [dict(registry) for registry in registries]
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            if library == "keras":
                warnings.simplefilter("ignore")
            exec(compile(source, str(path), "exec"), namespace)
    except Exception as err:  # what the program printed before, for the test to read
        err.program_output = out.getvalue()
        raise
    finally:
        os.chdir(cwd)
        for registry, entries in zip(registries, saved):
            registry.clear()
            registry.update(entries)
    return namespace, out.getvalue()


def run_program_model(name: str, workdir: Path, variable: str = "model"):
    """Keras 3's `model` (or another variable) after running the same program."""
    return run_program(name, "keras", workdir / "keras")[0][variable]


def lines(output: str, pattern: str) -> list[str]:
    """The matches of `pattern` in `output`, line by line (a progress bar printed on the same line is left out)."""
    return [match.group(0) for line in output.splitlines() for match in [re.search(pattern, line)] if match]


def decreasing(history) -> bool:
    losses = history.history["loss"]
    return bool(np.all(np.isfinite(losses))) and losses[-1] < losses[0]


# -- guides/writing_your_own_callbacks.py ------------------------------------------------------------------------

def test_writing_your_own_callbacks(tmp_path):
    ours, printed = run_program("writing_your_own_callbacks", "kerasish", tmp_path / "a")
    theirs, expected = run_program("writing_your_own_callbacks", "keras", tmp_path / "b")
    # Every hook is called in Keras's order with Keras's log keys.
    hooks = r"(\.\.\.|Start|Stop|End)[\w :;]*got log keys: \[.*\]"
    assert lines(printed, hooks) == lines(expected, hooks)
    assert len(lines(printed, "Up to batch")) == len(lines(expected, "Up to batch"))
    assert lines(printed, "Epoch .*: Learning rate is .*") == lines(expected, "Epoch .*: Learning rate is .*")
    assert float(ours["model"].optimizer.learning_rate) == pytest.approx(0.05)
    assert len(lines(printed, "The average loss for epoch")) == len(lines(expected, "The average loss for epoch"))


# -- guides/training_with_built_in_methods.py --------------------------------------------------------------------

def test_training_with_built_in_methods_losses_and_metrics(tmp_path):
    ns, printed = run_program("training_with_built_in_methods_losses_and_metrics", "kerasish", tmp_path)
    assert set(ns["history"].history) == {"loss", "sparse_categorical_accuracy", "val_loss",
                                          "val_sparse_categorical_accuracy"}
    assert decreasing(ns["history"])
    # `predictions` is later rebound to the LogisticEndpoint's symbolic output, as in Keras: read the printed shape.
    assert len(ns["results"]) == 2 and lines(printed, r"^predictions shape: .*") == ["predictions shape: (3, 10)"]
    assert tuple(ns["predictions"].shape) == (None, 10)
    for name in ("history_custom_fn", "history_custom_loss", "history_add_loss", "history_endpoint"):
        assert np.isfinite(ns[name].history["loss"]).all(), name
    # The guide's own metric counts `y_true == argmax` broadcast (batch,) x (batch, 1): Keras gets the same sum.
    assert ns["history_custom_metric"].history["categorical_true_positives"][0] > 0
    # The add_loss term (0.1 * sum of activations) dominates the loss, as the guide says.
    assert ns["history_add_loss"].history["loss"][0] > ns["history_split"].history["loss"][0]
    assert "val_loss" in ns["history_split"].history


def test_training_with_built_in_methods_py_dataset_refuses_an_ignored_batch_size(tmp_path):
    """The guide passes `batch_size=64` with a PyDataset, which Keras 3 silently ignores; kerasish's rule is a clear
    error for an argument Keras ignores."""
    with pytest.raises(ValueError, match=r"`batch_size` must be None when the data is an iterable of batches"):
        run_program("training_with_built_in_methods_py_dataset", "kerasish", tmp_path)


def test_training_with_built_in_methods_sample_weights(tmp_path):
    ns, printed = run_program("training_with_built_in_methods_sample_weights", "kerasish", tmp_path)
    assert lines(printed, "Fit with (class|sample) weight") == ["Fit with class weight", "Fit with sample weight"]
    for name in ("history_class_weight", "history_sample_weight"):
        assert np.isfinite(ns[name].history["loss"]).all()


def test_training_with_built_in_methods_multi_io(tmp_path):
    ns, _ = run_program("training_with_built_in_methods_multi_io", "kerasish", tmp_path)
    assert [tuple(t.shape) for t in ns["model"].outputs] == [(None, 1), (None, 5)]
    assert set(ns["history_dicts"].history) == {"loss", "score_output_loss", "class_output_loss"}
    keras_model = run_program_model("training_with_built_in_methods_multi_io", tmp_path)
    assert ns["model"].count_params() == keras_model.count_params()


# -- guides/making_new_layers_and_models_via_subclassing.py ------------------------------------------------------

def test_making_new_layers_and_models_via_subclassing(tmp_path):
    """Everything up to the VAE runs as in Keras; the VAE's unseeded `keras.random.normal` inside the compiled step
    is refused, as Keras 3 refuses it on JAX ("[JAX RNG] When tracing a JAX function, you should only use seeded
    random ops")."""
    with pytest.raises(ValueError, match=r"seed=None inside a compiled function") as info:
        run_program("making_new_layers_and_models_via_subclassing", "kerasish", tmp_path)
    printed = info.value.program_output
    assert "[2. 2.]\n[4. 4.]" in printed  # ComputeSum's non-trainable total, updated by assign_add
    assert lines(printed, r"^(non-trainable )?weights: \d+") == ["weights: 1", "non-trainable weights: 1",
                                                                 "weights: 6"]
    assert "trainable weights: 6" in printed
    assert "{'units': 64}" in printed  # the first get_config


# -- guides/understanding_masking_and_padding.py -----------------------------------------------------------------

def test_understanding_masking_and_padding(tmp_path):
    ns, printed = run_program("understanding_masking_and_padding", "kerasish", tmp_path)
    theirs, expected = run_program("understanding_masking_and_padding", "keras", tmp_path)
    # pad_sequences, then the masks Embedding, Masking, TemporalSplit and CustomEmbedding attach: printed alike
    # (the last mask is drawn from random ids: compared by shape).
    mine, keras_lines = printed.split("Mask found:")[0].splitlines(), expected.split("Mask found:")[0].splitlines()
    assert mine[:-3] == keras_lines[:-3]
    assert np.asarray(ns["mask"]).shape == np.asarray(theirs["mask"]).shape == (3, 10)
    # A symbolic tensor carries the mask a masking layer hands on.
    assert "Mask found: <SymbolicTensor shape=(None, None), dtype=bool" in printed
    assert ns["y"].shape == theirs["y"].shape == (32, 100, 1)
    # The guide's TemporalSoftmax sums over its last axis (of size 1): 1 at real steps, 0 / 0 at masked ones, in
    # both libraries (the same random ids, so the same padded steps).
    ours, keras_y = np.asarray(ns["y"]), np.asarray(theirs["y"])
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(keras_y))
    assert np.isnan(ours).any() and np.all(ours[~np.isnan(ours)] == 1.0)


# -- guides/transfer_learning.py ---------------------------------------------------------------------------------

def test_transfer_learning_freezing(tmp_path):
    ns, printed = run_program("transfer_learning_freezing", "kerasish", tmp_path)
    _, expected = run_program("transfer_learning_freezing", "keras", tmp_path / "keras")
    counts = r"^(non_trainable_|trainable_)?weights: \d+$"
    assert lines(printed, counts) == lines(expected, counts)  # Dense 2/2/0, BatchNormalization 4/2/2, frozen 2/0/2
    assert not ns["inner_model"].layers[1].trainable


# -- guides/serialization_and_saving.py --------------------------------------------------------------------------

def test_serialization_and_saving_configs(tmp_path):
    ns, printed = run_program("serialization_and_saving_configs", "kerasish", tmp_path)
    _, expected = run_program("serialization_and_saving_configs", "keras", tmp_path / "keras")
    keras_dict = r"^\{'module': .*"  # serialize_keras_object(L1(0.005)): Keras's dict, key for key
    assert lines(printed, keras_dict) == lines(expected, keras_dict)
    names = r"^variables: .*|^variable ordering changed: .*"
    assert lines(printed, names) == lines(expected, names)
    assert isinstance(ns["new_reg"], kerasish.regularizers.L1) and ns["new_reg"].l1 == pytest.approx(0.005)
    assert ns["new_model"].count_params() == 33


def test_serialization_and_saving_keras_files(tmp_path):
    ns, _ = run_program("serialization_and_saving_keras_files", "kerasish", tmp_path)
    assert ns["reconstructed_model"].count_params() == 5
