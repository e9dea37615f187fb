"""Every callback's hooks take `logs=None` (what the loop passes today) and dicts (`{}`, what Keras passes)."""

import pytest

from kerasish.callbacks import (
    CSVLogger,
    EarlyStopping,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ProgbarLogger,
    ReduceLROnPlateau,
    TensorBoard,
    TerminateOnNaN,
)
from tests.callbacks.fakes import FakeModel

MAKERS = {
    "History": lambda tmp: History(),
    "CSVLogger": lambda tmp: CSVLogger(tmp / "log.csv"),
    "TerminateOnNaN": lambda tmp: TerminateOnNaN(),
    "ProgbarLogger": lambda tmp: ProgbarLogger(2),
    "LambdaCallback": lambda tmp: LambdaCallback(on_train_begin=lambda logs: None,
                                                 on_epoch_end=lambda epoch, logs: None),
    "LearningRateScheduler": lambda tmp: LearningRateScheduler(lambda epoch, lr: lr),
    "TensorBoard": lambda tmp: TensorBoard(tmp / "tb", write_graph=False, update_freq=1),
    "EarlyStopping": lambda tmp: EarlyStopping(monitor="loss"),
    "ReduceLROnPlateau": lambda tmp: ReduceLROnPlateau(monitor="loss"),
}
MONITORS = ("EarlyStopping", "ReduceLROnPlateau")  # their epoch end needs the monitored key (stricter than Keras)


@pytest.mark.parametrize("logs", [None, {}], ids=["None", "dict"])
@pytest.mark.parametrize("name", list(MAKERS))
def test_hooks_accept_none_and_dicts(name, logs, tmp_path, capsys):
    if name == "TensorBoard":
        pytest.importorskip("tensorboardX")
    callback, model = MAKERS[name](tmp_path), FakeModel()
    callback.set_model(model)
    callback.set_params({"epochs": 1, "steps": 1, "verbose": 2})
    callback.on_train_begin(logs)
    callback.on_epoch_begin(0, logs)
    callback.on_train_batch_begin(0, logs)
    callback.on_train_batch_end(0, logs)
    callback.on_test_begin(logs)
    callback.on_test_batch_begin(0, logs)
    callback.on_test_batch_end(0, logs)
    callback.on_test_end(logs)
    epoch_logs = {"loss": 0.5} if name in MONITORS else logs
    callback.on_epoch_end(0, epoch_logs)
    callback.on_train_end(logs)
    callback.on_predict_begin(logs)
    callback.on_predict_batch_begin(0, logs)
    callback.on_predict_batch_end(0, logs)
    callback.on_predict_end(logs)
    assert not model.stop_training
