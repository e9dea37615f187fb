"""Reading and writing the parts of a `.keras` file: the zip, its JSON entries and the HDF5 weights.

Everything read is checked the way Keras's own loader checks it (`saving_lib.py`): an HDF5 link that leaves the
file (external or soft links, external or virtual datasets) is refused, and so is a zip member or dataset that
declares far more bytes than it stores (a decompression bomb). Any problem is one `ValueError` naming the file
and the entry.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from typing import Any

import jax.numpy as jnp
import numpy as np

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
_BOMB_FLOOR = 1 << 32  # bytes: below this, sizes are not checked (Keras's floor)
_MAX_EXPANSION = 100


def h5py():
    """The `h5py` module, which `.keras` and `.weights.h5` files need.

    Raises:
      ImportError: naming the extra that installs it.
    """
    try:
        import h5py as module
    except ImportError:
        raise ImportError("Reading or writing Keras's .keras and .weights.h5 files needs h5py: "
                          "pip install 'kerasish[h5]' (or pip install h5py).") from None
    return module


# -- the zip --------------------------------------------------------------------------------------------------------

def open_zip(data: bytes, source: str) -> zipfile.ZipFile:
    """The zip archive of a `.keras` file.

    Raises:
      ValueError: for bytes that are not a zip archive (truncated or another kind of file).
    """
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise ValueError(f"{source} is not a .keras file: not a readable zip archive ({err}).") from None


def read_member(archive: zipfile.ZipFile, name: str, source: str) -> bytes:
    """One member's bytes.

    Raises:
      ValueError: for a missing member, a decompression bomb, or a damaged member.
    """
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ValueError(f"{source} has no {name!r} entry (it holds {sorted(archive.namelist())}); a .keras file "
                         f"holds {CONFIG!r} and {WEIGHTS!r}.") from None
    if info.file_size > _BOMB_FLOOR and info.file_size > _MAX_EXPANSION * max(info.compress_size, 1):
        raise ValueError(f"{source}: entry {name!r} declares {info.file_size} bytes but stores "
                         f"{info.compress_size}; refusing a possible decompression bomb.")
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise ValueError(f"{source}: entry {name!r} cannot be read ({err}).") from None


def read_json(archive: zipfile.ZipFile, name: str, source: str) -> Any:
    """A JSON member, parsed.

    Raises:
      ValueError: naming the entry, for a member that is not JSON.
    """
    data = read_member(archive, name, source)
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{source}: entry {name!r} is not valid JSON ({err}).") from None


def write_zip(entries: dict[str, bytes]) -> bytes:
    """A zip archive (members stored uncompressed, as Keras writes them) of `entries`, in their order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# -- HDF5 -----------------------------------------------------------------------------------------------------------

def open_h5(data: bytes, source: str):
    """An HDF5 file opened from bytes for reading.

    Raises:
      ValueError: for bytes that are not an HDF5 file.
    """
    module = h5py()
    try:
        return module.File(io.BytesIO(data), "r")
    except OSError as err:
        raise ValueError(f"{source} is not a readable HDF5 file ({err}).") from None


def group(parent, path: str, source: str):
    """The group at `path`, or None when it is absent.

    Raises:
      ValueError: for a link out of the file, or a dataset where a group belongs.
    """
    module = h5py()
    current = parent
    for part in path.split("/"):
        if part not in current:
            return None
        link = current.get(part, getlink=True)
        if not isinstance(link, module.HardLink):
            raise ValueError(f"{source}: {path!r} is a {type(link).__name__}; a weights file may not link outside "
                             f"itself.")
        current = current[part]
        if not isinstance(current, module.Group):
            raise ValueError(f"{source}: {path!r} should be a group, but holds a {type(current).__name__}.")
    return current


def dataset(parent, name: str, source: str, where: str) -> np.ndarray:
    """The array of dataset `name` in `parent`.

    Raises:
      ValueError: for a missing dataset, a link out of the file, an external or virtual dataset, or one declaring
        far more bytes than it stores.
    """
    module = h5py()
    if name not in parent:
        raise ValueError(f"{source}: {where} has no dataset {name!r}.")
    link = parent.get(name, getlink=True)
    if not isinstance(link, module.HardLink):
        raise ValueError(f"{source}: {where}/{name} is a {type(link).__name__}; a weights file may not link outside "
                         f"itself.")
    data = parent[name]
    if not isinstance(data, module.Dataset):
        raise ValueError(f"{source}: {where}/{name} should be a dataset, but is a {type(data).__name__}.")
    if data.external or data.is_virtual:
        raise ValueError(f"{source}: {where}/{name} is an external or virtual dataset, which a weights file may not "
                         f"hold.")
    declared = math.prod(data.shape or ()) * data.dtype.itemsize
    if declared > _BOMB_FLOOR and declared > 10 * _MAX_EXPANSION * data.id.get_storage_size():
        raise ValueError(f"{source}: {where}/{name} declares {declared} bytes but stores "
                         f"{data.id.get_storage_size()}; refusing a possible decompression bomb.")
    if data.attrs.get("dtype") == "bfloat16":
        return np.array(data, dtype=jnp.bfloat16)
    return np.array(data)


def write_array(group_, name: str, value: Any) -> None:
    """Stores `value` as dataset `name` (bfloat16 tagged as Keras tags it)."""
    value = np.asarray(value)
    if value.dtype == jnp.bfloat16:
        group_.create_dataset(name, data=value).attrs["dtype"] = "bfloat16"
    else:
        group_[name] = value


def h5_bytes(write) -> bytes:
    """The bytes of a new HDF5 file that `write(file)` fills."""
    buffer = io.BytesIO()
    with h5py().File(buffer, "w") as file:
        write(file)
    return buffer.getvalue()
