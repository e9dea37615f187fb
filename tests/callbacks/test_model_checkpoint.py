"""ModelCheckpoint: file name templates, save_best_only, save_freq in batches, atomic writes, errors."""

import os

import numpy as np
import pytest

import kerasish as ks
from kerasish.callbacks import CallbackList, ModelCheckpoint
from kerasish.saving import load_weights
from tests.callbacks.fakes import FakeModel

SUFFIX = ".weights.safetensors"


class RecordWeights(ks.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.weights = {}

    def on_epoch_end(self, epoch, logs=None):
        self.weights[epoch] = self.model.get_weights()


def _load(model, path):
    """The weights in `path`, read through `model` (whose own weights are put back afterwards)."""
    kept = model.get_weights()
    load_weights(model, path)
    weights = model.get_weights()
    model.set_weights(kept)
    return weights


def _assert_equal(got, expected):
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


def test_every_epoch_with_a_template(trainer, tmp_path):
    record = RecordWeights()
    template = str(tmp_path / "ckpt" / "{epoch:02d}-{val_loss:.3f}") + SUFFIX  # the folder is created
    history = trainer.fit([record, ModelCheckpoint(template, save_weights_only=True)]).history
    names = [f"{e + 1:02d}-{v:.3f}{SUFFIX}" for e, v in enumerate(history["val_loss"])]
    assert sorted(os.listdir(tmp_path / "ckpt")) == names  # no temporary file left behind
    for epoch, name in enumerate(names):
        _assert_equal(_load(trainer.model, tmp_path / "ckpt" / name), record.weights[epoch])


def test_save_best_only_writes_on_improvement_only(twins, tmp_path, capsys):
    keras = pytest.importorskip("keras")
    ours = ModelCheckpoint(str(tmp_path / "{epoch:02d}") + SUFFIX, save_best_only=True, save_weights_only=True,
                           verbose=1)
    history = twins.fit(twins.ours, [ours], epochs=25)
    val_loss = history["val_loss"]
    improving = [e for e in range(25) if val_loss[e] < min(val_loss[:e], default=np.inf)]
    assert improving == [0, 1, 2, 19, 21, 23]
    assert sorted(os.listdir(tmp_path)) == [f"{e + 1:02d}{SUFFIX}" for e in improving]
    assert ours.best == min(val_loss)
    out = [line for line in capsys.readouterr().out.splitlines() if line]  # Keras starts each with a newline
    assert out[0] == f"Epoch 1: val_loss improved from None to {val_loss[0]:.5f}, saving model to " \
                     f"{tmp_path / '01'}{SUFFIX}"
    assert out[1] == f"Epoch 1: finished saving model to {tmp_path / '01'}{SUFFIX}"
    assert out[6] == f"Epoch 4: val_loss did not improve from {val_loss[2]:.5f}"
    # Keras saves at the same epochs
    keras_dir = tmp_path / "keras"
    twins.fit(twins.reference, [keras.callbacks.ModelCheckpoint(str(keras_dir / "{epoch:02d}.weights.h5"),
                                                                save_best_only=True, save_weights_only=True)],
              epochs=25)
    assert sorted(os.listdir(keras_dir)) == [f"{e + 1:02d}.weights.h5" for e in improving]


def test_save_best_only_to_one_file_holds_the_best_epoch(twins, tmp_path):
    record = RecordWeights()
    path = tmp_path / ("best" + SUFFIX)
    history = twins.fit(twins.ours, [record, ModelCheckpoint(path, save_best_only=True, save_weights_only=True)],
                        epochs=25)
    _assert_equal(_load(twins.ours, path), record.weights[int(np.argmin(history["val_loss"]))])
    assert os.listdir(tmp_path) == ["best" + SUFFIX]


def test_initial_value_threshold(twins, tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "{epoch:02d}") + SUFFIX, save_best_only=True, save_weights_only=True,
                                 initial_value_threshold=0.65)
    twins.fit(twins.ours, [checkpoint], epochs=25)
    assert sorted(os.listdir(tmp_path)) == [f"22{SUFFIX}", f"24{SUFFIX}"]  # only epochs below 0.65


def test_save_freq_in_batches_saves_the_live_weights(trainer, tmp_path):
    class StopAfterBatch(ks.callbacks.Callback):
        def __init__(self, batch):
            super().__init__()
            self.batch = batch

        def on_train_batch_end(self, batch, logs=None):
            if batch == self.batch:
                self.model.stop_training = True

    trainer.fit([StopAfterBatch(2)], epochs=1)
    after_three_steps = trainer.model.get_weights()
    template = str(tmp_path / "e{epoch}-b{batch}-{loss:.2f}") + SUFFIX  # batch logs: the running loss
    checkpoint = ModelCheckpoint(template, save_weights_only=True, save_freq=3)
    assert CallbackList([checkpoint]).needs_every_batch  # one step per dispatch: exact batch counts
    trainer.fit([checkpoint], epochs=3)  # 4 batches per epoch: saves after batches 3, 6, 9 and 12
    names = sorted(os.listdir(tmp_path))
    assert [name.split("-")[:2] for name in names] == [["e1", "b3"], ["e2", "b2"], ["e3", "b1"], ["e3", "b4"]]
    _assert_equal(_load(trainer.model, tmp_path / names[0]), after_three_steps)
    _assert_equal(_load(trainer.model, tmp_path / names[-1]), trainer.model.get_weights())


def test_batch_counting_across_grouped_steps_and_epochs():
    checkpoint = ModelCheckpoint("x" + SUFFIX, save_weights_only=True, save_freq=5)
    # were batches reported in groups of 4 with 6 batches an epoch: batches 3, 5 (partial group), then 3, 5
    assert [checkpoint._should_save_on_batch(b) for b in (3, 5, 3, 5)] == [False, True, False, True]


def test_epoch_checkpoints_cost_nothing_per_step():
    checkpoint = ModelCheckpoint("x" + SUFFIX, save_weights_only=True)
    assert not checkpoint.overrides("on_train_batch_end") and checkpoint.overrides("on_epoch_end")


def test_skipped_validation_epochs_are_not_saved_when_the_name_needs_them(trainer, tmp_path):
    template = str(tmp_path / "{epoch}-{val_loss:.2f}") + SUFFIX
    trainer.fit([ModelCheckpoint(template, save_weights_only=True)], epochs=4, validation_freq=2)
    assert [name.split("-")[0] for name in sorted(os.listdir(tmp_path))] == ["2", "4"]


def test_a_template_field_missing_from_the_logs_is_an_error(trainer, tmp_path):
    template = str(tmp_path / "{epoch}-{accuracy:.2f}") + SUFFIX
    with pytest.raises(ValueError, match=r"cannot fill \['accuracy'\] in filepath .* the logs of epoch 1 hold "
                                         r"\['epoch', 'loss', 'val_loss'\]"):
        trainer.fit([ModelCheckpoint(template, save_weights_only=True)], epochs=1)


def test_a_failed_write_keeps_the_previous_checkpoint(trainer, tmp_path, monkeypatch):
    path = tmp_path / ("last" + SUFFIX)
    trainer.fit([ModelCheckpoint(path, save_weights_only=True)], epochs=1)
    before = path.read_bytes()

    def fail(*args):
        raise OSError("No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space left"):
        trainer.fit([ModelCheckpoint(path, save_weights_only=True)], epochs=2)
    monkeypatch.undo()
    assert path.read_bytes() == before and os.listdir(tmp_path) == [path.name]
    load_weights(trainer.model, path)  # still a valid checkpoint


def test_a_folder_as_filepath_is_an_error(trainer, tmp_path):
    (tmp_path / ("dir" + SUFFIX)).mkdir()
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        trainer.fit([ModelCheckpoint(tmp_path / ("dir" + SUFFIX), save_weights_only=True)], epochs=1)


def test_missing_monitor_with_save_best_only_is_an_error():
    checkpoint = ModelCheckpoint("x" + SUFFIX, monitor="accuracy", save_best_only=True, save_weights_only=True)
    checkpoint.set_model(FakeModel())
    with pytest.raises(ValueError, match=r"ModelCheckpoint monitors 'accuracy', which is not in the logs of epoch 1"):
        checkpoint.on_epoch_end(0, {"loss": 1.0})


@pytest.mark.parametrize("kwargs,error,match", [
    ({}, ValueError, "must end in '.kerasish' or '.keras' with save_weights_only=False"),
    ({"filepath": "model.h5", "save_weights_only": True}, ValueError,
     "must end in '.weights.safetensors' or '.weights.h5'"),
    ({"filepath": "{epoch" + SUFFIX, "save_weights_only": True}, ValueError, "not a valid format string"),
    ({"save_freq": "batch", "save_weights_only": True}, ValueError, "`save_freq` of ModelCheckpoint must be 'epoch' "
                                                                    "or an int >= 1"),
    ({"save_freq": 0, "save_weights_only": True}, ValueError, "received save_freq=0"),
    ({"save_freq": 10, "save_best_only": True, "save_weights_only": True}, ValueError,
     "cannot monitor 'val_loss': validation only runs at epoch end"),
    ({"mode": "up", "save_weights_only": True}, ValueError, "`mode` of ModelCheckpoint must be"),
    ({"monitor": "score", "save_best_only": True, "save_weights_only": True}, ValueError,
     "monitor='score' should be minimized or maximized"),
    ({"initial_value_threshold": "low", "save_weights_only": True}, ValueError, "`initial_value_threshold`"),
    ({"filepath": 1, "save_weights_only": True}, TypeError, "`filepath` of ModelCheckpoint must be a path"),
])
def test_invalid_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ModelCheckpoint(**{"filepath": "m" + SUFFIX, **kwargs})


def test_a_metric_of_unknown_direction_is_fine_without_save_best_only():
    assert ModelCheckpoint("m" + SUFFIX, monitor="score", save_weights_only=True).monitor == "score"


def test_whole_model_checkpoints_load_back(blobs, tmp_path):
    x, y = blobs
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    path = tmp_path / "ckpt-{epoch:02d}.kerasish"
    model.fit(x, y, epochs=2, callbacks=[ModelCheckpoint(path, save_best_only=False)], verbose=0)
    loaded = ks.models.load_model(tmp_path / "ckpt-02.kerasish")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_orbax_checkpoints_every_epoch_hold_that_epochs_weights_and_model(blobs, tmp_path):
    """`.orbax` paths: one checkpoint folder per name (several processes write them together: see
    tests/distribution/test_orbax_checkpoints.py); the whole-model one carries the live optimizer state."""
    x, y = blobs
    ks.utils.set_random_seed(0)
    model = ks.Sequential([ks.Input((4,)), ks.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    record = RecordWeights()
    weights = ModelCheckpoint(tmp_path / "ckpt" / "{epoch}.orbax", save_weights_only=True)
    whole = ModelCheckpoint(tmp_path / "last.orbax")
    assert not weights.chief_only and ModelCheckpoint("m" + SUFFIX, save_weights_only=True).chief_only
    model.fit(x, y, epochs=2, callbacks=[record, weights, whole], verbose=0)
    assert sorted(os.listdir(tmp_path / "ckpt")) == ["1.orbax", "2.orbax"]
    for epoch in (0, 1):
        _assert_equal(_load(model, tmp_path / "ckpt" / f"{epoch + 1}.orbax"), record.weights[epoch])
    loaded = ks.models.load_model(tmp_path / "last.orbax")  # the last epoch's, replacing the first one's
    _assert_equal(loaded.get_weights(), model.get_weights())
    _assert_equal(loaded.get_optimizer_state(), model.get_optimizer_state())


def test_an_orbax_filepath_is_accepted_either_way():
    for weights_only in (True, False):
        assert ModelCheckpoint("m.orbax", save_weights_only=weights_only).filepath == "m.orbax"
    with pytest.raises(ValueError, match=r"or in '.orbax' \(an orbax checkpoint folder\), received filepath='m.zip'"):
        ModelCheckpoint("m.zip")
