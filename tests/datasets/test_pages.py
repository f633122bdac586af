"""The dataset pages: trainers export from a form and see the version, its files and data card, and a diff."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_a_trainer_exports_from_the_page_and_compares_two_versions(cohort, users, django_capture_on_commit_callbacks):
    trainer = _client(users["trainer"])
    listing = trainer.get("/datasets/")
    assert listing.status_code == 200 and "first" in listing.content.decode()  # the campaign is offered
    form = {"name": "page-heads", "campaigns": [cohort["campaign"].pk], "method": "majority", "seed": "3",
            "size": "16", "train": "0.5", "calibration": "0.25", "test": "0.25"}
    with django_capture_on_commit_callbacks(execute=True):
        first = trainer.post("/datasets/new/", form)
    assert first.status_code == 302
    page = trainer.get(first["Location"]).content.decode()
    assert "published" in page and "datacard.md" in page and "Dataset card: page-heads" in page
    with django_capture_on_commit_callbacks(execute=True):
        second = trainer.post("/datasets/new/", {**form, "seed": "4"})
    second_page = trainer.get(second["Location"]).content.decode()
    assert "v1 → v2" in second_page
    first_id, second_id = (int(r["Location"].rstrip("/").split("/")[-1]) for r in (first, second))
    diff = trainer.get(f"/datasets/{first_id}/compare/{second_id}/").content.decode()
    assert "Studies added: 0" in diff and "No label changed." in diff
    assert '<tr data-field="split_seed"><td>Split seed</td><td>3</td><td>4</td></tr>' in diff  # the definition changed
    assert "<td>v2</td>" in trainer.get("/datasets/").content.decode()


@pytest.mark.django_db
def test_the_pages_refuse_radiologists_and_curators_cannot_export(cohort, users):
    assert _client(users["radiologist"]).get("/datasets/").status_code == 403
    curator = _client(users["curator"])
    assert curator.get("/datasets/").status_code == 200
    assert curator.post("/datasets/new/", {"name": "x"}).status_code == 403


@pytest.mark.django_db
def test_a_bad_form_says_what_was_wrong(cohort, users):
    trainer = _client(users["trainer"])
    response = trainer.post("/datasets/new/", {"name": "bad", "campaigns": [cohort["campaign"].pk], "seed": "0",
                                               "size": "16", "train": "0.9", "calibration": "0.9", "test": "0.1"},
                            follow=True)
    html = response.content.decode()
    assert response.status_code == 400 and "fractions" in html
    # Every field keeps what the trainer typed, the campaign stays ticked.
    assert 'name="name" value="bad"' in html and 'name="train" value="0.9"' in html and 'value="16"' in html
    assert f'name="campaigns" value="{cohort["campaign"].pk}" checked' in html
