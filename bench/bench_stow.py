"""STOW-RS benchmark: one request of a whole 512x512 head-CT series, against ingesting the same files from disk.

Four copies of one series (fresh patient, study, series and instance UIDs each, so none is a duplicate) go
into the archive in the same run:
  disk      `ingest_paths` of the files, in this process (the `manage.py ingest_dicom` path): the baseline,
            once before and once after the requests (the box is shared; the ratio uses their mean);
  stow      one STOW-RS request with Content-Length (the body streamed from a file with `requests`) to a
            gunicorn server started here (one sync worker);
  chunked   dicomweb-client's `store_instances` of the same series (it sends bodies over 1 MB chunked).
Printed: instances/s of each, the ratio to the disk ingest, and the server worker's peak RSS above its idle RSS
while it handled the request (Linux: /proc VmHWM, reset through clear_refs before each request).

Runs in a throw-away PostgreSQL database made from DATABASE_URL's (name prefixed test_) and a temporary data
folder. The series has 600 instances by default (about 320 MB a copy on disk, 1 GB in all); --instances 200
for a quicker run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/radcurate .venv/bin/python bench/bench_stow.py
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BOUNDARY = "radcuratebenchboundary"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=600, help="instances in the series")
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--workdir", default=None, help="where to write data (default: a temporary folder)")
    return parser.parse_args()


def setup_django(workdir: Path):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "radcurate.settings")
    os.environ["RADCURATE_DATA_DIR"] = str(workdir / "data")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("CELERY_BROKER_URL", None)  # the server and this process run the same (in-process) tasks
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench_stow needs PostgreSQL (set DATABASE_URL): the server process shares the database")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection


def write_series(workdir: Path, templates, count: int, name: str) -> list[Path]:
    """One series of `count` slices 1 mm apart, from the template slices with fresh identifiers (untimed)."""
    from pydicom.uid import generate_uid

    folder = workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    study_uid, series_uid = generate_uid(), generate_uid()
    paths = []
    for n in range(count):
        ds = templates[n % len(templates)]
        ds.PatientID, ds.AccessionNumber = f"BENCH-{name}", f"ACC-{name}"
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.InstanceNumber = n + 1
        ds.ImagePositionPatient = [*ds.ImagePositionPatient[:2], float(n)]
        ds.SliceLocation = float(n)
        path = folder / f"{n:05d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def templates(workdir: Path, size: int):
    import pydicom

    from synth.cohort import generate_cohort

    cohort = workdir / "cohort"
    generate_cohort(cohort, studies=1, seed=42, size=size, slices=40, broken_fraction=0.0, overwrite=True)
    datasets = [pydicom.dcmread(p) for p in sorted((cohort / "dicom").rglob("*.dcm"))]
    axial = [ds for ds in datasets if "AXIAL" in ds.ImageType]
    return sorted(axial, key=lambda ds: float(ds.ImagePositionPatient[2]))


def disk_ingest(paths: list[Path], when: str) -> float:
    from curation.services.archive import ingest_paths

    start = time.perf_counter()
    summary = ingest_paths(paths, source="cli")
    rate = len(paths) / (time.perf_counter() - start)
    assert summary.accepted == len(paths), summary
    print(f"disk ingest {when} (baseline): {rate:7.1f} instances/s  load {os.getloadavg()[0]:.2f}")
    return rate


def write_body(paths: list[Path], target: Path) -> None:
    with target.open("wb") as out:
        for p in paths:
            out.write(f"--{BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n".encode())
            out.write(p.read_bytes())
            out.write(b"\r\n")
        out.write(f"--{BOUNDARY}--\r\n".encode())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, database_name: str, workers: int = 1) -> subprocess.Popen:
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/"
                                         f"{database_name}",
           "RADCURATE_DEID_KEY": settings.RADCURATE_DEID_KEY}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "radcurate.wsgi", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--timeout", "900", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn has no worker")


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class PeakRss:
    """The worker's peak RSS above its RSS when the block starts (MB)."""

    def __init__(self, pid: int):
        self.pid = pid

    def __enter__(self):
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        self.idle = _status_kb(self.pid, "VmRSS")
        return self

    def __exit__(self, *exc):
        self.extra_mb = (_status_kb(self.pid, "VmHWM") - self.idle) / 1024
        self.idle_mb = self.idle / 1024


def curator_token() -> str:
    from django.contrib.auth.models import Group, User
    from rest_framework.authtoken.models import Token

    user = User.objects.create_user("bench-curator", password="bench-password-123")
    user.groups.add(Group.objects.get_or_create(name="curator")[0])
    return Token.objects.create(user=user).key


def stow(url: str, token: str, body: Path):
    import requests

    with body.open("rb") as fh:
        response = requests.post(f"{url}/dicomweb/studies", data=fh, headers={
            "Authorization": f"Token {token}",
            "Content-Type": f'multipart/related; type="application/dicom"; boundary={BOUNDARY}'})
    assert response.request.headers.get("Content-Length"), "the body must go with Content-Length"
    return response


def main():
    args = parse_args()
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="radcurate-bench-stow-"))
    connection = setup_django(workdir)
    try:
        run(args, workdir, connection.settings_dict["NAME"])
    finally:
        connection.close()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir: Path, database_name: str):
    import pydicom
    import requests
    from dicomweb_client.api import DICOMwebClient

    from curation.models import Instance
    from curation.services.archive import ingest_paths

    n = args.instances
    print(f"# STOW-RS benchmark: one series of {n} instances at {args.size}x{args.size}")
    slices = templates(workdir, args.size)
    warm = write_series(workdir, slices, 3, "warm")
    disk, stowed, chunked, disk_after = (write_series(workdir, slices, n, name)
                                         for name in ("disk", "stow", "chunked", "disk-after"))
    body = workdir / "stow-body"
    write_body(stowed, body)
    print(f"series on disk: {sum(p.stat().st_size for p in disk) / 1e6:.0f} MB; STOW-RS body "
          f"{body.stat().st_size / 1e6:.0f} MB")

    ingest_paths(warm, source="cli")  # imports and first queries, in this process as in the server
    disk_before = disk_ingest(disk, "before")

    token = curator_token()
    rates = {}
    port = free_port()
    server = start_server(port, database_name)
    url = f"http://127.0.0.1:{port}"
    try:
        pid = worker_pid(server.pid)
        warm_body = workdir / "warm-body"
        write_body(warm, warm_body)
        assert stow(url, token, warm_body).status_code == 200  # the worker's imports, before measuring
        with PeakRss(pid) as memory:
            start = time.perf_counter()
            response = stow(url, token, body)
            rates["stow"] = n / (time.perf_counter() - start)
        assert response.status_code == 200, response.text[:500]
        assert len(response.json()["00081199"]["Value"]) == n
        stow_memory, stow_load = memory, os.getloadavg()[0]

        datasets = [pydicom.dcmread(p) for p in chunked]
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        client = DICOMwebClient(url=f"{url}/dicomweb", session=session)
        with PeakRss(pid) as memory:
            start = time.perf_counter()
            result = client.store_instances(datasets=datasets)
            rates["client"] = n / (time.perf_counter() - start)
        assert len(result.ReferencedSOPSequence) == n
        client_memory, client_load = memory, os.getloadavg()[0]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    disk_rate = (disk_before + disk_ingest(disk_after, "after")) / 2
    assert Instance.objects.count() == 4 * n + 3
    print(f"STOW-RS, Content-Length: {rates['stow']:7.1f} instances/s = {rates['stow'] / disk_rate:.0%} of disk "
          f"ingest (mean {disk_rate:.1f}/s); server peak RSS +{stow_memory.extra_mb:.0f} MB over idle "
          f"{stow_memory.idle_mb:.0f} MB (body {body.stat().st_size / 1e6:.0f} MB)  load {stow_load:.2f}")
    print(f"STOW-RS, dicomweb-client (chunked): {rates['client']:7.1f} instances/s = {rates['client'] / disk_rate:.0%}"
          f" of disk ingest (its time includes encoding the body client-side); server peak RSS "
          f"+{client_memory.extra_mb:.0f} MB  load {client_load:.2f}")
    print("targets: STOW-RS at least 80% of the disk-ingest rate, under 300 MB of extra server memory")


if __name__ == "__main__":
    main()
