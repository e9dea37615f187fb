"""The order in which fit reads resident arrays, seen from inside the compiled step (`jax.debug.callback`)."""

import jax
import numpy as np

import kerasish as ks


class _Recorder(ks.layers.Layer):
    """Passes its input through and, in training, hands each batch's first column (the row ids) to the host."""

    def __init__(self, seen, **kwargs):
        super().__init__(**kwargs)
        self.seen = seen

    def call(self, x, training=False):
        if training:
            jax.debug.callback(lambda ids: self.seen.append(np.asarray(ids).astype(int).tolist()), x[:, 0],
                               ordered=True)
        return x


def _epoch_orders(shuffle, seed=0, n=24, batch_size=6, epochs=3):
    """The row ids of every epoch of a fit, in the order the steps read them (`shuffle=None`: fit's default)."""
    seen = []
    ks.utils.set_random_seed(seed)
    model = ks.Sequential([ks.Input((2,)), _Recorder(seen), ks.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.stack([np.arange(n), np.zeros(n)], axis=1).astype(np.float32)
    kwargs = {} if shuffle is None else {"shuffle": shuffle}
    model.fit(x, np.zeros((n, 1), np.float32), batch_size=batch_size, epochs=epochs, verbose=0, **kwargs)
    steps = n // batch_size
    return [sum(seen[e * steps:(e + 1) * steps], []) for e in range(epochs)]


def test_without_shuffle_every_epoch_reads_the_rows_in_order():
    assert _epoch_orders(shuffle=False) == [list(range(24))] * 3


def test_shuffle_draws_a_new_order_every_epoch_from_the_seed():
    orders = _epoch_orders(shuffle=True)
    assert all(sorted(order) == list(range(24)) for order in orders)  # every row once per epoch
    assert len({tuple(order) for order in orders + [list(range(24))]}) == 4  # three new orders
    assert _epoch_orders(shuffle=True) == orders  # the global seed decides them
    assert _epoch_orders(shuffle=True, seed=1) != orders


def test_fit_shuffles_by_default_as_keras():
    assert _epoch_orders(shuffle=None, epochs=1) == _epoch_orders(shuffle=True, epochs=1) != [list(range(24))]
