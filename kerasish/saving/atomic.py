"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Writes `data` to `path` atomically.

    A symbolic link is written through: its target is replaced, the link stays. The bytes go to a temporary
    file in the target's folder (a rename is only atomic within one file
    system), which is flushed and fsync'ed, then renamed over `path` with `os.replace`; the folder is
    fsync'ed too so the rename itself survives a power cut. If anything fails, the temporary file is
    removed and `path` is left as it was.

    Args:
      path: the destination file; its folder must exist.
      data: the complete new content.

    Raises:
      IsADirectoryError: if `path` is a folder.
      OSError: whatever the file system raises (a full disk, a read-only folder), naming `path`; `path` is then
        unchanged and no temporary file is left.

    Example:
      >>> import pathlib, tempfile
      >>> target = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
      >>> atomic_write_bytes(target, b"hello")
      >>> target.read_bytes()
      b'hello'
    """
    given = os.fspath(path)
    path = os.path.realpath(given)  # through a symbolic link: the link stays, its target is replaced
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot write to {given!r}: it is a folder. Give the path of a file.")
    folder = os.path.dirname(path)
    try:
        # Ctrl-C is held back from creating the temporary file to the `try` that removes it (then delivered)
        held = _hold_interrupts()
        try:
            fd, temporary = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
            file = os.fdopen(fd, "wb")
        except BaseException:
            _release_interrupts(held)
            raise
        try:
            _release_interrupts(held)
            with file as f:
                os.chmod(temporary, _file_mode(path))  # mkstemp makes it owner-only
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, path)
        except BaseException:
            file.close()
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
            raise
    except OSError as error:  # name the file the user gave, not the temporary one
        raise type(error)(error.errno, f"Cannot write {given!r}: {error.strerror or error}", given) from error
    _fsync_folder(folder)


def _hold_interrupts():
    """Holds Ctrl-C back: in the main thread, a Python-level SIGINT handler that only records the signal (whatever
    OS thread receives it, Python runs handlers in the main thread). Returns what `_release_interrupts` needs."""
    if threading.current_thread() is not threading.main_thread() or not callable(signal.getsignal(signal.SIGINT)):
        return None
    pending: list = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pending.append((signum, frame)))
    return previous, pending


def _release_interrupts(held) -> None:
    """Puts the previous SIGINT handler back and, if a Ctrl-C came meanwhile, runs it now."""
    if held is None:
        return
    previous, pending = held
    signal.signal(signal.SIGINT, previous)
    if pending:
        previous(*pending[0])


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
