"""Dataset reader: opens a `radcurate-dataset/1` directory, memory-maps its shards and yields studies of 2.5D slices."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from training.hierarchy import Traits

FORMAT = "radcurate-dataset/1"
SPLITS = ("train", "calibration", "test")
STUDY_COLUMNS = ("study_id", "patient_id", "split", "shard", "offset", "n_slices")
LABEL_COLUMNS = ("study_id", "trait", "label")


class DatasetError(ValueError):
    """The dataset directory is not a readable radcurate-dataset/1 export; the message names the file."""


class DatasetDir:
    """One published dataset version, read by path; volumes stay on disk until a study is asked for."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        manifest_path = self.path / "manifest.json"
        if not manifest_path.is_file():
            raise DatasetError(f"{manifest_path}: missing (is {self.path} a dataset directory?)")
        try:
            self.manifest = json.loads(manifest_path.read_text())
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{manifest_path}: line {exc.lineno}: {exc.msg}") from None
        if self.manifest.get("format") != FORMAT:
            raise DatasetError(f"{manifest_path}: format is {self.manifest.get('format')!r}, expected {FORMAT!r}")
        try:
            self.traits = Traits.from_manifest(self.manifest.get("traits", []), str(manifest_path))
        except (KeyError, ValueError) as exc:
            raise DatasetError(f"{manifest_path}: traits: {exc}") from None
        self.studies = self._read_table("studies.parquet", STUDY_COLUMNS).reset_index(drop=True)
        bad = set(self.studies["split"]) - set(SPLITS)
        if bad:
            raise DatasetError(f"{self.path / 'studies.parquet'}: column 'split' has unknown values {sorted(bad)}")
        self._row = {sid: i for i, sid in enumerate(self.studies["study_id"])}
        # plain arrays: a pandas row lookup per study costs more than reading its slices
        self.offsets = self.studies["offset"].to_numpy(np.int64)
        self.n_slices = self.studies["n_slices"].to_numpy(np.int64)
        self.shard_names = self.studies["shard"].to_numpy(str)
        self.labels, self.slice_ranges = self._read_labels()
        self._shards: dict[str, np.ndarray] = {}

    def _read_table(self, name: str, required: tuple[str, ...]) -> pd.DataFrame:
        path = self.path / name
        if not path.is_file():
            raise DatasetError(f"{path}: missing")
        table = pd.read_parquet(path)
        missing = [c for c in required if c not in table.columns]
        if missing:
            raise DatasetError(f"{path}: missing columns {missing}")
        return table

    def _read_labels(self) -> tuple[np.ndarray, dict[tuple[int, int], list[tuple[int, int]]]]:
        """Label matrix (studies x traits, NaN where no consensus) and the slice ranges readers marked."""
        table = self._read_table("labels.parquet", LABEL_COLUMNS)
        trait_index = {c: j for j, c in enumerate(self.traits.codes)}
        labels = np.full((len(self.studies), len(self.traits)), np.nan, dtype=np.float32)
        rows = table["study_id"].map(self._row)
        cols = table["trait"].map(trait_index)
        known = rows.notna() & cols.notna()
        labels[rows[known].astype(int).to_numpy(), cols[known].astype(int).to_numpy()] = table["label"][known]
        ranges: dict[tuple[int, int], list[tuple[int, int]]] = {}
        if "slice_ranges" in table.columns:
            for r, c, text in zip(rows[known], cols[known], table["slice_ranges"][known], strict=True):
                if text and text != "[]":
                    try:
                        ranges[(int(r), int(c))] = [(int(a), int(b)) for a, b in json.loads(text)]
                    except (ValueError, TypeError):
                        sid = self.studies["study_id"][int(r)]
                        raise DatasetError(f"{self.path / 'labels.parquet'}: study {sid}, trait "
                                           f"{self.traits.codes[int(c)]}: bad slice_ranges {text!r}") from None
        return labels, ranges

    def __getstate__(self) -> dict:
        # memory maps are reopened in each DataLoader worker rather than pickled (which would copy them)
        state = self.__dict__.copy()
        state["_shards"] = {}
        return state

    def __len__(self) -> int:
        return len(self.studies)

    @property
    def image_size(self) -> tuple[int, int]:
        size = self.manifest.get("preprocessing", {}).get("size")
        if size:
            return int(size[0]), int(size[1])
        shape = self.shard(self.studies["shard"][0]).shape
        return int(shape[1]), int(shape[2])

    def split_indices(self, split: str) -> np.ndarray:
        if split not in SPLITS:
            raise DatasetError(f"unknown split {split!r} (known: {', '.join(SPLITS)})")
        return np.flatnonzero(self.studies["split"].to_numpy() == split)

    def train_holdout(self, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """The train split's studies as (fit, holdout): `fraction` of its patients, drawn by `seed`, held out to
        choose each member's epoch, so that no choice made in training has seen the calibration split's labels
        before they certify the operating point. A patient's studies stay together; each side keeps at least one
        patient when train has two or more, and with fewer nothing is held out."""
        train = self.split_indices("train")
        patients = self.studies["patient_id"].to_numpy()[train]
        unique = np.unique(patients)
        if fraction <= 0 or len(unique) < 2:
            return train, train[:0]
        n_held = min(max(1, round(fraction * len(unique))), len(unique) - 1)
        held = np.random.default_rng(seed).permutation(unique)[:n_held]
        mask = np.isin(patients, held)
        return train[~mask], train[mask]

    def shard(self, relative: str) -> np.ndarray:
        if relative not in self._shards:
            path = self.path / relative
            if not path.is_file():
                raise DatasetError(f"{path}: volume shard missing")
            array = np.load(path, mmap_mode="r")
            if array.dtype != np.int16 or array.ndim != 3:
                raise DatasetError(f"{path}: expected int16 (slices, H, W), got {array.dtype} {array.shape}")
            self._shards[relative] = array
        return self._shards[relative]

    def rows(self, index: int, positions: np.ndarray) -> np.ndarray:
        """Shard rows of study `index` at in-study `positions` (any shape), checked against the shard's length."""
        shard = self.shard(self.shard_names[index])
        offset, n = int(self.offsets[index]), int(self.n_slices[index])
        if offset + n > shard.shape[0]:
            raise DatasetError(f"{self.path / self.shard_names[index]}: study {self.studies['study_id'][index]} "
                               f"runs past the shard end")
        return offset + positions

    def slices(self, index: int, positions: np.ndarray) -> np.ndarray:
        """int16 slices of study `index` at `positions` (any shape of in-study indices); one fancy read."""
        return self.shard(self.shard_names[index])[self.rows(index, positions)]

    def slice_targets(self, index: int, n_slices: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-slice targets (slices x traits) and which traits have slice-level supervision in this study.

        A negative study is negative on every slice; a positive one is supervised per slice only where readers
        marked slice ranges, otherwise only at study level.
        """
        n_traits = len(self.traits)
        targets = np.zeros((n_slices, n_traits), dtype=np.float32)
        label = self.labels[index]
        mask = (label == 0).astype(np.float32)
        for j in np.flatnonzero(label == 1):
            marked = self.slice_ranges.get((index, int(j)))
            if marked:
                mask[j] = 1.0
                for a, b in marked:
                    targets[max(a, 0):min(b, n_slices - 1) + 1, j] = 1.0
        return targets, mask


def choose_positions(n_slices: int, max_slices: int, rng: np.random.Generator | None) -> np.ndarray:
    """Stride-sample at most `max_slices` slices in order; a random phase in training, centred otherwise."""
    if max_slices <= 0 or n_slices <= max_slices:
        return np.arange(n_slices)
    stride = n_slices / max_slices
    phase = rng.uniform(0, stride) if rng is not None else stride / 2
    return np.minimum((phase + stride * np.arange(max_slices)).astype(int), n_slices - 1)


class StudyDataset(Dataset):
    """Studies of one split as bags of 2.5D slices: item = int16 (slices, 2k+1, H, W) plus targets."""

    def __init__(self, dataset: DatasetDir, indices: np.ndarray, *, max_slices: int, neighbours: int,
                 train: bool, seed: int = 0):
        self.dataset = dataset
        self.indices = np.asarray(indices)
        self.max_slices = max_slices
        self.neighbours = neighbours
        self.train = train
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, item: int) -> dict:
        """Targets and the shard rows to read; the pixels are read by `collate`, straight into the batch buffer."""
        index = int(self.indices[item])
        n = int(self.dataset.n_slices[index])
        # slice choice is a function of (seed, epoch, study): identical after a resume and across workers
        rng = np.random.default_rng([self.seed, self.epoch, index]) if self.train else None
        positions = choose_positions(n, self.max_slices, rng)
        offsets = np.arange(-self.neighbours, self.neighbours + 1)
        window = np.clip(positions[:, None] + offsets[None, :], 0, n - 1)
        targets, slice_mask = self.dataset.slice_targets(index, n)
        label = self.dataset.labels[index]
        return {
            "rows": self.dataset.rows(index, window),
            "slice_targets": torch.from_numpy(targets[positions]),
            "slice_mask": torch.from_numpy(slice_mask),
            "label": torch.from_numpy(np.nan_to_num(label, nan=0.0)),
            "label_mask": torch.from_numpy((~np.isnan(label)).astype(np.float32)),
            "index": index,
        }

    def collate(self, items: list[dict]) -> dict:
        """Batch studies: each study's block of shard rows is copied once, contiguously, into `volume`
        (B, U, H, W); `stack_index` (B, S, 2k+1) says which rows form each 2.5D stack, and the device assembles
        the stacks (a neighbour shared by three stacks crosses the bus once). `slice_valid` marks real slices.
        """
        lengths = [it["rows"].shape[0] for it in items]
        lows = [int(it["rows"].min()) for it in items]
        spans = [int(it["rows"].max()) + 1 - lo for it, lo in zip(items, lows, strict=True)]
        s, k, u = max(lengths), items[0]["rows"].shape[1], max(spans)
        h, w = self.dataset.image_size
        volume = np.empty((len(items), u, h, w), dtype=np.int16)
        stack_index = torch.zeros((len(items), s, k), dtype=torch.long)
        targets = torch.zeros((len(items), s, items[0]["slice_targets"].shape[1]))
        valid = torch.zeros((len(items), s), dtype=torch.bool)
        for b, (it, n, lo, span) in enumerate(zip(items, lengths, lows, spans, strict=True)):
            shard = self.dataset.shard(self.dataset.shard_names[it["index"]])
            volume[b, :span] = shard[lo:lo + span]
            volume[b, span:] = -1024
            stack_index[b, :n] = torch.from_numpy(it["rows"] - lo)
            targets[b, :n] = it["slice_targets"]
            valid[b, :n] = True
        return {
            "volume": torch.from_numpy(volume),
            "stack_index": stack_index,
            "slice_targets": targets,
            "slice_valid": valid,
            "slice_mask": torch.stack([it["slice_mask"] for it in items]),
            "label": torch.stack([it["label"] for it in items]),
            "label_mask": torch.stack([it["label_mask"] for it in items]),
            "index": torch.tensor([it["index"] for it in items]),
        }


def make_loader(ds: StudyDataset, *, batch_size: int, shuffle: bool, seed: int, num_workers: int,
                world_size: int = 1, rank: int = 0, pin_memory: bool = False) -> DataLoader:
    """A loader whose order depends only on (seed, epoch); DistributedSampler shards it across ranks."""
    sampler = DistributedSampler(ds, num_replicas=world_size, rank=rank, shuffle=shuffle, seed=seed,
                                 drop_last=shuffle and world_size > 1)
    return DataLoader(ds, batch_size=batch_size, sampler=sampler, num_workers=num_workers,
                      collate_fn=ds.collate, pin_memory=pin_memory, drop_last=False,
                      persistent_workers=False)
