"""Simulated readers through the REST API: consensus and Dawid–Skene recover the truth better than any single reader."""

import json

import numpy as np
import pytest
from django.core.management import call_command

from annotation.management.commands.simulate_readers import load_archive_truth, run_simulation
from annotation.models import Consensus, ReadLabel
from curation.dicom.deidentify import map_uid
from curation.models import Study
from synth.readers import load_ground_truth
from synth.study import finding_spans
from tests.annotation.conftest import make_campaign, make_studies


def _truth(studies, seed=1):
    rng = np.random.default_rng(seed)
    common = ["sinus_pathology", "white_matter_ischemia", "scalp_soft_tissue", "lacune", "fracture"]
    truth = {}
    for study in studies:
        codes = {c for c in common if rng.random() < 0.35}
        if rng.random() < 0.3:
            codes |= {"subdural_hemorrhage", "intracranial_hemorrhage"}
        truth[study.study_uid] = codes
    return truth


def test_consensus_and_dawid_skene_beat_every_single_reader(taxonomy):
    studies = make_studies(12)
    truth = _truth(studies)
    campaign = make_campaign(taxonomy, studies=studies, readers=[], activate=False, min_reads=3, max_reads=4)
    summary = run_simulation(campaign=campaign, truth=truth, n_readers=5, sensitivity=0.8, specificity=0.93,
                             spread=0.05, seed=3)
    rec = summary["recovery"]
    assert rec["studies"] == 12  # every study reached consensus (adjudications decided by the senior)
    best_reader = max(r["accuracy"] for r in rec["readers"].values())
    assert rec["consensus"]["accuracy"] > best_reader
    assert rec["dawid_skene"]["accuracy"] > best_reader


def test_ground_truth_file_is_mapped_to_archive_uids(tmp_path, db, settings):
    original = "1.2.826.0.1.3680043.8.498.1"
    path = tmp_path / "ground_truth.jsonl"
    record = {"study_instance_uid": original, "traits": [{"code": "subdural_hemorrhage",
                                                          "parent": "intracranial_hemorrhage"}]}
    path.write_text(json.dumps(record) + "\n")
    truth, _ = load_archive_truth(path)
    assert truth == {map_uid(original, key=settings.RADCURATE_DEID_KEY): {"subdural_hemorrhage",
                                                                         "intracranial_hemorrhage"}}
    path.write_text('{"no": "uid"}\n')
    with pytest.raises(ValueError, match="line 1"):
        load_archive_truth(path)
    path.write_text(json.dumps(record) + "\n")
    assert load_ground_truth(path) == {original: {"subdural_hemorrhage", "intracranial_hemorrhage"}}  # unmapped


def test_command_plays_readers_and_prints_recovery(taxonomy, tmp_path, capsys, settings):
    studies = make_studies(4)
    campaign = make_campaign(taxonomy, studies=studies, readers=[], activate=False)
    # The generator's file holds original UIDs; the archive holds their keyed mapping.
    lines = []
    for i, study in enumerate(studies):
        original = f"1.2.826.0.1.3680043.8.498.{i + 10}"
        Study.objects.filter(pk=study.pk).update(study_uid=map_uid(original, key=settings.RADCURATE_DEID_KEY))
        lines.append(json.dumps({"study_instance_uid": original, "traits": [{"code": "lacune", "parent": None}]}))
    path = tmp_path / "ground_truth.jsonl"
    path.write_text("\n".join(lines) + "\n")
    call_command("simulate_readers", campaign=campaign.pk, truth=str(path), readers=3, seed=1)
    out = capsys.readouterr().out
    assert "reads submitted" in out and "sim-reader-3" in out and "consensus" in out
    assert "studies scored 4 x 35 traits" in out


def test_readers_mark_the_slice_ranges_they_see_when_the_campaign_collects_them(taxonomy):
    studies = make_studies(3, slices=20)
    truth = {s.study_uid: {"subdural_hemorrhage", "intracranial_hemorrhage"} for s in studies}
    spans = {s.study_uid: {"subdural_hemorrhage": (5, 9), "intracranial_hemorrhage": (5, 9)} for s in studies}
    campaign = make_campaign(taxonomy, studies=studies, readers=[], activate=False, min_reads=2, max_reads=2,
                             slice_ranges=True)
    run_simulation(campaign=campaign, truth=truth, n_readers=2, sensitivity=0.999, specificity=0.999, spread=0.0,
                   seed=2, slices=spans)
    marked = ReadLabel.objects.filter(read__assignment__campaign=campaign, trait__code="subdural_hemorrhage",
                                      state="present")
    assert marked.count() == 6
    for label in marked:
        (first, last), = label.slice_ranges
        assert 4 <= first <= 6 and 8 <= last <= 10  # each edge off by at most one slice
    consensus = Consensus.objects.filter(campaign_study__campaign=campaign, trait__code="subdural_hemorrhage")
    assert all(c.label == "present" and c.slice_ranges for c in consensus)
    # without slice scope the same readers send study-level labels only
    plain = make_campaign(taxonomy, studies=make_studies(1), readers=[], activate=False, min_reads=2, max_reads=2)
    run_simulation(campaign=plain, truth={}, n_readers=2, seed=2, slices=spans)
    assert not ReadLabel.objects.filter(read__assignment__campaign=plain).exclude(slice_ranges=[]).exists()


def test_finding_spans_give_a_parent_the_span_of_its_children(tmp_path, db, settings):
    record = {"study_instance_uid": "1.2.3", "traits": [
        {"code": "subdural_hemorrhage", "parent": "intracranial_hemorrhage", "slices": [4, 8]},
        {"code": "intraventricular_hemorrhage", "parent": "intracranial_hemorrhage", "slices": [10, 12]},
        {"code": "old_infarct", "parent": None, "slices": None},  # not visible: nothing to mark
    ]}
    assert finding_spans(record) == {"subdural_hemorrhage": (4, 8), "intraventricular_hemorrhage": (10, 12),
                                     "intracranial_hemorrhage": (4, 12)}
    path = tmp_path / "ground_truth.jsonl"
    path.write_text(json.dumps(record) + "\n")
    assert load_archive_truth(path)[1] == {map_uid("1.2.3", key=settings.RADCURATE_DEID_KEY): finding_spans(record)}
