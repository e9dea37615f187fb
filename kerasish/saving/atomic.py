"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Writes `data` to `path` atomically.

    The bytes go to a temporary file in the same folder (a rename is only atomic within one file
    system), which is flushed and fsync'ed, then renamed over `path` with `os.replace`; the folder is
    fsync'ed too so the rename itself survives a power cut. If anything fails, the temporary file is
    removed and `path` is left as it was.

    Args:
      path: the destination file; its folder must exist.
      data: the complete new content.

    Raises:
      IsADirectoryError: if `path` is a folder.
      OSError: whatever the file system raises; `path` is then unchanged.

    Example:
      >>> import pathlib, tempfile
      >>> target = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
      >>> atomic_write_bytes(target, b"hello")
      >>> target.read_bytes()
      b'hello'
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot write to {path!r}: it is a folder. Give the path of a file.")
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.chmod(temporary, _file_mode(path))  # mkstemp makes it owner-only
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)


def _file_mode(path: str) -> int:
    """The existing file's permissions, or those a new file gets under the current umask."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: str) -> None:
    if os.name != "posix":  # Windows cannot open a folder; its rename is already durable enough
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
