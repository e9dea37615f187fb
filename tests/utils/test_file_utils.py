"""kerasish.utils.get_file: Keras's cache layout and extraction, offline, against Keras's own get_file.

Keras's `get_file` returns a cached file without touching the network when it is there (and its hash
matches), and extracts archives every time; so on the same cache both give the same paths and files.
"""

import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from kerasish.utils import get_file
from kerasish.utils.file_utils import extract_archive, hash_file, keras_home, validate_file

keras = pytest.importorskip("keras")
from keras.src.utils import file_utils as keras_file_utils  # noqa: E402

ORIGIN = "https://example.com/files/data.bin"


def tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def make_tar(path, members):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


@pytest.fixture
def cache(tmp_path):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "data.bin").write_bytes(b"payload")
    return tmp_path


def test_cached_file_is_returned_where_keras_returns_it(cache):
    sha = hashlib.sha256(b"payload").hexdigest()
    md5 = hashlib.md5(b"payload").hexdigest()  # noqa: S324
    for kwargs in ({}, {"file_hash": sha}, {"file_hash": md5}, {"md5_hash": md5}, {"fname": "data.bin"}):
        got = get_file(origin=ORIGIN, cache_dir=str(cache), **kwargs)
        assert got == keras.utils.get_file(origin=ORIGIN, cache_dir=str(cache), **kwargs)
        assert Path(got).read_bytes() == b"payload"
    assert get_file(str(cache / "datasets" / "data.bin"), origin=ORIGIN) == str(cache / "datasets" / "data.bin")


def test_keras_home_is_read_at_each_call(cache, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(cache))
    assert keras_home() == str(cache)
    assert get_file("data.bin", origin=ORIGIN) == str(cache / "datasets" / "data.bin")
    monkeypatch.delenv("KERAS_HOME")
    assert keras_home() == os.path.join(os.path.expanduser("~"), ".keras")


@pytest.mark.parametrize("fname,archive_name", [("bundle.tar.gz", "bundle.tar.gz"), ("bundle", "bundle_archive")],
                         ids=["with_dot", "without_dot"])
@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_extraction_matches_keras(tmp_path, fname, archive_name, kind):
    members = {"inner/a.txt": b"alpha", "inner/sub/b.txt": b"beta"}
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for root in (ours, theirs):
        (root / "datasets").mkdir(parents=True)
        if kind == "tar":
            make_tar(root / "datasets" / archive_name, members)
        else:
            with zipfile.ZipFile(root / "datasets" / archive_name, "w") as archive:
                for name, data in members.items():
                    archive.writestr(name, data)
    got = get_file(fname, origin=ORIGIN, extract=True, cache_dir=str(ours))
    expected = keras.utils.get_file(fname, origin=ORIGIN, extract=True, cache_dir=str(theirs))
    assert os.path.relpath(got, ours) == os.path.relpath(expected, theirs)
    assert tree(got) == tree(expected) == members
    os.remove(ours / "datasets" / archive_name)  # an extracted folder is enough on the next call
    assert get_file(fname, origin=ORIGIN, extract=True, cache_dir=str(ours)) == got
    untarred = get_file(str(theirs / "datasets" / archive_name), origin=ORIGIN, untar=kind == "tar",
                        extract=kind == "zip")
    assert tree(untarred) == members


def test_hashes_match_keras(cache):
    path = cache / "datasets" / "data.bin"
    for algorithm in ("sha256", "md5"):
        assert hash_file(path, algorithm) == keras_file_utils.hash_file(str(path), algorithm)
    assert validate_file(path, hashlib.sha256(b"payload").hexdigest()) and not validate_file(path, "0" * 64)


def test_missing_file_names_the_path_and_the_url(tmp_path):
    expected = os.path.join(str(tmp_path), "datasets", "data.bin")
    with pytest.raises(FileNotFoundError, match=rf"'data.bin' is not in the cache: expected the file {expected}\. "
                                                rf"kerasish never downloads: fetch {ORIGIN} by hand \(e\.g\. "
                                                rf"`curl -L -o '{expected}' '{ORIGIN}'`\)"):
        get_file(origin=ORIGIN, cache_dir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"expected the file .*bundle_archive \(or its extracted contents in "
                                                r"the folder .*datasets/bundle\)"):
        get_file("bundle", origin=ORIGIN, extract=True, cache_dir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"the file /nowhere/data.bin \(given as `fname`\) does not exist"):
        get_file("/nowhere/data.bin", origin=ORIGIN)


def test_argument_errors(cache, tmp_path):
    with pytest.raises(ValueError, match=r'Please specify the "origin" argument'):
        get_file("data.bin")
    with pytest.raises(ValueError, match=r"`force_download=True` asks get_file to download .*never downloads"):
        get_file("data.bin", origin=ORIGIN, cache_dir=str(cache), force_download=True)
    with pytest.raises(ValueError, match=r"does not match its expected sha256 hash: expected 0{64}, found "
                                         + hashlib.sha256(b"payload").hexdigest()):
        get_file("data.bin", origin=ORIGIN, cache_dir=str(cache), file_hash="0" * 64)
    with pytest.raises(ValueError, match=r"`hash_algorithm` must be 'sha256', 'md5' or 'auto', received 'sha1'"):
        get_file("data.bin", origin=ORIGIN, cache_dir=str(cache), hash_algorithm="sha1")
    with pytest.raises(ValueError, match=r"Can't parse the file name from the origin provided: 'https://example.com/'"):
        get_file(origin="https://example.com/", cache_dir=str(cache))
    (cache / "datasets" / "plain_archive").write_bytes(b"not an archive")
    with pytest.raises(ValueError, match=r"Could not extract .*plain_archive: it is not a auto archive"):
        get_file("plain", origin=ORIGIN, extract=True, cache_dir=str(cache))
    with pytest.raises(ValueError, match=r"`archive_format` must be 'auto', 'tar', 'zip', a list of them or None, "
                                         r"received 'rar'"):
        extract_archive(cache / "datasets" / "data.bin", tmp_path / "out", "rar")


def test_archive_members_outside_the_folder_are_refused(tmp_path):
    make_tar(tmp_path / "evil.tar.gz", {"../escaped.txt": b"x"})
    with pytest.raises(ValueError, match=r"holds '\.\./escaped\.txt', which would be written outside .*: refused"):
        extract_archive(tmp_path / "evil.tar.gz", tmp_path / "out")
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as archive:
        archive.writestr("../../escaped.txt", b"x")
    with pytest.raises(ValueError, match=r"holds '\.\./\.\./escaped\.txt', which would be written outside"):
        extract_archive(tmp_path / "evil.zip", tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists() and extract_archive(tmp_path / "evil.zip", tmp_path, None) is False
