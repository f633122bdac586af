"""Importing model runs (and refusing malformed ones), run comparison, priorities from predictions, blinding."""

import io
import json
import tarfile

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from annotation.models import CampaignStudy, PriorityScore
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from curation.models import Taxonomy
from datasets.models import ModelRun, StudyPrediction
from datasets.selectors.second_opinion import second_opinion
from datasets.services.active_learning import active_learning_policy_set, priorities_recompute
from datasets.services.model_runs import RunImportError, model_run_import
from tests.annotation.conftest import make_campaign, make_readers, make_studies

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxonomy(db):
    return Taxonomy.objects.get(name="head-ct", version=1)
TRAITS = ["intracranial_hemorrhage", "subdural_hemorrhage", "lacune"]
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")  # header is enough to store


def write_run(path, study_uids, probs=None, *, threshold=0.4, auroc=0.9):
    path.mkdir(parents=True, exist_ok=True)
    n = len(study_uids)
    probs = np.asarray(probs if probs is not None else np.linspace(0.05, 0.95, n * 3).reshape(n, 3))
    table = pd.DataFrame({"study_id": study_uids, "split": ["test"] * n, "referral_score": probs[:, :2].max(axis=1)})
    table["reported"] = (table["referral_score"] <= threshold).astype(int)
    for j, code in enumerate(TRAITS):
        table[f"p_{code}"] = probs[:, j]
    for j, code in enumerate(TRAITS):
        table[f"sd_{code}"] = 0.1 * probs[:, j]
    table.to_csv(path / "predictions.csv", index=False)
    np.save(path / "embeddings.npy", np.eye(n, 4, dtype=np.float32))
    (path / "predictions.json").write_text(json.dumps({
        "format": "radcurate-predictions/1", "traits": TRAITS, "high_traits": TRAITS[:2], "threshold": threshold,
        "members": 2, "embedding_dim": 4, "dataset_content_hash": "abc"}))
    (path / "report.json").write_text(json.dumps({"traits": [
        {"code": c, "high": c != "lacune", "auroc": auroc, "auroc_lo": auroc - 0.05, "auroc_hi": auroc + 0.03,
         "auprc": 0.5, "auprc_lo": 0.4, "auprc_hi": 0.6} for c in TRAITS]}))
    (path / "config.json").write_text(json.dumps({"model": {"name": "inception_small"}}))
    (path / "roc").mkdir(exist_ok=True)
    (path / "roc" / "intracranial_hemorrhage.png").write_bytes(PNG)
    return path


def test_import_keeps_config_report_predictions_and_plots(tmp_path):
    studies = make_studies(3)
    run = model_run_import(run_dir=write_run(tmp_path / "run", [s.study_uid for s in studies]))
    assert run.members == 2 and run.threshold == 0.4 and run.high_traits == TRAITS[:2]
    assert run.config["model"]["name"] == "inception_small" and len(run.report["traits"]) == 3
    assert run.plots == [f"runs/{run.pk}/roc-intracranial_hemorrhage.png"]
    prediction = StudyPrediction.objects.get(run=run, study=studies[2])
    assert prediction.probability["lacune"] == pytest.approx(0.95)
    assert prediction.spread["lacune"] == pytest.approx(0.095)
    assert np.frombuffer(bytes(prediction.embedding), dtype=np.float32).tolist() == [0, 0, 1, 0]


def test_files_left_under_a_new_runs_directory_do_not_rename_its_plots(tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    studies = make_studies(3)
    first = model_run_import(run_dir=write_run(tmp_path / "a", [s.study_uid for s in studies], auroc=0.8))
    leftover = f"runs/{first.pk + 1}/roc-intracranial_hemorrhage.png"  # what an import that never committed left
    default_storage.save(leftover, ContentFile(b"stale"))
    second = model_run_import(run_dir=write_run(tmp_path / "b", [s.study_uid for s in studies], auroc=0.7))
    assert second.pk == first.pk + 1
    assert second.plots == [leftover]
    assert default_storage.open(leftover).read() == PNG


@pytest.mark.parametrize("breakage, message", [
    (lambda p: (p / "report.json").unlink(), "missing report.json"),
    (lambda p: (p / "predictions.json").write_text("{not json"), "predictions.json: not valid JSON"),
    (lambda p: _edit_csv(p, lambda t: t.drop(columns=["p_lacune"])), "missing columns p_lacune"),
    (lambda p: _edit_csv(p, lambda t: t.assign(p_lacune=[0.1, 1.7, 0.2])), "line 3: p_lacune is 1.7"),
    (lambda p: _edit_csv(p, lambda t: t.assign(study_id=["2.25.999999", *t.study_id[1:]])),
     "1 studies are not in the archive (first: 2.25.999999)"),
    (lambda p: np.save(p / "embeddings.npy", np.zeros((2, 4))), "embeddings.npy: shape (2, 4)"),
])
def test_malformed_runs_are_refused_with_a_clear_error_and_nothing_is_imported(tmp_path, breakage, message):
    studies = make_studies(3)
    run_dir = write_run(tmp_path / "run", [s.study_uid for s in studies])
    breakage(run_dir)
    with pytest.raises(RunImportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        model_run_import(run_dir=run_dir)
    assert ModelRun.objects.count() == 0 and StudyPrediction.objects.count() == 0


def _edit_csv(path, change):
    change(pd.read_csv(path / "predictions.csv")).to_csv(path / "predictions.csv", index=False)


def test_trainers_upload_a_run_archive_and_compare_two_runs(tmp_path, api_for):
    uids = [s.study_uid for s in make_studies(3)]
    first = model_run_import(run_dir=write_run(tmp_path / "a", uids, auroc=0.80))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(write_run(tmp_path / "b", uids, auroc=0.86), arcname="run-b")
    upload = SimpleUploadedFile("run-b.tar.gz", buffer.getvalue())
    created = api_for("trainer").post("/api/datasets/runs/", {"file": upload}, format="multipart")
    assert created.status_code == 201, created.json()
    second = created.json()["id"]
    compare = api_for("curator").get(f"/api/datasets/runs/{first.pk}/compare/{second}/").json()
    ich = next(t for t in compare["traits"] if t["trait"] == "intracranial_hemorrhage")
    assert ich["auroc"]["difference"] == pytest.approx(0.06)
    assert ich["auroc"]["a_ci"] == pytest.approx([0.75, 0.83])
    assert api_for("radiologist").get(f"/api/datasets/runs/{first.pk}/").status_code == 403
    bad = api_for("trainer").post("/api/datasets/runs/", {"file": SimpleUploadedFile("x.zip", b"junk")},
                                  format="multipart")
    assert bad.status_code == 400 and bad.json()["detail"] == (
        "x.zip: not a zip file (or a damaged one); upload the run directory as a .zip or .tar.gz.")


def test_imported_predictions_reorder_the_worklist_with_reasons(tmp_path, taxonomy, django_capture_on_commit_callbacks):
    studies = make_studies(4)
    readers = make_readers(2)
    campaign = make_campaign(taxonomy, studies=studies, readers=readers, priority_weights={"active_learning": 1.0})
    # Study 2 is the rare-and-significant one; study 0 the most certain normal.
    probs = [[0.01, 0.01, 0.01], [0.2, 0.1, 0.3], [0.9, 0.8, 0.1], [0.3, 0.05, 0.6]]
    active_learning_policy_set(campaign=campaign, weights={"rare_significant": 1.0})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the import queues the recompute task
        model_run_import(run_dir=write_run(tmp_path / "run", [s.study_uid for s in studies], probs))
    assert len(callbacks) == 1
    scores = dict(PriorityScore.objects.filter(campaign=campaign, source="active_learning").values_list("study_id", "score"))
    assert max(scores, key=scores.get) == studies[2].pk and min(scores, key=scores.get) == studies[0].pk
    assignment = worklist_next(reader=readers[0], campaign=campaign)
    assert assignment.campaign_study.study_id == studies[2].pk
    assert "likely rare or clinically significant finding (intracranial_hemorrhage)" in assignment.reason
    # Switching the campaign to the random baseline changes the order, and says so.
    active_learning_policy_set(campaign=campaign, weights={"random": 1.0}, seed=5)
    priorities_recompute()
    reasons = set(CampaignStudy.objects.filter(campaign=campaign).values_list("priority_reason", flat=True))
    assert any("random baseline" in r for r in reasons)


def test_predictions_stay_blinded_until_the_readers_own_read_is_submitted(tmp_path, taxonomy, api_for, users):
    studies = make_studies(1)
    reader = users["radiologist"]
    blinded = make_campaign(taxonomy, studies=studies, readers=[reader, *make_readers(1)])
    model_run_import(run_dir=write_run(tmp_path / "run", [studies[0].study_uid], [[0.9, 0.7, 0.1]]))
    assignment = worklist_next(reader=reader, campaign=blinded)
    api = api_for("radiologist")
    answer = api.get(f"/api/datasets/second-opinion/{assignment.pk}/")
    assert answer.status_code == 403 and "blinded to model predictions" in answer.json()["detail"]
    blinded.show_predictions = True
    blinded.save()
    answer = api.get(f"/api/datasets/second-opinion/{assignment.pk}/")
    assert answer.status_code == 403 and "after your own read" in answer.json()["detail"]
    read_submit(reader=reader, assignment=assignment, labels={"intracranial_hemorrhage": "present"})
    shown = api.get(f"/api/datasets/second-opinion/{assignment.pk}/").json()
    assert shown["traits"][0] == {"trait": "intracranial_hemorrhage", "probability": 0.9, "spread": 0.09}
    other = make_readers(1)[0]
    with pytest.raises(PermissionDenied, match="another reader"):
        second_opinion(assignment=assignment, user=other)
