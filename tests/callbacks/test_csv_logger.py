"""CSVLogger: the file's content, append mode, validation_freq gaps and bad arguments."""

import csv

import pytest

from kerasish.callbacks import CSVLogger


def _rows(path, separator=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=separator))


def test_one_row_per_epoch_with_the_logged_values(trainer, tmp_path):
    path = tmp_path / "log.csv"
    history = trainer.fit([CSVLogger(path)]).history
    rows = _rows(path)
    assert rows[0] == ["epoch", "loss", "val_loss"]  # sorted, as Keras writes them
    assert [row[0] for row in rows[1:]] == ["0", "1", "2"]
    for key in ("loss", "val_loss"):
        column = rows[0].index(key)
        assert [float(row[column]) for row in rows[1:]] == history[key]  # the exact floats, no rounding


def test_append_adds_rows_under_one_header_and_overwrite_starts_again(trainer, tmp_path):
    path = tmp_path / "log.csv"
    trainer.fit([CSVLogger(path)], epochs=2)
    trainer.fit([CSVLogger(path, append=True)], epochs=2)
    rows = _rows(path)
    assert rows[0][0] == "epoch" and [row[0] for row in rows[1:]] == ["0", "1", "0", "1"]
    trainer.fit([CSVLogger(path)], epochs=1)
    assert [row[0] for row in _rows(path)] == ["epoch", "0"]


def test_append_to_a_new_or_empty_file_writes_the_header(trainer, tmp_path):
    path = tmp_path / "new.csv"
    trainer.fit([CSVLogger(path, append=True)], epochs=1)
    assert _rows(path)[0] == ["epoch", "loss", "val_loss"]


def test_append_to_a_file_with_other_columns_is_an_error(trainer, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("epoch,accuracy\n0,0.5\n")
    with pytest.raises(ValueError, match=r"cannot append to .*log.csv'?: its columns are \['epoch', 'accuracy'\], "
                                         r"but this fit logs \['epoch', 'loss', 'val_loss'\]"):
        trainer.fit([CSVLogger(path, append=True)], epochs=1)
    assert path.read_text() == "epoch,accuracy\n0,0.5\n"


def test_epochs_without_validation_write_na(trainer, tmp_path):
    path = tmp_path / "log.csv"
    trainer.fit([CSVLogger(path)], epochs=4, validation_freq=2)
    rows = _rows(path)
    assert rows[0] == ["epoch", "loss", "val_loss"]  # from epoch 1, which had no validation
    assert [row[2] for row in rows[1:]][::2] == ["NA", "NA"] and "NA" not in [row[2] for row in rows[1:]][1::2]


def test_separator(trainer, tmp_path):
    path = tmp_path / "log.tsv"
    trainer.fit([CSVLogger(path, separator="\t")], epochs=1, validation=False)
    rows = _rows(path, "\t")
    assert rows[0] == ["epoch", "loss", "val_loss"]  # as Keras: no learning_rate without a learning-rate callback
    assert rows[1][2] == "NA"


@pytest.mark.parametrize("kwargs,error,match", [
    ({"filename": 3}, TypeError, "`filename` of CSVLogger must be a path, received 3"),
    ({"separator": ";;"}, ValueError, "`separator` of CSVLogger must be one character, received ';;'"),
    ({"append": "yes"}, TypeError, "`append` of CSVLogger must be True or False"),
])
def test_invalid_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        CSVLogger(**{"filename": "log.csv", **kwargs})
