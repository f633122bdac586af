"""Synthetic cohort generation speed, beside pydicom alone writing the same number of plain files.

    .venv/bin/python bench/bench_synth.py                      # 100 studies, 256x256x32, 2 workers
    .venv/bin/python bench/bench_synth.py --studies 20 --size 128 --slices 16

The baseline writes as many CT files as the cohort holds, of the same matrix, with pydicom.dcmwrite
and the same worker count: what the files alone cost, so the ratio shows what rendering anatomy,
findings, reports and ground truth add. The machine may be shared, so CPU seconds (this process and
its worker processes) are printed beside wall-clock time, with the wall time the same CPU work would
take on that many free cores.
"""

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pydicom  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid  # noqa: E402

from synth.cohort import generate_cohort  # noqa: E402


def _plain_files(args) -> int:
    folder, start, count, size = args
    pixels = np.zeros((size, size), np.int16).tobytes()
    for i in range(start, start + count):
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.SOPClassUID = CTImageStorage
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[str(i)])
        ds.Modality, ds.PatientName, ds.PatientID = "CT", "Plain^File", str(i)
        ds.Rows = ds.Columns = size
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
        ds.PixelData = pixels
        pydicom.dcmwrite(Path(folder) / f"{i:06d}.dcm", ds, enforce_file_format=True)
    return count


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (the pool workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def baseline(folder: Path, files: int, size: int, workers: int) -> tuple[float, float]:
    chunks = [(str(folder), s, min(200, files - s), size) for s in range(0, files, 200)]
    t, c = time.perf_counter(), _cpu()
    pool = multiprocessing.get_context("spawn").Pool(workers)
    assert sum(pool.map(_plain_files, chunks)) == files
    pool.close()
    pool.join()
    return time.perf_counter() - t, _cpu() - c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=100)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--slices", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t, c = time.perf_counter(), _cpu()
        manifest = generate_cohort(Path(tmp) / "cohort", studies=args.studies, seed=args.seed, size=args.size,
                                   slices=args.slices, workers=args.workers)
        wall, cpu = time.perf_counter() - t, _cpu() - c
        dicoms = sum(1 for k in manifest["files"] if k.endswith(".dcm"))
        (Path(tmp) / "plain").mkdir()
        plain, plain_cpu = baseline(Path(tmp) / "plain", dicoms, args.size, args.workers)
    n, w = args.studies, args.workers
    print(f"synthetic cohort: {n} studies at {args.size}x{args.size}x{args.slices}, {w} workers, load {os.getloadavg()[0]:.1f}")
    print(f"{'':22s}{'wall s':>9s}{'studies/s':>11s}{'files/s':>9s}{'CPU s':>8s}{'CPU s/study':>13s}{'est. s on ' + str(w) + ' free cores':>24s}")
    print(f"{'generate_cohort':22s}{wall:9.1f}{n / wall:11.2f}{dicoms / wall:9.0f}{cpu:8.1f}{cpu / n:13.3f}{cpu / w:24.1f}")
    print(f"{'pydicom plain files':22s}{plain:9.1f}{n / plain:11.2f}{dicoms / plain:9.0f}{plain_cpu:8.1f}"
          f"{plain_cpu / n:13.3f}{plain_cpu / w:24.1f}")
    print(f"ratio cohort / plain: {wall / plain:.1f}x wall, {cpu / plain_cpu:.1f}x CPU "
          f"(baseline: {dicoms} plain CT files of the same matrix written by pydicom.dcmwrite)")


if __name__ == "__main__":
    main()
