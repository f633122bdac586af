"""Versions of one dataset: test studies stay in test, and the diff shows studies added and labels changed."""

import pytest

from curation.models import Taxonomy
from datasets.selectors.versions import version_diff, version_studies
from datasets.services.export import dataset_export_run
from datasets.services.versions import dataset_version_create

from .platform_cohort import read_campaign


def _export(campaigns, seed=0, name="heads"):
    version = dataset_version_create(name=name, taxonomy=Taxonomy.objects.get(name="head-ct", version=1),
                                     campaign_ids=[c.pk for c in campaigns], image_size=(16, 16), split_seed=seed,
                                     split_fractions=[0.5, 0.0, 0.5])
    dataset_export_run(version=version)
    version.refresh_from_db()
    return version


@pytest.mark.django_db
def test_a_later_version_keeps_every_study_in_its_split_and_the_diff_shows_the_changes(cohort):
    studies, positives = cohort["studies"], cohort["positives"]
    first_half = read_campaign("early", studies[:4], positives)
    v1 = _export([first_half], seed=1)
    # v2: two new studies, one study re-read with a fracture added, and another seed.
    changed = next(s for s in studies[:4] if "fracture" not in positives.get(s.pk, set()))
    later = read_campaign("later", [changed, *studies[4:]], positives,
                          overrides={changed.pk: positives.get(changed.pk, set()) | {"fracture"}})
    v2 = _export([first_half, later], seed=2)
    assert v2.version == v1.version + 1
    splits1, splits2 = version_studies(v1), version_studies(v2)
    assert "test" in splits1.values()
    for study, split in splits1.items():
        assert splits2[study] == split
    diff = version_diff(v1, v2)
    assert diff["studies_added"] == sorted(s.study_uid for s in studies[4:])
    assert diff["studies_removed"] == []
    assert diff["labels_changed"] == {"fracture": {"changed": 1, "to_positive": 1, "to_negative": 0, "studies": [
        {"study_id": changed.study_uid, "before": 0, "after": 1}]}}
    assert {c["field"] for c in diff["definition_changed"]} == {"campaigns", "split_seed"}
    back = version_diff(v2, v1)
    assert back["studies_removed"] == diff["studies_added"]
