"""kerasish.utils.timeseries_dataset_from_array: the windows Keras's documentation defines, built here by an
explicit loop over window starts (`start_index + i * sequence_stride`)."""

import numpy as np
import pytest

from kerasish.utils import timeseries_dataset_from_array


def expected_windows(data, targets, length, stride, rate, start, end):
    windows, labels = [], []
    first = start
    while first + (length - 1) * rate < end and (targets is None or first < len(targets)):
        windows.append(data[[first + k * rate for k in range(length)]])
        labels.append(None if targets is None else targets[first])
        first += stride
    return np.array(windows), labels


@pytest.mark.parametrize("length,stride,rate,start,end", [(5, 1, 1, None, None), (4, 3, 2, None, None),
                                                         (3, 2, 1, 4, 17), (2, 1, 3, 1, None)])
def test_windows_and_targets(length, stride, rate, start, end):
    data = np.arange(40, dtype="float32").reshape(20, 2)
    targets = np.arange(20) * 10
    ds = timeseries_dataset_from_array(data, targets, sequence_length=length, sequence_stride=stride,
                                       sampling_rate=rate, batch_size=3, start_index=start, end_index=end)
    windows, labels = expected_windows(data, targets, length, stride, rate, start or 0, end or len(data))
    got_windows, got_labels = (np.concatenate(parts) for parts in zip(*ds))
    assert len(ds) == -(-len(windows) // 3)
    np.testing.assert_array_equal(got_windows, windows)
    assert got_windows.dtype == np.float32 and got_labels.tolist() == labels


def test_keras_shuffle_of_the_starts_and_each_pass():
    data = np.arange(30)
    ds = timeseries_dataset_from_array(data, None, sequence_length=4, batch_size=5, shuffle=True, seed=9)
    starts = np.arange(0, 27)
    np.random.RandomState(9).shuffle(starts)  # what Keras draws for the windows' starts
    passes = [np.concatenate(list(ds))[:, 0] for _ in range(2)]
    assert sorted(passes[0]) == sorted(passes[1]) == list(range(27)) and not np.array_equal(passes[0], passes[1])
    grain = timeseries_dataset_from_array(data, None, sequence_length=4, batch_size=None, shuffle=True, seed=9,
                                          format="grain")
    firsts = [int(w[0]) for w in grain]
    assert firsts == [int(w[0]) for w in grain] and sorted(firsts) == sorted(starts.tolist())
    single = next(iter(timeseries_dataset_from_array(data, data * 2, sequence_length=3, batch_size=None)))
    assert single[0].tolist() == [0, 1, 2] and int(single[1]) == 0


def test_errors():
    data = np.arange(10)
    cases = [({"start_index": -1}, "`start_index` must be 0 or greater"),
             ({"start_index": 10}, "`start_index` must be lower than the length of the data"),
             ({"start_index": 5, "end_index": 5}, "`end_index` must be higher than `start_index`"),
             ({"end_index": 10}, "`end_index` must be lower than the length of the data"),
             ({"sampling_rate": 0}, "`sampling_rate` must be higher than 0"),
             ({"sampling_rate": 10}, "`sampling_rate` must be lower than the length of the data"),
             ({"sequence_stride": 0}, "`sequence_stride` must be higher than 0"),
             ({"sequence_stride": 10}, "`sequence_stride` must be lower than the length of the data"),
             ({"sequence_length": 0}, "`sequence_length` must be higher than 0"),
             ({"format": "torch"}, '`format` should be either "tf" or "grain"'),
             ({"sequence_length": 11}, r"No window fits: sequence_length=11 with sampling_rate=1 spans 11 steps")]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            timeseries_dataset_from_array(data, None, **{"sequence_length": 3, **kwargs})
    with pytest.raises(ValueError, match=r"`data` must hold time steps along a first axis, received a scalar"):
        timeseries_dataset_from_array(3, None, 1)
