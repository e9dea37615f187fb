"""What a `.keras` file may not do: run code, name what is not registered, be malformed. Each is one clear error
naming the file and the entry; nothing in a file is run."""

from __future__ import annotations

import io
import json
import zipfile

import h5py
import keras
import numpy as np
import pytest

import kerasish as ks
from kerasish.saving import keras_file

L = ks.layers


@pytest.fixture(scope="module")
def small_file(tmp_path_factory):
    """A valid kerasish-written `.keras` file's entries: {name: bytes}."""
    model = ks.Sequential([ks.Input((3,)), L.Dense(2, name="dense")])
    path = tmp_path_factory.mktemp("small") / "model.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write(path, entries):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def with_config(entries, edit):
    config = json.loads(entries["config.json"])
    edit(config)
    return {**entries, "config.json": json.dumps(config).encode()}


def test_a_lambda_layer_is_refused_by_name_without_running_it(tmp_path):
    calls = []

    def record(x):
        calls.append(x)
        return x * 2

    keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2, name="doubler")]).save(
        tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match=r"lambda.keras'.*'doubler' is a Lambda layer: its function is Python "
                                         r"code"):
        ks.models.load_model(tmp_path / "lambda.keras")
    keras.saving.register_keras_serializable(package="errors_test")(record)
    keras.Sequential([keras.Input((3,)), keras.layers.Lambda(record)]).save(tmp_path / "named.keras")
    calls.clear()  # Keras traced it while building; loading in kerasish must not call it
    with pytest.raises(ValueError, match="is a Lambda layer"):
        ks.models.load_model(tmp_path / "named.keras")
    assert calls == []


def test_a_serialized_lambda_anywhere_is_refused(small_file, tmp_path):
    def plant(config):
        config["config"]["layers"][1]["config"]["extra"] = {"class_name": "__lambda__", "config": {"code": "..."}}
    path = write(tmp_path / "m.keras", with_config(small_file, plant))
    with pytest.raises(ValueError, match=r"\['extra'\] holds a Python lambda"):
        ks.models.load_model(path)


def test_an_unregistered_custom_class_is_refused_by_name(small_file, tmp_path):
    def rename(config):
        layer = config["config"]["layers"][1]
        layer.update(module="my_project.layers", class_name="Mystery", registered_name="my_project>Mystery")
    path = write(tmp_path / "m.keras", with_config(small_file, rename))
    with pytest.raises(ValueError, match=r"custom class 'my_project>Mystery', which is not registered here"):
        ks.models.load_model(path)


def test_weight_constraints_cross_both_ways(tmp_path):
    """A Keras file's constraints are rebuilt (not dropped) and kerasish writes them back in Keras's form."""
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, kernel_constraint=keras.constraints.MaxNorm(1.5),
                                                            bias_constraint="non_neg")]).save(tmp_path / "c.keras")
    dense = ks.models.load_model(tmp_path / "c.keras").layers[0]
    assert isinstance(dense.kernel_constraint, ks.constraints.MaxNorm) and dense.kernel_constraint.max_value == 1.5
    assert isinstance(dense.bias_constraint, ks.constraints.NonNeg)
    ks.Sequential([ks.Input((3,)), ks.layers.Dense(2, kernel_constraint=ks.constraints.UnitNorm(axis=1))]).save(
        tmp_path / "back.keras")
    constraint = keras.models.load_model(tmp_path / "back.keras").layers[0].kernel_constraint
    assert isinstance(constraint, keras.constraints.UnitNorm) and constraint.axis == 1


def test_what_kerasish_cannot_compute_is_refused_not_dropped(tmp_path):
    keras.Sequential([keras.Input((3, 4)), keras.layers.EinsumDense("abc,cd->abd", (3, 2))]).save(tmp_path / "e.keras")
    with pytest.raises(ValueError, match=r"is a keras.layers.EinsumDense, which kerasish does not have"):
        ks.models.load_model(tmp_path / "e.keras")


def test_safe_mode_false_is_refused():
    with pytest.raises(ValueError, match="`safe_mode` of load_model must be True, received False"):
        ks.models.load_model("model.keras", safe_mode=False)


@pytest.mark.parametrize("entries,match", [
    (lambda e: None, r"m.keras' is not a .keras file: not a readable zip archive"),
    (lambda e: {k: v for k, v in e.items() if k != "config.json"}, r"m.keras' has no 'config.json' entry"),
    (lambda e: {k: v for k, v in e.items() if k != "model.weights.h5"}, r"has no 'model.weights.h5' entry"),
    (lambda e: {**e, "config.json": b"{not json"}, r"entry 'config.json' is not valid JSON"),
    (lambda e: {**e, "config.json": b"[1, 2]"}, r"config.json must hold a model entry"),
    (lambda e: {**e, "model.weights.h5": b"garbage"}, r"model.weights.h5 is not a readable HDF5 file"),
    (lambda e: with_config(e, lambda c: c["config"].pop("layers")), r"a Sequential config must hold `layers`"),
    (lambda e: with_config(e, lambda c: c["config"]["layers"][1]["config"].update(units="many")),
     r"config.json describes a model kerasish cannot build"),
    (lambda e: with_config(e, lambda c: c["config"]["layers"][1]["config"].update(units=5)),
     r"model.weights.h5: layers/dense/vars/0 has shape \(3, 2\), but the matching weight of layer 'dense' has "
     r"shape \(3, 5\)"),
    (lambda e: {**e, "assets/vocabulary.txt": b"a\nb"}, r"holds assets"),
])
def test_a_malformed_file_is_one_clear_error_naming_the_entry(small_file, tmp_path, entries, match):
    path = tmp_path / "m.keras"
    content = entries(small_file)
    if content is None:
        path.write_bytes(b"PK\x03\x04 truncated")
    else:
        write(path, content)
    with pytest.raises(ValueError, match=match):
        ks.models.load_model(path)


def h5_file(build):
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        build(f)
    return buffer.getvalue()


@pytest.mark.parametrize("build,match", [
    (lambda f: f.create_group("layers/dense/vars"), r"'layers/dense/vars' holds 0 arrays, but layer 'dense'"),
    (lambda f: f.create_group("layers/dense").__setitem__("vars", h5py.SoftLink("/elsewhere")),
     r"'layers/dense/vars' is a SoftLink; a weights file may not link outside itself"),
    (lambda f: (f.create_group("layers/dense/vars").__setitem__("0", np.zeros((3, 2), np.float32)),
                f["layers/dense/vars"].__setitem__("1", h5py.ExternalLink("other.h5", "/x"))),
     r"layers/dense/vars/1 is a ExternalLink"),
    (lambda f: f.create_dataset("layers/dense/vars", data=np.zeros(2)), r"'layers/dense/vars' should be a group"),
])
def test_weights_that_do_not_fit_or_leave_the_file_are_refused(small_file, tmp_path, build, match):
    path = write(tmp_path / "m.keras", {**small_file, "model.weights.h5": h5_file(build)})
    with pytest.raises(ValueError, match=match):
        ks.models.load_model(path)


def test_a_model_holding_code_cannot_be_written_as_a_keras_file(tmp_path):
    model = ks.Sequential([ks.Input((3,)), L.Lambda(lambda t: t * 2)])
    with pytest.raises(ValueError, match=r"is a Lambda layer: its function is Python code, and a .keras file"):
        model.save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()


@pytest.mark.parametrize("call,error,match", [
    (lambda m, p: keras_file.save_model(m, p / "m.kerasish"), ValueError, r"`filepath` of save must end in '.keras'"),
    (lambda m, p: keras_file.save_model(m, 3), TypeError, r"`filepath` of save must be a path, received 3"),
    (lambda m, p: keras_file.save_weights(m, p / "m.h5"), ValueError, r"must end in '.weights.h5'"),
    (lambda m, p: m.save(p / "m.h5"), ValueError,
     r"ending in '.kerasish' \(kerasish's format\), '.keras' \(Keras 3's\) or '.orbax'"),
    (lambda m, p: m.save_weights(p / "m.h5"), ValueError, r"'.weights.safetensors' .*, '.weights.h5' .* or '.orbax'"),
])
def test_paths_name_the_accepted_suffixes(tmp_path, call, error, match):
    model = ks.Sequential([ks.Input((3,)), L.Dense(2)])
    with pytest.raises(error, match=match):
        call(model, tmp_path)


def test_an_unbuilt_model_has_nothing_to_save_or_load(tmp_path):
    model = ks.Sequential([L.Dense(2)])
    with pytest.raises(ValueError, match="is not built, so it cannot be saved"):
        keras_file.save_model(model, tmp_path / "m.keras")
    with pytest.raises(ValueError, match="is not built, so it has no weights to save"):
        keras_file.save_weights(model, tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match="is not built, so it cannot take weights"):
        keras_file.load_weights(model, tmp_path / "m.weights.h5")


def test_an_optimizer_state_for_another_optimizer_is_refused(tmp_path):
    model = ks.Sequential([ks.Input((3,)), L.Dense(2)])
    model.compile(ks.optimizers.Adam(), "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    model.save(tmp_path / "adam.keras")
    with zipfile.ZipFile(tmp_path / "adam.keras") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}

    def to_sgd_with_momentum(config):
        config["compile_config"]["optimizer"] = {"module": "keras.optimizers", "class_name": "SGD",
                                                 "config": {"learning_rate": 0.1, "momentum": 0.9},
                                                 "registered_name": None}
    path = write(tmp_path / "sgd.keras", with_config(entries, to_sgd_with_momentum))
    with pytest.raises(ValueError,
                       match=r"optimizer/vars holds 6 optimizer variables, but optimizer 'sgd(_\d+)?' has 4"):
        ks.models.load_model(path)
