"""`keras.src.testing.test_utils` for the ported tests: the synthetic data Keras's tests train on.

`get_test_data` is Keras's own generator (pure NumPy, seeded), so a ported test trains on exactly the
data it trains on in Keras.
"""

from keras.src.testing.test_utils import get_test_data

__all__ = ["get_test_data"]
