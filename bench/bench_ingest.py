"""Archive benchmark: ingest rate per 5,000 instances at 512x512, series metadata latency, frames per second.

Each figure is printed beside a baseline measured in the same run on the same files, and the 1-minute load
average when it was taken (the box is shared):
  ingest    end-to-end (read file, validate, de-identify, classify, store, sync, index in the database)
            vs. plain `pydicom.dcmread` of the same files; with `--fsync both` each block is ingested twice
            (fresh identifiers each time), with RADCURATE_FSYNC on and off, alternating which goes first, and the
            on/off ratio is printed: the cost of durability;
  metadata  WADO-RS series metadata of a 40-slice series (precomputed JSON)
            vs. reading the 40 headers and converting them to DICOM JSON, as an archive without it would;
  frames    WADO-RS frames/1 requests, one after the other
            vs. `dcmread` + PixelData of the same instance files.

Data: a synthetic cohort (synth) at 512x512 with 40 axial slices is written once; blocks of
5,000 instances are made from it with fresh patient, study, series and instance identifiers, so the archive
grows as it would with new studies. Runs in a throw-away test database (use PostgreSQL: DATABASE_URL) and a
temporary storage folder.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/radcurate .venv/bin/python bench/bench_ingest.py --instances 25000
    DATABASE_URL=... .venv/bin/python bench/bench_ingest.py --instances 2000 --block 1000 --fsync both
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=25000, help="instances to ingest in total")
    parser.add_argument("--block", type=int, default=5000, help="print the ingest rate every this many instances")
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--slices", type=int, default=40)
    parser.add_argument("--metadata-repeats", type=int, default=50)
    parser.add_argument("--frames", type=int, default=400, help="frame requests to time")
    parser.add_argument("--fsync", choices=("on", "off", "both"), default="on",
                        help="RADCURATE_FSYNC for the ingest; both: each block on and off, and their ratio")
    parser.add_argument("--workdir", default=None,
                        help="where to write data; the cohort is kept for the next run (default: a temporary folder)")
    return parser.parse_args()


def setup_django(workdir: Path):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "radcurate.settings")
    os.environ["RADCURATE_DATA_DIR"] = str(workdir / "data")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print(f"note: database is {connection.vendor}; the target figures are for PostgreSQL (set DATABASE_URL)")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection


def template_datasets(workdir: Path, size: int, slices: int):
    import pydicom

    from synth.cohort import generate_cohort

    cohort = workdir / "cohort"
    if not (cohort / "manifest.json").exists():
        generate_cohort(cohort, studies=1, seed=42, size=size, slices=slices, broken_fraction=0.0, overwrite=True)
    files = sorted((cohort / "dicom").rglob("*.dcm"))
    return [pydicom.dcmread(p) for p in files]


def write_block(templates, start: int, count: int, folder: Path) -> list[Path]:
    """`count` instances from the templates, each template round a new patient and study (untimed)."""
    from pydicom.uid import generate_uid

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    uids: dict = {}
    for n in range(start, start + count):
        study_round, k = divmod(n, len(templates))
        ds = templates[k]
        key = (study_round, str(ds.SeriesInstanceUID))
        if study_round not in uids:
            uids[study_round] = generate_uid()
        uids.setdefault(key, generate_uid())
        ds.PatientID = f"BENCH{study_round:07d}"
        ds.AccessionNumber = f"ACC{study_round:07d}"
        ds.StudyInstanceUID = uids[study_round]
        ds.SeriesInstanceUID = uids[key]
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        path = folder / f"{n:07d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def bench_dcmread(paths) -> float:
    import pydicom

    start = time.perf_counter()
    for p in paths:
        pydicom.dcmread(p)
    return len(paths) / (time.perf_counter() - start)


def bench_ingest_block(paths, *, fsync: bool = True) -> tuple[float, object]:
    from django.conf import settings

    from curation.services.archive import ingest_paths

    settings.RADCURATE_FSYNC = fsync

    start = time.perf_counter()
    summary = ingest_paths(paths, source="cli")
    return len(paths) / (time.perf_counter() - start), summary


def reader_client():
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user = User.objects.create_user("bench-reader", password="bench-password-123")
    user.groups.add(Group.objects.get_or_create(name="radiologist")[0])
    client = Client()
    client.force_login(user)
    return client


def axial_series(slices: int):
    from curation.models import Series

    return Series.objects.filter(kind="axial", n_instances=slices).select_related("study").first()


def bench_metadata(client, series, repeats: int) -> tuple[list[float], list[float]]:
    from io import BytesIO

    import pydicom

    from curation.dicom.store import read_bytes

    url = f"/dicomweb/studies/{series.study.study_uid}/series/{series.series_uid}/metadata"
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200 and len(response.json()) == series.n_instances
        timings.append(time.perf_counter() - start)
    paths = list(series.instances.order_by("slice_index").values_list("storage_path", flat=True))
    baseline = []
    for _ in range(max(3, repeats // 10)):
        start = time.perf_counter()
        for p in paths:
            pydicom.dcmread(BytesIO(read_bytes(p)), stop_before_pixels=True).to_json_dict()
        baseline.append(time.perf_counter() - start)
    return timings, baseline


def bench_frames(client, series, n: int) -> tuple[float, float]:
    from io import BytesIO

    import pydicom

    from curation.dicom.store import read_bytes

    instances = list(series.instances.order_by("slice_index").values_list("sop_uid", "storage_path"))
    base = f"/dicomweb/studies/{series.study.study_uid}/series/{series.series_uid}/instances"
    start = time.perf_counter()
    for i in range(n):
        response = client.get(f"{base}/{instances[i % len(instances)][0]}/frames/1")
        assert response.status_code == 200
    served = n / (time.perf_counter() - start)
    start = time.perf_counter()
    for i in range(n):
        _ = pydicom.dcmread(BytesIO(read_bytes(instances[i % len(instances)][1]))).PixelData
    return served, n / (time.perf_counter() - start)


def main():
    args = parse_args()
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="radcurate-bench-"))
    connection = setup_django(workdir)
    try:
        run(args, workdir)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        # The stored files belong to the test database just dropped; a kept workdir keeps only the cohort
        # (a 25,000-instance run stores 13 GB).
        shutil.rmtree(workdir / "data" / "storage" if args.workdir else workdir, ignore_errors=True)


def run(args, workdir: Path):
    print(f"# archive benchmark: {args.instances} instances at {args.size}x{args.size}, blocks of {args.block}")
    templates = template_datasets(workdir, args.size, args.slices)
    print(f"template study: {len(templates)} instances from the synthetic cohort")
    if args.fsync == "both":
        run_fsync_both(args, templates, workdir)
    else:
        run_blocks(args, templates, workdir)
    client = reader_client()
    series = axial_series(args.slices)
    timings, baseline = bench_metadata(client, series, args.metadata_repeats)
    print(f"series metadata ({series.n_instances} slices): median {statistics.median(timings) * 1000:.1f} ms, "
          f"p95 {sorted(timings)[int(0.95 * len(timings)) - 1] * 1000:.1f} ms; "
          f"baseline (read headers + to_json_dict) median {statistics.median(baseline) * 1000:.1f} ms")
    served, read = bench_frames(client, series, args.frames)
    print(f"frames sequential: {served:.0f} frames/s served; baseline dcmread+PixelData {read:.0f}/s; "
          f"load {os.getloadavg()[0]:.2f}")


def run_blocks(args, templates, workdir: Path) -> None:
    print(f"fsync {args.fsync}")
    print(f"{'instances':>17} {'ingest inst/s':>14} {'dcmread inst/s':>15} {'pipeline cost':>14} {'load':>5}  summary")
    done = 0
    while done < args.instances:
        count = min(args.block, args.instances - done)
        paths = write_block(templates, done, count, workdir / "block")
        baseline = bench_dcmread(paths)
        rate, summary = bench_ingest_block(paths, fsync=args.fsync == "on")
        print(f"{done:>8}-{done + count:<8} {rate:>14.1f} {baseline:>15.1f} {baseline / rate:>13.1f}x "
              f"{os.getloadavg()[0]:>5.2f}  {summary}")
        shutil.rmtree(workdir / "block")
        done += count


def run_fsync_both(args, templates, workdir: Path) -> None:
    """Each block twice, with fresh identifiers: synced and not, alternating which runs first."""
    print(f"{'instances':>17} {'fsync on inst/s':>16} {'fsync off inst/s':>17} {'on/off':>7} {'load':>5}  summary (on)")
    done, written, totals = 0, 0, {True: [0, 0.0], False: [0, 0.0]}
    while done < args.instances:
        count = min(args.block, args.instances - done)
        rates, summaries = {}, {}
        order = (True, False) if (done // args.block) % 2 == 0 else (False, True)
        for fsync in order:
            paths = write_block(templates, written, count, workdir / "block")
            written += count
            rates[fsync], summaries[fsync] = bench_ingest_block(paths, fsync=fsync)
            totals[fsync][0] += count
            totals[fsync][1] += count / rates[fsync]
            shutil.rmtree(workdir / "block")
        print(f"{done:>8}-{done + count:<8} {rates[True]:>16.1f} {rates[False]:>17.1f} "
              f"{rates[True] / rates[False]:>7.2f} {os.getloadavg()[0]:>5.2f}  {summaries[True]}")
        done += count
    on, off = (totals[k][0] / totals[k][1] for k in (True, False))
    print(f"overall: fsync on {on:.1f} inst/s, off {off:.1f} inst/s, on/off {on / off:.2f}; "
          f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
