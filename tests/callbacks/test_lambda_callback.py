"""LambdaCallback: the functions given are called with the hooks' arguments, and only those hooks run."""

import numpy as np
import pytest

from kerasish.callbacks import CallbackList, LambdaCallback


def test_hooks_are_called_in_order_with_their_arguments(trainer):
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin",)),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch, sorted(logs))),
        on_test_begin=lambda logs: calls.append(("test_begin",)),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: calls.append(("train_end",)))
    trainer.fit([callback], epochs=2)
    epoch = lambda e: [("epoch_begin", e)] + [("batch_end", b, ["loss"]) for b in range(4)] + [
        ("test_begin",), ("epoch_end", e, ["loss", "val_loss"])]
    assert calls == [("train_begin",)] + epoch(0) + epoch(1) + [("train_end",)]


def test_batch_and_epoch_logs_hold_the_values_keras_logs(twins):
    """The loss and metric values the hooks receive (batch logs: the epoch's running means) are Keras 3's."""
    import keras

    def recorder(seen):
        return dict(on_train_batch_end=lambda batch, logs: seen.append((batch, logs["loss"], logs["mae"])),
                    on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["val_loss"], logs["val_mae"])))

    ours, theirs = [], []
    twins.fit(twins.ours, [LambdaCallback(**recorder(ours))], epochs=2)
    twins.fit(twins.reference, [keras.callbacks.LambdaCallback(**recorder(theirs))], epochs=2)
    assert [entry[0] for entry in ours] == [entry[0] for entry in theirs] == [0, 1, 2, 3, 4, 0, 0, 1, 2, 3, 4, 1]
    np.testing.assert_allclose(np.array([entry[1:] for entry in ours], np.float64),
                               np.array([entry[1:] for entry in theirs], np.float64), rtol=1e-5)


def test_only_the_given_hooks_are_registered():
    epoch_only = LambdaCallback(on_epoch_end=lambda epoch, logs: None)
    assert CallbackList([epoch_only]).needs_every_batch is False  # no per-step cost
    assert not epoch_only.overrides("on_train_batch_end") and epoch_only.overrides("on_epoch_end")
    assert CallbackList([LambdaCallback(on_train_batch_begin=lambda batch, logs: None)]).needs_every_batch


def test_predict_and_evaluate_hooks(trainer):
    seen = []
    callback = LambdaCallback(on_predict_batch_end=lambda batch, logs: seen.append(("predict", batch)),
                              on_test_end=lambda logs: seen.append(("test_end", sorted(logs))))
    trainer.model.predict(trainer.xv, batch_size=8, verbose=0, callbacks=[callback])
    trainer.model.evaluate(trainer.xv, trainer.yv, batch_size=8, verbose=0, callbacks=[callback])
    assert seen == [("predict", 0), ("predict", 1), ("test_end", ["loss"])]


def test_arguments_must_be_functions():
    with pytest.raises(TypeError, match="`on_epoch_end` of LambdaCallback must be a function or None, received 3"):
        LambdaCallback(on_epoch_end=3)
    with pytest.raises(TypeError, match=r"LambdaCallback got \['on_batch_ends'\], which are not callback hooks"):
        LambdaCallback(on_batch_ends=print)
    with pytest.raises(TypeError, match="`on_predict_end` of LambdaCallback must be a function or None, received 1"):
        LambdaCallback(on_predict_end=1)
    with pytest.raises(TypeError, match="got both `on_batch_end` and `on_train_batch_end`"):
        LambdaCallback(on_train_batch_end=print, on_batch_end=print)


def test_other_keywords_become_attributes_as_in_keras():
    callback = LambdaCallback(on_epoch_end=print, state={"seen": 0})
    assert callback.state == {"seen": 0} and callback.hooks == {"on_epoch_end": print}


def test_kerass_positional_order_and_other_hooks_as_keywords():
    first, second = (lambda epoch, logs: None), (lambda epoch, logs: None)
    callback = LambdaCallback(first, second, on_test_begin=print, on_predict_batch_end=print)
    assert callback.hooks == {"on_epoch_begin": first, "on_epoch_end": second, "on_test_begin": print,
                              "on_predict_batch_end": print}


def test_on_batch_end_is_the_train_batch_hook(trainer):
    seen = []
    trainer.fit([LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))], epochs=1)
    assert seen == [0, 1, 2, 3]


@pytest.mark.parametrize("logs", [None, {}])
def test_hooks_get_the_logs_as_given(logs):
    seen = []
    callback = LambdaCallback(on_train_begin=seen.append, on_epoch_end=lambda epoch, logs: seen.append(logs))
    callback.on_train_begin(logs)
    callback.on_epoch_end(0, logs)
    assert seen == [logs, logs]
