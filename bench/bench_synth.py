"""Synthetic cohort generation speed, beside pydicom alone writing the same number of plain files.

    .venv/bin/python bench/bench_synth.py                      # 100 studies, 256x256x32, 2 workers
    .venv/bin/python bench/bench_synth.py --studies 20 --size 128 --slices 16

The baseline writes as many CT files as the cohort holds, of the same matrix, with pydicom.dcmwrite
and the same worker count: what the files alone cost, so the ratio shows what rendering anatomy,
findings, reports and ground truth add. The machine may be shared, so CPU seconds per study are
printed beside wall-clock time.
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

from curation.synth.cohort import generate_cohort  # noqa: E402


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


def baseline(folder: Path, files: int, size: int, workers: int) -> float:
    chunks = [(str(folder), s, min(200, files - s), size) for s in range(0, files, 200)]
    t = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        assert sum(pool.map(_plain_files, chunks)) == files
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=100)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--slices", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cpu0 = time.process_time(), os.times()
        t = time.perf_counter()
        manifest = generate_cohort(Path(tmp) / "cohort", studies=args.studies, seed=args.seed, size=args.size,
                                   slices=args.slices, workers=args.workers)
        wall = time.perf_counter() - t
        times = os.times()
        cpu = (times.children_user + times.children_system - cpu0[1].children_user - cpu0[1].children_system
               + time.process_time() - cpu0[0])
        dicoms = sum(1 for k in manifest["files"] if k.endswith(".dcm"))
        (Path(tmp) / "plain").mkdir()
        plain = baseline(Path(tmp) / "plain", dicoms, args.size, args.workers)
    print(f"synthetic cohort: {args.studies} studies at {args.size}x{args.size}x{args.slices}, {args.workers} workers")
    print(f"  generate_cohort      {wall:7.1f} s   {args.studies / wall:6.2f} studies/s   "
          f"{dicoms / wall:7.0f} files/s   {cpu / args.studies:5.2f} CPU s/study")
    print(f"  pydicom plain files  {plain:7.1f} s   {dicoms / plain:7.0f} files/s  (baseline: {dicoms} files, same matrix)")
    print(f"  ratio cohort / plain {wall / plain:7.1f} x")
    print(f"  target: {args.studies} studies in under 60 s -> {'met' if wall < 60 else 'NOT met'} on this machine")


if __name__ == "__main__":
    main()
