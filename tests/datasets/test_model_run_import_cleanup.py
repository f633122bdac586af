"""A model-run import is all or nothing on disk too: a failing import leaves no plot directory behind and a retry
works; plots of an import killed before its commit (no run row) are purged by the next import once they are old;
the same run uploaded again is refused, naming the run it already is."""

import os
import tarfile
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from datasets.models import ModelRun
from datasets.services import model_runs
from datasets.services.model_runs import RunImportError, model_run_import
from tests.annotation.conftest import make_studies
from tests.datasets.test_model_runs import write_run

pytestmark = pytest.mark.django_db


def test_a_failing_import_leaves_no_plot_directory_and_a_retry_works(tmp_path, monkeypatch):
    run_dir = write_run(tmp_path / "run", [s.study_uid for s in make_studies(3)])
    assert list(run_dir.glob("*.png")) or list(run_dir.glob("roc/*.png"))
    seen = {}

    def broker_down(*, run):  # the last step inside the transaction, after the plots are stored
        seen["pk"] = run.pk
        assert default_storage.listdir(f"runs/{run.pk}")[1]
        raise ValidationError("the queue is unavailable")

    monkeypatch.setattr(model_runs, "priorities_recompute_queue", broker_down)
    with pytest.raises(ValidationError):
        model_run_import(run_dir=run_dir)
    assert not ModelRun.objects.exists()
    assert not Path(default_storage.path(f"runs/{seen['pk']}")).exists()

    monkeypatch.undo()
    run = model_run_import(run_dir=run_dir)
    assert run.plots and all(default_storage.exists(name) for name in run.plots)


def test_plots_without_a_run_row_are_purged_once_old(tmp_path):
    old, fresh = "runs/999001/loss.png", "runs/999002/loss.png"
    for name in (old, fresh):
        default_storage.save(name, ContentFile(b"\x89PNG"))
    two_hours_ago = time.time() - 7200
    os.utime(default_storage.path(old), (two_hours_ago, two_hours_ago))
    run = model_run_import(run_dir=write_run(tmp_path / "run", [s.study_uid for s in make_studies(2)]))
    assert not Path(default_storage.path("runs/999001")).exists()
    assert default_storage.exists(fresh)  # may be an import still in flight
    assert all(default_storage.exists(name) for name in run.plots)
    default_storage.delete(fresh)


def test_the_same_run_uploaded_again_is_refused_with_the_earlier_run_named(tmp_path, api_for):
    run_dir = write_run(tmp_path / "run", [s.study_uid for s in make_studies(2)])
    first = model_run_import(run_dir=run_dir, name="baseline")
    with pytest.raises(RunImportError, match=f"already imported as run {first.pk} \\('baseline'"):
        model_run_import(run_dir=run_dir, name="baseline again")
    archive = tmp_path / "run.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(run_dir, arcname="run")
    with archive.open("rb") as f:
        retry = api_for("trainer").post("/api/datasets/runs/", {"file": f}, format="multipart")
    assert retry.status_code == 400 and f"already imported as run {first.pk}" in retry.json()["detail"]
    assert ModelRun.objects.count() == 1
    changed = write_run(tmp_path / "other", [s.study_uid for s in make_studies(2)])  # another run is imported
    assert model_run_import(run_dir=changed).fingerprint not in ("", first.fingerprint)
