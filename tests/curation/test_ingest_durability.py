"""Nothing accepted is lost in a crash: an indexed instance always has its complete file, and a re-run after a
kill indexes every instance exactly once.

SIGKILL leaves the page cache to the OS, so the kills check the order of writes and commits and the repair of
files a killed writer left short; that the files and folders really reach the disk before a batch's rows
commit is checked by counting the fsync calls (the real fsync still runs) against the index commits.
"""

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from io import BytesIO

import pydicom
import pytest
from django.conf import settings
from django.core.files.storage import default_storage

import curation.services.archive as archive
from curation.dicom.store import content_path, sha256_hex, store_bytes
from curation.models import Instance
from tests.conftest import _database_url

N_INSTANCES = 60
BATCH = 7  # several batches, so kills land between and inside them

INGEST_SCRIPT = """
import json, sys
import django
django.setup()
from pathlib import Path
from curation.services.archive import IngestSession
with IngestSession(source="cli", batch_size=int(sys.argv[2])) as session:
    for path in sorted(Path(sys.argv[1]).glob("*.dcm")):
        session.add(path.read_bytes(), name=path.name)
print(json.dumps(session.summary.as_dict()))
"""


def _start_ingest(folder, test_data_dir) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "radcurate.settings",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "RADCURATE_DEID_KEY": settings.RADCURATE_DEID_KEY,
        "RADCURATE_DATA_DIR": str(test_data_dir),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([sys.executable, "-c", INGEST_SCRIPT, str(folder), str(BATCH)], cwd=settings.BASE_DIR,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_when(proc: subprocess.Popen, *, rows: int | None = None, seconds: float | None = None) -> None:
    """SIGKILL once `rows` instances are indexed (committed) or after `seconds`."""
    deadline = time.monotonic() + 120
    start = time.monotonic()
    while proc.poll() is None and time.monotonic() < deadline:
        if seconds is not None and time.monotonic() - start >= seconds:
            break
        if rows is not None and Instance.objects.count() >= rows:
            break
        time.sleep(0.002)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)


def _assert_indexed_files_complete() -> None:
    for sop_uid, path, size, digest in Instance.objects.values_list("sop_uid", "storage_path", "size", "sha256"):
        with default_storage.open(path, "rb") as fh:
            data = fh.read()
        assert (len(data), sha256_hex(data)) == (size, digest), f"{path}: stored file differs from its index row"
        assert pydicom.dcmread(BytesIO(data), stop_before_pixels=True).SOPInstanceUID == sop_uid


@pytest.mark.django_db(transaction=True)
def test_ingest_killed_at_random_points_then_rerun_indexes_every_instance_once_with_its_whole_file(
        ct_series_files, test_data_dir):
    paths, _, _ = ct_series_files(n=N_INSTANCES, size=128)
    folder = paths[0].parent
    rng = random.Random(20261206)
    # one kill early (start-up or the first batch), then at growing counts of indexed rows: each re-run
    # goes on from what the last one committed
    kill_points = [{"seconds": rng.uniform(0.1, 0.6)}] + [{"rows": n} for n in
                                                         sorted(rng.sample(range(1, N_INSTANCES - 5), 3))]
    for point in kill_points:
        _kill_when(_start_ingest(folder, test_data_dir), **point)
        _assert_indexed_files_complete()

    proc = _start_ingest(folder, test_data_dir)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err[-3000:]
    summary = json.loads(out.strip().splitlines()[-1])
    indexed_before = N_INSTANCES - summary["accepted"]
    assert (summary["duplicate"], summary["rejected"]) == (indexed_before, 0), summary
    assert Instance.objects.count() == Instance.objects.values("sop_uid").distinct().count() == N_INSTANCES
    _assert_indexed_files_complete()


@pytest.fixture
def fsync_events(monkeypatch):
    """Each fsync (the real one runs) and each index commit, in order."""
    events = []
    real_fsync, real_index = os.fsync, archive.index_batch

    def counting_fsync(fd):
        real_fsync(fd)
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))

    def recording_index(batch):
        result = real_index(batch)
        events.append(("index", [default_storage.path(p.storage_path) for p in batch]))
        return result

    monkeypatch.setattr(os, "fsync", counting_fsync)
    monkeypatch.setattr(archive, "index_batch", recording_index)
    return events


@pytest.mark.django_db
def test_each_batch_syncs_its_files_and_folders_before_its_rows_are_indexed(ct_series_files, fsync_events):
    paths, _, _ = ct_series_files(n=12, size=64)
    with archive.IngestSession(source="cli", batch_size=5) as session:
        for path in paths:
            session.add(path.read_bytes(), name=path.name)
    assert session.summary.accepted == 12

    root = os.path.realpath(default_storage.location)
    indexes = [i for i, (kind, _) in enumerate(fsync_events) if kind == "index"]
    assert [len(fsync_events[i][1]) for i in indexes] == [5, 5, 2]
    previous = -1
    for i in indexes:
        files = {os.path.realpath(p) for p in fsync_events[i][1]}
        synced = [path for kind, path in fsync_events[previous + 1:i] if kind == "fsync"]
        folders = {os.path.dirname(p) for p in files} | {os.path.join(root, "dicom"), root}
        assert sorted(synced) == sorted(files | folders), "a batch's files and folders, each synced once"
        previous = i


@pytest.mark.django_db
def test_nothing_is_synced_with_fsync_off(ct_series_files, fsync_events, settings):
    settings.RADCURATE_FSYNC = False
    paths, _, _ = ct_series_files(n=6, size=64)
    with archive.IngestSession(source="cli", batch_size=5) as session:
        for path in paths:
            session.add(path.read_bytes(), name=path.name)
    assert session.summary.accepted == 6
    assert [kind for kind, _ in fsync_events] == ["index", "index"]


def test_a_file_left_short_at_its_address_is_replaced_when_the_same_bytes_are_stored_again():
    data = hashlib.sha256(b"durable").digest() * 4096
    path = content_path(sha256_hex(data))
    full = default_storage.path(path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as fh:  # what a writer killed mid-write, or a power loss before fsync, leaves
        fh.write(data[:1000])
    assert store_bytes(data) == path
    with default_storage.open(path, "rb") as fh:
        assert fh.read() == data
