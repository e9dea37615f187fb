"""kerasish.datasets.npz_utils: pickled data set files are read without running code from them."""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

from kerasish.datasets.npz_utils import RestrictedUnpickler, load_npz, load_pickle


class Gadget:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_arrays_and_python_values_round_trip(protocol):
    content = {b"data": np.arange(12, dtype=np.uint8).reshape(3, 4), "labels": [1, 2, 3], "name": "batch",
               "ragged": np.array([[1, 2], [3]], dtype=object), "f": np.float32(2.5) * np.ones(2)}
    loaded = load_pickle(io.BytesIO(pickle.dumps(content, protocol=protocol)))
    assert loaded[b"data"].dtype == np.uint8 and loaded[b"data"].tolist() == content[b"data"].tolist()
    assert loaded["labels"] == [1, 2, 3] and loaded["ragged"].tolist() == [[1, 2], [3]]
    assert loaded["f"].dtype == np.float64


def test_code_in_a_pickle_is_refused(tmp_path):
    with pytest.raises(pickle.UnpicklingError, match=r"Refusing to rebuild `posix.system` while loading a data set"):
        RestrictedUnpickler(io.BytesIO(pickle.dumps(Gadget()))).load()
    with pytest.raises(pickle.UnpicklingError, match=r"Refusing `_codecs.encode` with encoding 'rot13'"):
        load_pickle(io.BytesIO(b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00rot13\x86R."))
    evil = np.empty(1, dtype=object)
    evil[0] = Gadget()
    np.savez(tmp_path / "evil.npz", x=evil)
    with pytest.raises(pickle.UnpicklingError, match="Refusing to rebuild"):
        load_npz(tmp_path / "evil.npz")


def test_numeric_members_read_without_pickle(tmp_path):
    np.savez(tmp_path / "plain.npz", a=np.arange(3), b=np.eye(2, dtype="float32"))
    arrays = load_npz(tmp_path / "plain.npz")
    assert sorted(arrays) == ["a", "b"] and arrays["b"].dtype == np.float32
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    member.write(pickle.dumps([1, 2]))  # an object-array header followed by a pickled list
    with zipfile.ZipFile(tmp_path / "odd.npz", "w") as archive:
        archive.writestr("x.npy", member.getvalue())
    with pytest.raises(ValueError, match=r"An object-array member of the file holds a list, not an array"):
        load_npz(tmp_path / "odd.npz")
