"""Loader throughput: 2.5D slices/s that one CPU worker reads from the dataset shards, beside decoding DICOM.

    python bench/bench_loader.py                # 256x256, 3-slice 2.5D stacks, 1 worker, then device preprocessing

What one worker does per study: choose slices, read the slice and its neighbours from the memory-mapped shard,
build the targets, collate. Windowing and augmentation run afterwards on the device (measured separately, on
whatever device is given). Baselines in the same run: pydicom decoding the same slices from DICOM files (what a
loader without shards would do) and a plain numpy copy of the same bytes (the ceiling). The shards are read warm
(in the page cache), as they are after the first epoch.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from training.augment import Preprocess  # noqa: E402
from training.data import DatasetDir, StudyDataset  # noqa: E402
from training.toy import write_toy_dataset  # noqa: E402

WINDOWS = [[40.0, 80.0], [75.0, 215.0], [600.0, 2800.0]]


def timed(fn, seconds: float) -> tuple[int, float]:
    """Call fn (returns slices done) until `seconds` pass; returns (slices, elapsed)."""
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        done += fn()
    return done, time.perf_counter() - start


def bench_shards(ds: DatasetDir, args) -> float:
    studies = StudyDataset(ds, np.arange(len(ds)), max_slices=args.max_slices, neighbours=1, train=True, seed=0)
    order = np.random.default_rng(0).permutation(len(studies))
    state = {"i": 0, "epoch": 0}

    def batch() -> int:
        items = []
        for _ in range(args.batch_studies):
            if state["i"] == len(order):
                state["i"], state["epoch"] = 0, state["epoch"] + 1
                studies.set_epoch(state["epoch"])
            items.append(studies[int(order[state["i"]])])
            state["i"] += 1
        b = studies.collate(items)
        return int(b["slice_valid"].sum())

    batch()  # open the memory maps
    n, t = timed(batch, args.seconds)
    return n / t


def bench_numpy(ds: DatasetDir, args) -> float:
    shard = np.array(ds.shard(ds.studies["shard"][0]))  # in memory: no file system at all
    rng = np.random.default_rng(0)

    def batch() -> int:
        starts = rng.integers(1, shard.shape[0] - 1, args.max_slices)
        out = np.stack([shard[s - 1:s + 2] for s in starts])
        return len(out)

    n, t = timed(batch, args.seconds)
    return n / t


def bench_pydicom(ds: DatasetDir, args, tmp: Path) -> float:
    """Write the first study's slices as uncompressed CT DICOM, then decode 2.5D stacks of them with pydicom."""
    from pydicom import dcmread
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    volume = ds.slices(0, np.arange(int(ds.studies["n_slices"][0])))
    paths = []
    for k, plane in enumerate(volume):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = CTImageStorage, generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        d = Dataset()
        d.file_meta = meta
        d.SOPClassUID, d.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        d.Modality, d.InstanceNumber = "CT", k + 1
        d.Rows, d.Columns = plane.shape
        d.SamplesPerPixel, d.PhotometricInterpretation = 1, "MONOCHROME2"
        d.BitsAllocated, d.BitsStored, d.HighBit, d.PixelRepresentation = 16, 16, 15, 0
        d.RescaleIntercept, d.RescaleSlope = -1024, 1
        d.PixelData = (plane.astype(np.int32) + 1024).clip(0, 65535).astype(np.uint16).tobytes()
        path = tmp / f"{k:04d}.dcm"
        d.save_as(path, enforce_file_format=True)
        paths.append(path)
    rng = np.random.default_rng(0)

    def batch() -> int:
        out = []
        for s in rng.integers(1, len(paths) - 1, 8):
            stack = []
            for p in paths[s - 1:s + 2]:
                d = dcmread(p)
                stack.append(d.pixel_array.astype(np.int16) * int(d.RescaleSlope) + int(d.RescaleIntercept))
            out.append(np.stack(stack))
        return len(out)

    n, t = timed(batch, args.seconds)
    return n / t


def bench_device(ds: DatasetDir, args, device: torch.device) -> float:
    studies = StudyDataset(ds, np.arange(min(len(ds), args.batch_studies)), max_slices=args.max_slices,
                           neighbours=1, train=True)
    b = studies.collate([studies[i] for i in range(len(studies))])
    volume, valid, index = b["volume"].to(device), b["slice_valid"].to(device), b["stack_index"].to(device)
    pre = Preprocess(windows=WINDOWS, size=args.size, rotation_deg=10, scale=(0.9, 1.1), mirror_p=0.5)
    gen = torch.Generator(device=device).manual_seed(0)

    def batch() -> int:
        x = pre(volume, valid, train=True, generator=gen, stack_index=index)
        if device.type == "cuda":
            torch.cuda.synchronize()
        return x.shape[0]

    batch()
    n, t = timed(batch, args.seconds)
    return n / t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--studies", type=int, default=24)
    p.add_argument("--slices", type=int, default=32, help="slices per study in the shards")
    p.add_argument("--max-slices", type=int, default=24, help="slices drawn per study per step")
    p.add_argument("--batch-studies", type=int, default=8)
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = p.parse_args()
    torch.set_num_threads(1)  # one worker's worth of CPU for the CPU rows
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_toy_dataset(tmp / "ds", n_studies=args.studies, n_slices=args.slices, size=args.size,
                          studies_per_shard=8)
        ds = DatasetDir(tmp / "ds")
        (tmp / "dicom").mkdir()
        rows = [("shards (this loader), 1 worker", bench_shards(ds, args)),
                ("pydicom decode, 1 worker", bench_pydicom(ds, args, tmp / "dicom")),
                ("numpy copy in memory, 1 worker", bench_numpy(ds, args))]
        device = torch.device(args.device)
        torch.set_num_threads(max(1, torch.get_num_threads()) if device.type == "cuda" else 1)
        rows.append((f"device preprocessing on {device.type} (window+augment)", bench_device(ds, args, device)))
    print(f"{args.size}x{args.size} int16 slices, 2.5D stacks of 3, {args.max_slices} slices per study; "
          f"{args.seconds:g} s per row")
    print(f"{'path':<52}{'slices/s':>12}{'vs pydicom':>12}")
    for name, rate in rows:
        print(f"{name:<52}{rate:>12,.0f}{rate / rows[1][1]:>11.1f}x")
    verdict = "meets" if rows[0][1] >= 2500 else "misses"
    print(f"\nshard loader {verdict} the 2,500 slices/s per worker target ({rows[0][1]:,.0f})")


if __name__ == "__main__":
    main()
