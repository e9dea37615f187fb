"""kerasish.data.py_dataset: PyDataset's Keras API and the EpochRunner that builds batches ahead.

Keras's own `PyDatasetAdapter` is the oracle for the order of shuffled epochs; the rest checks behaviour:
every batch exactly once per epoch and in order, the epoch hooks, workers overlapping, errors crossing
from a worker with their traceback, and no worker left running after an early exit.
"""

import random
import threading
import time
import traceback

import numpy as np
import pytest

from kerasish.data.py_dataset import EpochRunner, PyDataset, Sequence, ordered_map, prefetch_iterator
from tests.data.batch_sources import Endless, Numbered, Unpicklable

keras = pytest.importorskip("keras")
from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter  # noqa: E402


def indexes(batches):
    return [int(y[0]) for _, y in batches]


def extra_threads(before):
    return [t for t in threading.enumerate() if t not in before and t.is_alive()]


# ---------------------------------------------------------------------------------------------------------
# PyDataset: Keras's API
# ---------------------------------------------------------------------------------------------------------


def test_py_dataset_keeps_keras_arguments_and_iterates_in_order():
    data = Numbered(count=3, workers=3, use_multiprocessing=False, max_queue_size=4)
    assert (data.workers, data.use_multiprocessing, data.max_queue_size) == (3, False, 4)
    assert data.num_batches == len(data) == 3
    assert indexes(data) == [0, 1, 2]
    assert Sequence is PyDataset
    keras_data = keras.utils.PyDataset()
    assert (keras_data.workers, keras_data.use_multiprocessing, keras_data.max_queue_size) == \
        (PyDataset().workers, PyDataset().use_multiprocessing, PyDataset().max_queue_size)
    data.workers = 0
    assert data.workers == 0


def test_py_dataset_without_super_init_warns_and_uses_the_defaults():
    class Forgetful(PyDataset):
        def __init__(self):
            pass

        def __len__(self):
            return 1

    with pytest.warns(UserWarning, match=r"Forgetful should call `super\(\).__init__\(\*\*kwargs\)`"):
        assert Forgetful().workers == 1


def test_py_dataset_argument_errors():
    with pytest.raises(ValueError, match=r"`workers` of PyDataset must be an int >= 0, received -1"):
        PyDataset(workers=-1)
    with pytest.raises(ValueError, match=r"`max_queue_size` of PyDataset must be an int >= 1, received 0"):
        PyDataset(max_queue_size=0)
    with pytest.raises(TypeError, match=r"`use_multiprocessing` of PyDataset must be True or False, received 1"):
        PyDataset(use_multiprocessing=1)
    with pytest.raises(NotImplementedError, match=r"PyDataset must implement `__getitem__"):
        PyDataset()[0]
    with pytest.raises(NotImplementedError, match=r"must implement `__len__`"):
        PyDataset().num_batches  # noqa: B018


# ---------------------------------------------------------------------------------------------------------
# EpochRunner
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [0, 1, 2, 4])
def test_every_batch_once_in_order_with_epoch_hooks(workers):
    data = Numbered(count=7, workers=workers, max_queue_size=2)
    runner = EpochRunner(data)
    first = list(runner.epoch())
    assert indexes(first) == list(range(7))
    assert data.events == ["begin", "end"]
    second = list(runner.epoch())
    assert [int(x[0, 0]) for x, _ in second] == [100 + i for i in range(7)]  # on_epoch_end ran in between
    assert data.events == ["begin", "end"] * 2
    assert sorted(data.requested) == sorted(list(range(7)) * 2)  # nothing built twice


def test_shuffled_order_is_keras_order():
    """Keras shuffles the batch indexes with Python's global `random`; so does the runner by default."""
    ours = Numbered(count=9)
    runner = EpochRunner(ours, shuffle=True)
    random.seed(5)
    our_orders = [indexes(runner.epoch()) for _ in range(3)]
    theirs = Numbered(count=9)
    adapter = PyDatasetAdapter(theirs, shuffle=True)
    random.seed(5)
    keras_orders = []
    for _ in range(3):
        adapter.on_epoch_begin()
        keras_orders.append([int(y[0]) for _, y in adapter.get_numpy_iterator()])
        adapter.on_epoch_end()
    assert our_orders == keras_orders
    assert all(sorted(order) == list(range(9)) for order in our_orders) and len(set(map(tuple, our_orders))) > 1
    seeded = [indexes(EpochRunner(Numbered(count=9), shuffle=True, rng=random.Random(3)).epoch()) for _ in range(2)]
    assert seeded[0] == seeded[1]


def test_steps_cut_an_epoch_and_an_endless_source_goes_on():
    data = Numbered(count=5)
    runner = EpochRunner(data)
    assert indexes(runner.epoch(steps=2)) == [0, 1] and data.events == ["begin", "end"]
    endless = EpochRunner(Endless(workers=2, max_queue_size=3))
    assert endless.num_batches is None
    assert [int(b[0][0]) for b in endless.epoch(steps=4)] == [0, 1, 2, 3]
    epoch = endless.epoch(steps=4)
    assert [int(next(epoch)[0][0]) for _ in range(2)] == [4, 5]
    epoch.close()  # left early: batches built ahead are dropped, the next epoch goes on after the consumed ones
    assert [int(b[0][0]) for b in endless.epoch(steps=2)] == [6, 7]
    with pytest.raises(ValueError, match=r"Endless has no end \(num_batches is None\): pass `steps`"):
        next(endless.epoch())
    with pytest.raises(ValueError, match=r"`steps` of EpochRunner.epoch must be an int >= 1, received 0"):
        runner.epoch(steps=0)


def test_two_workers_overlap_slow_batches():
    """10 batches of 20 ms each: two workers take well under the 200 ms one worker needs (generous bound)."""
    runner = EpochRunner(Numbered(count=10, delay=0.02, workers=2))
    list(runner.epoch())  # starts nothing lasting; measured on the second epoch
    start = time.perf_counter()
    assert indexes(runner.epoch()) == list(range(10))
    assert time.perf_counter() - start < 0.17


def test_workers_stay_within_max_queue_size():
    data = Numbered(count=50, workers=2, max_queue_size=3)
    epoch = EpochRunner(data).epoch()
    next(epoch)
    time.sleep(0.05)
    assert len(data.requested) <= 1 + 3  # the one consumed and at most max_queue_size ahead
    epoch.close()


@pytest.mark.parametrize("workers", [1, 3])
def test_worker_error_propagates_with_its_traceback(workers):
    runner = EpochRunner(Numbered(count=6, fail_at=4, workers=workers))
    seen = []
    with pytest.raises(KeyError, match="no batch 4 here") as info:
        for batch in runner.epoch():
            seen.append(batch)
    assert len(seen) == 4
    assert "in __getitem__" in "".join(traceback.format_exception(info.value))


@pytest.mark.parametrize("stop", ["break", "exception", "keyboard_interrupt"])
def test_leaving_an_epoch_early_stops_every_worker(stop):
    before = set(threading.enumerate())
    data = Numbered(count=40, delay=0.005, workers=3, max_queue_size=5)
    errors = {"exception": RuntimeError("step failed"), "keyboard_interrupt": KeyboardInterrupt()}
    try:
        for step, _ in enumerate(EpochRunner(data).epoch()):
            if step == 2:
                if stop == "break":
                    break
                raise errors[stop]
    except (RuntimeError, KeyboardInterrupt):
        pass
    assert extra_threads(before) == []
    assert len(data.requested) < 40 and data.events == ["begin"]  # no on_epoch_end for an unfinished epoch


def test_worker_processes_see_each_epoch_and_report_errors():
    data = Numbered(count=6, workers=2, use_multiprocessing=True)
    runner = EpochRunner(data)
    first = list(runner.epoch())
    assert indexes(first) == list(range(6))
    assert {int(y[1]) for _, y in first} - {0} and all(int(y[1]) != __import__("os").getpid() for _, y in first)
    second = list(runner.epoch())
    assert [int(x[0, 0]) for x, _ in second] == [100 + i for i in range(6)]  # the workers got the new state
    failing = EpochRunner(Numbered(count=6, fail_at=2, workers=2, use_multiprocessing=True))
    with pytest.raises(KeyError, match="no batch 2 here") as info:
        list(failing.epoch())
    assert "in __getitem__" in "".join(traceback.format_exception(info.value))  # the remote traceback
    with pytest.raises(RuntimeError, match=r"Unpicklable cannot be run by worker processes.*must be picklable"):
        list(EpochRunner(Unpicklable(workers=2, use_multiprocessing=True)).epoch())


def test_an_indexable_that_is_not_a_py_dataset_gets_the_same_prefetching():
    class MapLike:  # what a grain MapDataset offers
        def __len__(self):
            return 5

        def __getitem__(self, index):
            return (np.array([index]),)

    runner = EpochRunner(MapLike(), workers=2, shuffle=True, rng=random.Random(0))
    assert runner.num_batches == 5
    assert sorted(int(b[0][0]) for b in runner.epoch()) == list(range(5))


def test_iterables_are_read_ahead_by_one_thread():
    before = set(threading.enumerate())
    runner = EpochRunner([(np.zeros(1),), (np.ones(1),)])  # a list is indexable: no thread needed
    assert len(list(runner.epoch())) == 2

    class Restartable:
        def __iter__(self):
            return iter(range(4))

    again = EpochRunner(Restartable(), max_queue_size=2)
    assert list(again.epoch()) == [0, 1, 2, 3] and list(again.epoch(steps=3)) == [0, 1, 2]
    stream = EpochRunner(iter(range(7)), max_queue_size=2)
    assert list(stream.epoch(steps=3)) == [0, 1, 2]
    assert list(stream.epoch(steps=3)) == [3, 4, 5]  # an iterator goes on; what was read ahead is kept
    assert list(stream.epoch()) == [6] and list(stream.epoch()) == []
    stream.close()
    assert extra_threads(before) == []
    with pytest.raises(TypeError, match=r"`shuffle=True` needs batches addressed by index"):
        EpochRunner(iter(range(3)), shuffle=True)
    with pytest.raises(TypeError, match=r"EpochRunner needs a PyDataset, an object with `__len__` and `__getitem__`"):
        EpochRunner(3)


def test_prefetch_iterator_and_ordered_map():
    def failing():
        yield 1
        raise ValueError("generator broke")

    assert list(prefetch_iterator(iter(range(5)), max_queue_size=1)) == list(range(5))
    with pytest.raises(ValueError, match="generator broke") as info:
        list(prefetch_iterator(failing()))
    assert "in failing" in "".join(traceback.format_exception(info.value))
    assert list(ordered_map(lambda v: v * 10, range(6), workers=3, max_queue_size=2)) == [0, 10, 20, 30, 40, 50]
    with pytest.raises(ValueError, match=r"`workers` of ordered_map must be an int >= 1, received 0"):
        next(ordered_map(abs, [1], workers=0))
    with pytest.raises(ValueError, match=r"`max_queue_size` of prefetch_iterator must be an int >= 1, received 0"):
        next(prefetch_iterator([1], max_queue_size=0))
