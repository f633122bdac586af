"""The dataset reader opens the documented directory format and yields 2.5D studies with slice targets."""

import json

import numpy as np
import pandas as pd
import pytest

from training.augment import gather_stacks
from training.data import DatasetDir, DatasetError, StudyDataset, choose_positions


def test_reader_matches_files(tiny_dataset):
    ds = DatasetDir(tiny_dataset)
    studies = pd.read_parquet(tiny_dataset / "studies.parquet")
    labels = pd.read_parquet(tiny_dataset / "labels.parquet")
    assert len(ds) == len(studies)
    assert ds.traits.codes == tuple(t["code"] for t in json.loads((tiny_dataset / "manifest.json").read_text())["traits"])
    row = labels.iloc[5]
    i, j = ds._row[row["study_id"]], ds.traits.codes.index(row["trait"])
    assert ds.labels[i, j] == row["label"]
    # a study's volume is the contiguous block of its shard
    s = studies.iloc[13]
    expected = np.load(tiny_dataset / s["shard"])[s["offset"]:s["offset"] + s["n_slices"]]
    np.testing.assert_array_equal(ds.slices(13, np.arange(s["n_slices"])), expected)
    assert set(np.concatenate([ds.split_indices(x) for x in ("train", "calibration", "test")])) == set(range(len(ds)))


def test_splits_never_share_a_patient(tiny_dataset):
    ds = DatasetDir(tiny_dataset)
    by_split = [set(ds.studies["patient_id"].iloc[ds.split_indices(x)]) for x in ("train", "calibration", "test")]
    assert not (by_split[0] & by_split[1]) and not (by_split[0] & by_split[2]) and not (by_split[1] & by_split[2])


def test_neighbours_are_clamped_at_the_ends(tiny_dataset):
    ds = DatasetDir(tiny_dataset)
    studies = StudyDataset(ds, np.array([0]), max_slices=0, neighbours=1, train=False)
    batch = studies.collate([studies[0]])
    item = {"volume": gather_stacks(batch["volume"], batch["slice_valid"], batch["stack_index"])}
    vol = ds.slices(0, np.arange(6))
    assert item["volume"].shape == (6, 3, 32, 32)
    np.testing.assert_array_equal(item["volume"][0, 0].numpy(), vol[0])  # clamped below slice 0
    np.testing.assert_array_equal(item["volume"][2, 0].numpy(), vol[1])
    np.testing.assert_array_equal(item["volume"][2, 2].numpy(), vol[3])
    np.testing.assert_array_equal(item["volume"][5, 2].numpy(), vol[5])


def test_slice_targets_follow_marked_ranges(tiny_dataset):
    ds = DatasetDir(tiny_dataset)
    (i, j), ranges = next(iter(ds.slice_ranges.items()))
    targets, mask = ds.slice_targets(i, 6)
    a, b = ranges[0]
    assert mask[j] == 1
    assert targets[a:b + 1, j].all() and targets[:, j].sum() == b + 1 - a
    negative = np.flatnonzero(ds.labels[i] == 0)
    assert (mask[negative] == 1).all() and (targets[:, negative] == 0).all()


def test_positions_keep_order_and_depend_on_seed_only():
    rng = np.random.default_rng(1)
    p = choose_positions(40, 8, rng)
    assert len(p) == 8 and (np.diff(p) > 0).all() and p.max() < 40
    np.testing.assert_array_equal(choose_positions(40, 8, np.random.default_rng(1)), p)
    np.testing.assert_array_equal(choose_positions(5, 8, rng), np.arange(5))


def test_collate_reads_blocks_and_marks_valid(tiny_dataset):
    ds = DatasetDir(tiny_dataset)
    a = StudyDataset(ds, np.array([0]), max_slices=4, neighbours=0, train=False)[0]
    studies = StudyDataset(ds, np.array([1]), max_slices=0, neighbours=0, train=False)
    batch = studies.collate([a, studies[0]])
    assert batch["slice_valid"].sum(1).tolist() == [4, 6]
    assert batch["stack_index"].shape == (2, 6, 1)
    stacks = gather_stacks(batch["volume"], batch["slice_valid"], batch["stack_index"])
    assert stacks.shape == (10, 1, 32, 32)
    np.testing.assert_array_equal(stacks[4:, 0].numpy(), ds.slices(1, np.arange(6)))
    # study 0's four stride-sampled slices come from its contiguous block
    np.testing.assert_array_equal(stacks[:4, 0].numpy(), ds.slices(0, choose_positions(6, 4, None)))


def test_bad_directory_errors_name_the_file(tiny_dataset, tmp_path):
    with pytest.raises(DatasetError, match="manifest.json: missing"):
        DatasetDir(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(DatasetError, match="format is 'something-else'"):
        DatasetDir(tmp_path)
    manifest = json.loads((tiny_dataset / "manifest.json").read_text())
    manifest["traits"][0]["parent"] = "no_such_trait"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DatasetError, match="no_such_trait"):
        DatasetDir(tmp_path)
