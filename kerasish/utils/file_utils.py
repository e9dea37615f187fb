"""Keras's `get_file`, offline: it finds a file where Keras would have cached it, and never downloads.

Keras's `get_file(fname, origin, ...)` downloads `origin` into `~/.keras/<cache_subdir>/<fname>` (or under
`KERAS_HOME`) unless it is already there. Here the file must already be there (put by hand, or by an
earlier Keras run): `get_file` checks it against `file_hash` when one is given, extracts archives as Keras
does (into the same folder names), and returns the path. A missing file raises `FileNotFoundError` naming
the path expected and the URL to fetch it from. `fname` may also be a path to the file itself.

Archives are extracted safely: no member is written outside the extraction folder (tar's "data" filter,
and the same check for zip files), into a temporary folder renamed into place when complete.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.parse
import zipfile
from typing import Any

__all__ = ["extract_archive", "get_file", "hash_file", "keras_home", "validate_file"]

_CHUNK = 65535


def keras_home() -> str:
    """Keras's cache root: `$KERAS_HOME` if set, else `~/.keras` (`/tmp/.keras` if the home is not writable).

    Read at every call, so setting `KERAS_HOME` in a running program takes effect.

    Example:
      >>> os.environ["KERAS_HOME"] = "/data/keras"; keras_home()
      '/data/keras'
      >>> del os.environ["KERAS_HOME"]
    """
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return os.path.join(base, ".keras")


def _hasher(algorithm: str, file_hash: str | None = None):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None and len(file_hash) == 64):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        return hashlib.md5()  # noqa: S324 - Keras's legacy checksums, not a security measure
    raise ValueError(f"Argument `hash_algorithm` must be 'sha256', 'md5' or 'auto', received {algorithm!r}.")


def hash_file(fpath: str | os.PathLike, algorithm: str = "sha256", chunk_size: int = _CHUNK) -> str:
    """The hex digest of a file: `"sha256"` or `"md5"` (`"auto"`: md5, as Keras without a hash to compare).

    Example:
      >>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
      >>> with open(path, "w") as f:
      ...     _ = f.write("abc")
      >>> hash_file(path)[:16]
      'ba7816bf8f01cfea'
    """
    hasher = _hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str | os.PathLike, file_hash: str, algorithm: str = "auto", chunk_size: int = _CHUNK) -> bool:
    """Whether a file's hash is `file_hash` (`"auto"`: sha256 for a 64-digit hash, else md5)."""
    return hash_file(fpath, _hasher(algorithm, file_hash), chunk_size) == str(file_hash)


def _inside(base: str, member: str) -> bool:
    target = os.path.realpath(os.path.join(base, member))
    return os.path.commonpath([target, base]) == base


def extract_archive(file_path: str | os.PathLike, path: str | os.PathLike = ".", archive_format: Any = "auto") -> bool:
    """Extracts a tar (any compression) or zip archive into `path`, refusing members that would land outside.

    Args:
      file_path: the archive.
      path: the folder to extract into (created if missing).
      archive_format: `"auto"` (tar, then zip), `"tar"`, `"zip"`, a list of them, or None (do nothing).

    Returns:
      True when the file was an archive of one of those formats and was extracted, else False.

    Raises:
      ValueError: for an unknown format name, or an archive member whose path leaves `path`.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for name in formats:
        if name not in ("tar", "zip"):
            raise ValueError(f"Argument `archive_format` must be 'auto', 'tar', 'zip', a list of them or None, "
                             f"received {archive_format!r}.")
    file_path, path = os.fspath(file_path), os.path.realpath(os.fspath(path))
    for name in formats:
        if name == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                for member in archive.getmembers():
                    if not _inside(path, member.name):
                        raise ValueError(f"Archive {file_path!r} holds {member.name!r}, which would be written "
                                         f"outside {path!r}: refused.")
                archive.extractall(path, filter="data")
            return True
        if name == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                for member in archive.namelist():
                    if not _inside(path, member):
                        raise ValueError(f"Archive {file_path!r} holds {member!r}, which would be written outside "
                                         f"{path!r}: refused.")
                archive.extractall(path)
            return True
    return False


def _missing(fname: str, expected: str, origin: str, extracted: str | None = None) -> FileNotFoundError:
    alternative = (f" (or its extracted contents in the folder {extracted})" if extracted else "")
    return FileNotFoundError(
        f"{fname!r} is not in the cache: expected the file {expected}{alternative}. kerasish never downloads: fetch "
        f"{origin} by hand (e.g. `curl -L -o '{expected}' '{origin}'`) and put it there, or set KERAS_HOME (or "
        f"`cache_dir`) to the folder that holds it.")


def _check_hash(path: str, file_hash: str | None, algorithm: str, origin: str) -> None:
    if file_hash is None:
        return
    hasher = _hasher(algorithm, file_hash)
    actual = hash_file(path, hasher)
    if actual != str(file_hash):
        raise ValueError(f"The file {path} does not match its expected {hasher.name} hash: expected {file_hash}, found "
                         f"{actual} (an incomplete or different download). Fetch {origin} again and replace it.")


def get_file(fname: str | os.PathLike | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None, cache_subdir: str = "datasets",
             hash_algorithm: str = "auto", extract: bool = False, archive_format: Any = "auto",
             cache_dir: str | os.PathLike | None = None, force_download: bool = False) -> str:
    """Returns the path of a cached file, as Keras's `get_file` would after downloading it, without downloading.

    The file is looked for at `<cache_dir>/<cache_subdir>/<fname>` (`cache_dir`: `keras_home()`), or at
    `fname` itself when it is a path to a file. With `extract=True` (or `untar=True`) the archive is
    extracted as Keras does: a `fname` with a dot (`"data.tar.gz"`) into `<name before the dot>_extracted`,
    one without (`"data"`) from the archive `data_archive` into the folder `data`; the folder is returned.
    An extracted folder already there is used as it is (also when its archive is gone).

    Args:
      fname: the file's name in the cache (the last part of `origin`'s path when None), or a path.
      origin: the URL Keras downloads the file from: named in the error when the file is missing.
      untar: deprecated in Keras: `extract=True` with `archive_format="tar"`.
      md5_hash: deprecated in Keras: `file_hash` with `hash_algorithm="md5"`.
      file_hash: the expected sha256 (or md5) hex digest; a file that does not match is an error.
      cache_subdir: the folder under `cache_dir`.
      hash_algorithm: `"auto"` (sha256 for a 64-digit hash, else md5), `"sha256"` or `"md5"`.
      extract: extract the archive and return the folder.
      archive_format: `"auto"`, `"tar"`, `"zip"`, a list of them, or None.
      cache_dir: the cache root; `keras_home()` (honouring `KERAS_HOME`) when None.
      force_download: must be False: kerasish never downloads.

    Returns:
      The path (str) of the file, or of the extracted folder.

    Raises:
      ValueError: for a missing `origin`, `force_download=True`, or a file that does not match `file_hash`.
      FileNotFoundError: when the file is not there; the message names the path and the URL to fetch.

    Example:
      >>> cache = tempfile.mkdtemp()
      >>> os.makedirs(os.path.join(cache, "datasets"))
      >>> with open(os.path.join(cache, "datasets", "notes.txt"), "w") as f:
      ...     _ = f.write("hello")
      >>> path = get_file("notes.txt", origin="https://example.com/notes.txt", cache_dir=cache)
      >>> path == os.path.join(cache, "datasets", "notes.txt")
      True
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if force_download:
        raise ValueError(f"Argument `force_download=True` asks get_file to download {origin}; kerasish never "
                         f"downloads. Fetch the file by hand and put it in the cache (see `keras_home()`).")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    _hasher(hash_algorithm, file_hash)  # checks the algorithm's name
    given = os.fspath(fname) if fname is not None else None
    is_path = bool(given) and (os.sep in given or bool(os.altsep and os.altsep in given))
    if is_path:
        if not os.path.exists(given):
            raise FileNotFoundError(f"get_file: the file {given} (given as `fname`) does not exist. Fetch {origin} "
                                    f"by hand and put it there.")
        if os.path.isdir(given):
            return given
        datadir, name = os.path.split(os.path.abspath(given))
    else:
        name = given or os.path.basename(urllib.parse.urlsplit(origin).path)
        if not name:
            raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'. Please specify the "
                             f"`fname` argument.")
        datadir = os.path.join(os.path.expanduser(os.fspath(cache_dir) if cache_dir else keras_home()), cache_subdir)
    if not (extract or untar):
        target = os.path.join(datadir, name)
        if not os.path.isfile(target):
            raise _missing(name, target, origin)
        _check_hash(target, file_hash, hash_algorithm, origin)
        return target
    if is_path:  # `fname` is the archive itself
        archive, extracted = os.path.join(datadir, name), os.path.join(datadir, name.split(".")[0] + "_extracted")
    elif given and "." in name:
        archive, extracted = os.path.join(datadir, name), os.path.join(datadir, name[:name.find(".")] + "_extracted")
    else:
        archive, extracted = os.path.join(datadir, f"{name}_archive"), os.path.join(datadir, name)
    if os.path.isdir(extracted) and os.listdir(extracted):
        return extracted
    if not os.path.isfile(archive):
        raise _missing(name, archive, origin, extracted)
    _check_hash(archive, file_hash, hash_algorithm, origin)
    staging = tempfile.mkdtemp(prefix=".extracting_", dir=datadir)
    try:
        if not extract_archive(archive, staging, "tar" if untar else archive_format):
            raise ValueError(f"Could not extract {archive}: it is not a {archive_format} archive.")
        if os.path.isdir(extracted):
            os.rmdir(extracted)  # an empty folder left behind
        os.replace(staging, extracted)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return extracted
