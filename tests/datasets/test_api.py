"""The datasets API: trainers define and export versions, read progress and manifests, download files and tars."""

import io
import tarfile

import pytest

from curation.models import Taxonomy
from datasets.models import DatasetVersion


def _create(api, cohort, **extra):
    return api.post("/api/datasets/versions/", {
        "name": "api-heads", "taxonomy_id": Taxonomy.objects.get(name="head-ct", version=1).pk,
        "campaign_ids": [cohort["campaign"].pk], "image_size": 16, "chunk_studies": 4, **extra}, format="json")


@pytest.mark.django_db
def test_a_trainer_exports_through_the_api_and_downloads_it(cohort, api_for, django_capture_on_commit_callbacks):
    trainer = api_for("trainer")
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly once the row is committed
        created = _create(trainer, cohort)
    assert created.status_code == 201, created.data
    detail = trainer.get(f"/api/datasets/versions/{created.data['id']}/").data
    assert detail["status"] == "published" and detail["job"]["percent"] == 100
    assert detail["manifest"]["content_hash"] == detail["content_hash"]
    files = trainer.get(f"/api/datasets/versions/{detail['id']}/files/").data["files"]
    labels = trainer.get(f"/api/datasets/versions/{detail['id']}/files/labels.parquet")
    assert labels.status_code == 200
    listed = next(f for f in files if f["path"] == "labels.parquet")
    assert len(b"".join(labels.streaming_content)) == listed["bytes"]
    assert trainer.get(f"/api/datasets/versions/{detail['id']}/files/../../secret_key").status_code == 404
    tar = trainer.get(f"/api/datasets/versions/{detail['id']}/archive.tar")
    with tarfile.open(fileobj=io.BytesIO(b"".join(tar.streaming_content))) as archive:
        names = archive.getnames()
        manifest = archive.extractfile("api-heads-v1/manifest.json").read()
    assert sorted(names) == sorted(["api-heads-v1/manifest.json", *(f"api-heads-v1/{f['path']}" for f in files)])
    assert detail["content_hash"].encode() in manifest


@pytest.mark.django_db
def test_roles_bad_input_and_published_versions_get_clear_answers(cohort, api_for,
                                                                  django_capture_on_commit_callbacks):
    assert _create(api_for("radiologist"), cohort).status_code == 403
    assert _create(api_for("curator"), cohort).status_code == 403
    bad = _create(api_for("trainer"), cohort, split_fractions=[0.9, 0.9, 0.1])
    assert bad.status_code == 400 and "fractions" in str(bad.data)
    unknown = _create(api_for("trainer"), cohort, traits=["not_a_trait"])
    assert unknown.status_code == 400 and "not_a_trait" in str(unknown.data)
    with django_capture_on_commit_callbacks(execute=True):
        version_id = _create(api_for("trainer"), cohort).data["id"]
    assert api_for("curator").get(f"/api/datasets/versions/{version_id}/").status_code == 200
    again = api_for("trainer").post(f"/api/datasets/versions/{version_id}/export/", {}, format="json")
    assert again.status_code == 409 and "immutable" in str(again.data)
    assert DatasetVersion.objects.get(pk=version_id).status == "published"
