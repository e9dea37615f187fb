"""TensorFlow's string hashes in Python: FarmHash Fingerprint64 against pyfarmhash, SipHash-2-4 and the crossed
hash against the bins Keras's own tests expect."""

import numpy as np
import pytest

from kerasish.layers.feature_preprocessing import hashes

farmhash = pytest.importorskip("farmhash")


def test_fingerprint64_matches_farmhash_for_every_length_branch():
    rng = np.random.default_rng(0)
    for n in list(range(0, 70)) + [127, 128, 129, 300]:  # 0-16, 17-32, 33-64 and the 64-byte loop
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert hashes.fingerprint64(data) == farmhash.fingerprint64(data), n
    assert hashes.fingerprint64("héllo wörld".encode()) == farmhash.fingerprint64("héllo wörld")


def test_hash_buckets_give_keras_bins():
    # Expected bins from Keras's hashing_test.py (TensorFlow computed them).
    letters = np.array(["A", "B", "C", "D", "E"])
    assert hashes.hash_buckets(letters, 3).tolist() == [1, 0, 1, 1, 2]
    assert hashes.hash_buckets(letters, 3, (133, 137)).tolist() == [1, 2, 1, 0, 2]
    assert hashes.hash_buckets(letters, 3, (133, 133)).tolist() == [0, 0, 2, 1, 0]
    words = np.array(["omar", "stringer", "marlo", "wire", "skywalker"])
    assert hashes.hash_buckets(words, 2).tolist() == [0, 0, 1, 0, 0]
    assert hashes.hash_buckets(words, 2, (133, 137)).tolist() == [0, 1, 0, 1, 0]
    assert hashes.hash_buckets(np.array([0, 1, 2, 3, 4]), 3).tolist() == [1, 0, 1, 0, 2]
    np.testing.assert_array_equal(hashes.hash_buckets(np.array([0.5, 1.9, 2.2]), 3),
                                  hashes.hash_buckets(np.array([0, 1, 2]), 3))  # floats truncated first
    assert hashes.hash_buckets(np.array([], dtype=object), 3).shape == (0,)


def test_cross_hash_gives_keras_bins():
    # Expected bins from Keras's hashed_crossing_test.py.
    pairs = zip(["A", "B", "A", "B", "A"], [101, 101, 101, 102, 102])
    assert [hashes.cross_hash(pair, 5) for pair in pairs] == [1, 4, 1, 1, 3]
    assert hashes.cross_hash((b"A", 101), 5) == 1
