"""`kerasish.naming`: Keras's automatic names, one counter per prefix, reset by `backend.clear_session`."""

from kerasish import backend, naming


def test_one_counter_per_prefix_reset_by_clear_session():
    backend.clear_session(free_memory=False)
    assert [naming.unique_name("dense"), naming.unique_name("dense"), naming.unique_name("conv")] == [
        "dense", "dense_1", "conv"]
    backend.clear_session(free_memory=False)
    assert naming.unique_name("dense") == "dense"
