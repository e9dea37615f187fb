"""`fit` / `evaluate` / `predict` on a `PyDataset` (issue 20): Keras's API, batches prepared by workers."""

import numpy as np
import pytest

import kerasish as ks


class Blobs(ks.utils.PyDataset):
    """32-sample batches of a 3-class problem; counts its epochs."""

    def __init__(self, x, y, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.epochs_ended = x, y, 0

    def __len__(self):
        return -(-len(self.x) // 32)

    def __getitem__(self, index):
        rows = slice(index * 32, (index + 1) * 32)
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


def _fit(**fit_args):
    ks.utils.set_random_seed(3)
    from tests.conftest import mlp
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, model.fit(epochs=3, verbose=0, **fit_args).history


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_change_nothing_but_the_speed(blobs, workers):
    x, y = blobs
    _, alone = _fit(x=Blobs(x, y), shuffle=False)
    _, with_workers = _fit(x=Blobs(x, y, workers=workers), shuffle=False)
    assert with_workers == alone


def test_without_shuffle_a_py_dataset_trains_as_its_arrays_do(blobs):
    x, y = blobs
    _, from_arrays = _fit(x=x, y=y, batch_size=32, shuffle=False)
    _, from_dataset = _fit(x=Blobs(x, y), shuffle=False)
    np.testing.assert_allclose(from_dataset["loss"], from_arrays["loss"], rtol=1e-5)


def test_on_epoch_end_runs_after_every_epoch_and_shuffle_reorders_batches(blobs):
    x, y = blobs
    dataset = Blobs(x, y)
    model, shuffled = _fit(x=dataset)  # fit's default shuffle=True shuffles the batch order, as Keras does
    assert dataset.epochs_ended == 3
    _, ordered = _fit(x=Blobs(x, y), shuffle=False)
    assert shuffled["loss"] != ordered["loss"]
    assert model.evaluate(Blobs(x, y), verbose=0)[0] == pytest.approx(model.evaluate(x, y, verbose=0)[0], rel=1e-5)
    np.testing.assert_allclose(model.predict(Blobs(x, y), verbose=0), model.predict(x, verbose=0), rtol=1e-5)


def test_a_worker_error_reaches_fit_with_its_message(blobs):
    x, y = blobs

    class Broken(Blobs):
        def __getitem__(self, index):
            if index == 2:
                raise RuntimeError("batch 2 is broken")
            return super().__getitem__(index)

    with pytest.raises(RuntimeError, match="batch 2 is broken"):
        _fit(x=Broken(x, y, workers=2))



def _batches(framework, x, y, weights=None):
    class Batches(framework.utils.PyDataset):
        def __len__(self):
            return 3

        def __getitem__(self, index):
            rows = slice(index * 4, (index + 1) * 4)
            return (x[rows], y[rows]) if weights is None else (x[rows], y[rows], weights[rows])

    return Batches()


def _softmax_model(framework):
    model = framework.Sequential([framework.Input((3,)), framework.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=framework.optimizers.SGD(0.1), loss="categorical_crossentropy")
    return model


def test_class_weight_weighs_a_py_dataset_batches_as_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 3)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 12)]
    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    keras.utils.set_random_seed(0)
    theirs, ours = _softmax_model(keras), _softmax_model(ks)
    ours.set_weights(theirs.get_weights())
    kwargs = dict(epochs=2, class_weight=class_weight, shuffle=False, verbose=0)
    their_loss = theirs.fit(_batches(keras, x, y), **kwargs).history["loss"]
    our_loss = ours.fit(_batches(ks, x, y), **kwargs).history["loss"]
    np.testing.assert_allclose(our_loss, their_loss, rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_class_weight_is_refused_where_keras_refuses_it():
    x, y = np.ones((12, 3), "float32"), np.eye(3, dtype="float32")[np.arange(12) % 3]
    model = _softmax_model(ks)
    with pytest.raises(ValueError, match=r"`class_weight` needs `x` to be arrays or a PyDataset .* received a list"):
        model.fit([(x, y)], class_weight={0: 1.0, 1: 1.0, 2: 1.0}, verbose=0)
    with pytest.raises(ValueError, match=r"`class_weight` needs batches `\(x, y\)` without sample weights .* batch 0 "
                                         r"has sample weights"):
        model.fit(_batches(ks, x, y, np.ones(12, "float32")), class_weight={0: 1.0, 1: 1.0, 2: 1.0}, verbose=0)
