"""Trait co-occurrence from consensus labels, per split: in the manifest, the data card and the version page."""

import pytest
from django.test import Client

from curation.models import Taxonomy
from datasets.export.cooccurrence import cooccurrence, top_pairs
from datasets.export.manifest import read_manifest
from datasets.locations import published_dir
from datasets.services.export import dataset_export_run
from datasets.services.versions import dataset_version_create
from tests.conftest import PASSWORD


def test_counts_and_lift_per_split():
    rows = [{"study_id": s, "trait": t, "label": 1} for s, t in
            [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "z"), ("e", "x")]]
    rows += [{"study_id": "d", "trait": "x", "label": 0}]
    splits = {"a": "train", "b": "train", "c": "train", "d": "train", "e": "test"}
    table = cooccurrence(rows, splits, ["x", "y", "z"])
    train = table["train"]
    assert train["n"] == 4 and train["counts"] == [[2, 2, 0], [2, 2, 0], [0, 0, 1]]
    # x and y always together in 4 studies with 2 each: P(x,y) / (P(x) P(y)) = 0.5 / 0.25 = 2
    assert train["lift"][0][1] == 2.0 and train["lift"][0][2] == 0.0
    assert table["test"]["lift"][1][1] is None and table["calibration"] == {"n": 0, "counts": [[0] * 3] * 3,
                                                                            "lift": [[None] * 3] * 3}
    [pair] = top_pairs(table, ["x", "y", "z"])
    assert (pair["a"], pair["b"], pair["splits"]["train"]) == ("x", "y", (2, 2.0))


@pytest.mark.django_db
def test_the_export_and_the_version_page_show_how_traits_cooccur(cohort, users):
    version = dataset_version_create(name="heads", taxonomy=Taxonomy.objects.get(name="head-ct", version=1),
                                     campaign_ids=[cohort["campaign"].pk], image_size=(16, 16), chunk_studies=2)
    dataset_export_run(version=version)
    version.refresh_from_db()
    manifest = read_manifest(published_dir(version))
    codes = [t["code"] for t in manifest["traits"]]
    for split, data in manifest["cooccurrence"].items():
        assert [data["counts"][j][j] for j in range(len(codes))] == [manifest["counts"][split][c] for c in codes]
    card = (published_dir(version) / "datacard.md").read_text()
    assert "## Co-occurring traits" in card
    client = Client()
    assert client.login(username=users["trainer"].username, password=PASSWORD)
    page = client.get(f"/datasets/{version.pk}/").content.decode()
    assert 'id="cooccurrence"' in page and 'data-kind="lift"' in page and 'data-split="train"' in page
    positives = {c for s in manifest["counts"].values() for c, n in s.items() if n}
    assert all(f". {c}</th>" in page for c in positives)
