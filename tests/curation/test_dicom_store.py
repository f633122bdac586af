"""Content-addressed storage: the filesystem fast path, other storage backends, and the store thread's GIL hand-over."""

import os
import stat
import sys

import pytest
from django.core.files.storage import FileSystemStorage, InMemoryStorage

from curation.dicom import store


@pytest.fixture
def fs_storage(tmp_path):
    return FileSystemStorage(location=tmp_path / "archive", file_permissions_mode=0o640)


def test_files_are_stored_under_their_sha256_once(fs_storage, monkeypatch):
    saved = []
    real_save = fs_storage.save
    monkeypatch.setattr(fs_storage, "save", lambda name, content: saved.append(name) or real_save(name, content))
    data = b"DICM" * 1000
    path = store.store_bytes(data, storage=fs_storage)
    assert saved == [path]  # the first file of its folder: the storage's own save makes the folder
    assert store.store_bytes(data, storage=fs_storage) == path == store.content_path(store.sha256_hex(data))
    sibling_data = next(  # another file of the same folder: written by the fast path
        candidate for candidate in (n.to_bytes(2, "big") * 8 for n in range(4096))
        if store.sha256_hex(candidate)[:2] == store.sha256_hex(data)[:2]
    )
    sibling = store.store_bytes(sibling_data, storage=fs_storage)
    assert saved == [path] and os.path.dirname(sibling) == os.path.dirname(path) != ""
    for stored, content in ((path, data), (sibling, sibling_data)):
        assert stat.S_IMODE(os.stat(fs_storage.path(stored)).st_mode) == 0o640  # the storage's permissions
        assert store.read_bytes(stored, storage=fs_storage) == content
    assert sorted(fs_storage.listdir(os.path.dirname(path))[1]) == sorted(map(os.path.basename, (path, sibling)))


def test_an_existing_file_is_never_rewritten(fs_storage):
    data = b"original bytes"
    path = store.store_bytes(data, storage=fs_storage)
    full = fs_storage.path(path)
    os.utime(full, (1, 1))
    assert store.write_new_file(full, b"something else") is True
    assert os.stat(full).st_mtime == 1 and open(full, "rb").read() == data


def test_a_missing_folder_is_left_to_the_storage(tmp_path):
    assert store.write_new_file(str(tmp_path / "no-such-folder" / "x.dcm"), b"x") is False
    assert not (tmp_path / "no-such-folder").exists()


def test_a_failed_write_leaves_no_file_under_the_address(tmp_path, monkeypatch):
    def disk_full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "write", disk_full)
    target = tmp_path / "x.dcm"
    with pytest.raises(OSError, match="No space left"):
        store.write_new_file(str(target), b"x" * 100)
    assert not target.exists()


def test_other_backends_store_through_the_storage_api():
    memory = InMemoryStorage()
    digest, path = store.store_instance_file(b"DICM in memory", storage=memory)
    assert digest == store.sha256_hex(b"DICM in memory") and store.read_bytes(path, storage=memory) == b"DICM in memory"
    assert store.store_bytes(b"DICM in memory", storage=memory) == path
    assert memory.listdir(os.path.dirname(path))[1] == [os.path.basename(path)]


def test_the_switch_interval_is_short_while_any_store_thread_runs(fs_storage):
    default = sys.getswitchinterval()
    first, second = store.BackgroundStore(storage=fs_storage), store.BackgroundStore(storage=fs_storage)
    assert sys.getswitchinterval() == default  # nothing changes until a file is submitted
    first.submit(b"one").result()
    second.submit(b"two").result()
    assert sys.getswitchinterval() == pytest.approx(store._SwitchInterval.SECONDS)
    first.close()
    assert sys.getswitchinterval() == pytest.approx(store._SwitchInterval.SECONDS)  # the second store still runs
    second.close()
    second.close()  # closing twice restores nothing twice
    assert sys.getswitchinterval() == default
