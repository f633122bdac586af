"""The writer on plain data: the directory format, determinism, verification and resuming an interrupted export."""

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from datasets.export.chunks import write_chunk
from datasets.export.manifest import read_manifest, verify
from datasets.export.plan import PlanError, Staging, plan_export
from datasets.export.publish import ExportIncomplete, export_all, publish_directory

from .cohort import make_cohort, make_spec


def _export(tmp_path, name="out", spec=None, cohort=None):
    studies, labels, reads, volumes = cohort or make_cohort()
    staging = Staging(tmp_path / f"staging-{name}")
    plan_export(staging, spec or make_spec(), studies, labels, reads)
    return export_all(staging, tmp_path / name, version=1, load_volume=volumes.__getitem__)


def test_export_writes_the_documented_directory(tmp_path):
    manifest = _export(tmp_path)
    root = tmp_path / "out"
    assert {p.name for p in root.iterdir()} == {"manifest.json", "labels.parquet", "reads.parquet",
                                                "studies.parquet", "volumes", "datacard.md"}
    assert manifest["format"] == "radcurate-dataset/1" and sum(manifest["splits"].values()) == 16
    assert min(manifest["splits"].values()) >= 2
    assert verify(root, read_manifest(root)) == []
    studies = pq.read_table(root / "studies.parquet").to_pylist()
    _, _, _, volumes = make_cohort()
    for row in studies:
        shard = np.load(root / row["shard"], mmap_mode="r")
        assert shard.shape[1:] == (16, 16)
        stored = shard[row["offset"]:row["offset"] + row["n_slices"]]
        assert stored.shape[0] == volumes[f"ref-{row['study_id']}"].hu.shape[0]
        assert row["pixel_spacing_mm"] == 1.0
    labels = pq.read_table(root / "labels.parquet")
    assert str(labels.schema.field("label").type) == "int8" and labels.num_rows == 16 * 4
    assert manifest["counts"]["train"]["intracranial_hemorrhage"] + manifest["counts"]["test"][
        "intracranial_hemorrhage"] + manifest["counts"]["calibration"]["intracranial_hemorrhage"] == 6
    assert "Dataset card: tiny" in (root / "datacard.md").read_text()


def test_labels_carry_the_key_images_beside_the_slice_ranges(tmp_path):
    studies, labels, reads, volumes = make_cohort()
    labels = [lb.__class__(**{**lb.__dict__, "key_images": (2, 1, 2) if lb.label else ()}) for lb in labels]
    _export(tmp_path, cohort=(studies, labels, reads, volumes))
    table = pq.read_table(tmp_path / "out" / "labels.parquet")
    assert str(table.schema.field("key_images").type) == "string"
    assert {(r["label"], r["slice_ranges"], r["key_images"]) for r in table.to_pylist()} == {
        (1, "[[1,2]]", "[1,2]"), (0, "[]", "[]")}  # JSON like slice_ranges: sorted, without repeats


def test_same_inputs_give_the_same_content_hash_and_a_changed_label_does_not(tmp_path):
    first = _export(tmp_path, "a")
    again = _export(tmp_path, "b")
    assert first["content_hash"] == again["content_hash"]
    assert [f["sha256"] for f in first["files"]] == [f["sha256"] for f in again["files"]]
    studies, labels, reads, volumes = make_cohort()
    labels[0] = labels[0].__class__(**{**labels[0].__dict__, "label": 1 - labels[0].label})
    changed = _export(tmp_path, "c", cohort=(studies, labels, reads, volumes))
    assert changed["content_hash"] != first["content_hash"]


def test_tampering_is_found_by_verify(tmp_path):
    _export(tmp_path)
    root = tmp_path / "out"
    with open(root / "volumes" / "shard-00000.npy", "r+b") as handle:
        handle.seek(200)
        handle.write(b"\x01\x02")
    problems = verify(root, read_manifest(root))
    assert len(problems) == 1 and "shard-00000.npy" in problems[0]


def test_an_interrupted_export_publishes_nothing_and_a_rerun_skips_finished_chunks(tmp_path):
    studies, labels, reads, volumes = make_cohort()
    staging = Staging(tmp_path / "staging")
    plan = plan_export(staging, make_spec(), studies, labels, reads)
    assert len(plan["chunks"]) == 6
    write_chunk(staging, 0, volumes.__getitem__)
    first_marker = staging.marker(0).read_text()
    # The worker dies inside chunk 1: its loader fails half way, leaving a partial shard behind.
    calls = []

    def dying(ref):
        calls.append(ref)
        if len(calls) == 2:
            raise OSError("worker lost")
        return volumes[ref]

    with pytest.raises(OSError):
        write_chunk(staging, 1, dying)
    final = tmp_path / "final"
    with pytest.raises(ExportIncomplete, match="5 of 6 chunks not done"):
        publish_directory(staging, final, version=1)
    assert not final.exists()
    loaded = []

    def counting(ref):
        loaded.append(ref)
        return volumes[ref]

    manifest = export_all(staging, final, version=1, load_volume=counting)
    assert len(loaded) == 16 - 3  # chunk 0 was not redone
    assert json.loads(first_marker)["sha256"] in {f["sha256"] for f in manifest["files"]}
    assert not staging.root.exists()
    assert manifest["content_hash"] == _export(tmp_path, "fresh")["content_hash"]


def test_a_study_with_unusable_pixels_is_excluded_with_its_reason_and_the_rest_is_published(tmp_path):
    studies, labels, reads, volumes = make_cohort()
    bad = studies[3].volume_ref
    staging = Staging(tmp_path / "staging")
    plan_export(staging, make_spec(), studies, labels, reads)

    def load(ref):
        if ref == bad:
            raise ValueError("PixelData (7FE0,0010) truncated")
        return volumes[ref]

    manifest = export_all(staging, tmp_path / "out", version=1, load_volume=load)
    assert manifest["excluded"] == [{"study_id": studies[3].study_id, "reason": "ValueError: PixelData (7FE0,0010) truncated"}]
    assert sum(manifest["splits"].values()) == 15
    labels_out = pq.read_table(tmp_path / "out" / "labels.parquet").to_pylist()
    assert studies[3].study_id not in {r["study_id"] for r in labels_out}


def test_a_published_directory_is_never_replaced(tmp_path):
    _export(tmp_path)
    studies, labels, reads, volumes = make_cohort()
    staging = Staging(tmp_path / "staging2")
    plan_export(staging, make_spec(), studies, labels, reads)
    with pytest.raises(FileExistsError):
        export_all(staging, tmp_path / "out", version=1, load_volume=volumes.__getitem__)


def test_plan_refuses_labels_of_unknown_studies_or_traits(tmp_path):
    studies, labels, reads, _ = make_cohort()
    with pytest.raises(PlanError, match="no studies"):
        plan_export(Staging(tmp_path / "s"), make_spec(), [], [], [])
    with pytest.raises(PlanError, match="trait fracture_x"):
        plan_export(Staging(tmp_path / "s"), make_spec(), studies,
                    [labels[0].__class__(**{**labels[0].__dict__, "trait": "fracture_x"})], reads)
