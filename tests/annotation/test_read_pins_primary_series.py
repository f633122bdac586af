"""A read's slice marks are indices into the study's primary series: once a read holds marks, a longer axial series
arriving later (a thin reconstruction sent after the read) does not become the primary series under them."""

import pytest

from annotation.services.reads import read_draft_save, read_submit
from annotation.services.worklist import worklist_next
from curation.models import Series, Study
from curation.services.archive_refresh import study_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(campaign_factory, studies, readers):
    return campaign_factory(studies=studies(1, slices=32), readers=readers(2), slice_ranges=True)


def _longer_series_arrives(study: Study) -> Series:
    longer = Series.objects.create(series_uid=f"{study.study_uid}.9", study=study, kind="axial", n_instances=300)
    study_refresh(study=Study.objects.get(pk=study.pk))
    return longer


@pytest.mark.parametrize("save, labels", [
    (read_submit, {"fracture": {"state": "present", "slice_ranges": [[3, 5]], "key_images": [4]}}),
    (read_draft_save, {"fracture": {"state": "present", "key_images": [7]}}),
], ids=["submitted read", "draft"])
def test_a_read_with_marks_keeps_the_series_it_marked(campaign, save, labels):
    reader = campaign.readers.first()
    assignment = worklist_next(reader=reader, campaign=campaign)
    study = assignment.campaign_study.study
    marked = study.primary_series
    save(reader=reader, assignment=assignment, labels=labels)
    _longer_series_arrives(study)
    assert Study.objects.get(pk=study.pk).primary_series == marked


def test_without_marks_the_archive_still_picks_the_better_series(campaign):
    reader = campaign.readers.first()
    assignment = worklist_next(reader=reader, campaign=campaign)
    study = assignment.campaign_study.study
    read_submit(reader=reader, assignment=assignment, labels={"fracture": "present"})
    longer = _longer_series_arrives(study)
    assert Study.objects.get(pk=study.pk).primary_series == longer


def test_the_upgrade_pins_studies_whose_reads_already_hold_marks(campaign):
    from importlib import import_module

    from django.apps import apps

    reader = campaign.readers.first()
    assignment = worklist_next(reader=reader, campaign=campaign)
    study = assignment.campaign_study.study
    read_submit(reader=reader, assignment=assignment,
                labels={"fracture": {"state": "present", "slice_ranges": [[3, 5]]}})
    Study.objects.filter(pk=study.pk).update(primary_series_pinned=False)  # as before the upgrade
    import_module("annotation.migrations.0008_pin_marked_primary_series").pin_marked(apps, None)
    assert Study.objects.get(pk=study.pk).primary_series_pinned
