"""What an export reads from the database keeps each label's slice ranges and key images: they are read as JSON
text and decoded only where a label has any (most have none)."""

import pytest

from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from datasets.models import DatasetVersion
from datasets.selectors.sources import export_sources
from tests.annotation.conftest import make_campaign, make_readers, make_studies


@pytest.fixture
def read_campaign(db):
    from curation.models import Taxonomy
    from tests.conftest import restore_migration_data

    restore_migration_data()
    taxonomy = Taxonomy.objects.get(name="head-ct", version=1)
    readers = make_readers(2)
    campaign = make_campaign(taxonomy, studies=make_studies(2), readers=readers, min_reads=2, max_reads=2,
                             slice_ranges=True)
    positive = {"lacune": {"state": "present", "slice_ranges": [[3, 5], [9, 9]], "key_images": [4, 9]}}
    for reader in readers:
        while (assignment := worklist_next(reader=reader, campaign=campaign)) is not None:
            read_submit(reader=reader, assignment=assignment, labels=positive)
    return campaign, taxonomy


def test_labels_and_reads_keep_their_ranges_and_key_images(read_campaign):
    campaign, taxonomy = read_campaign
    version = DatasetVersion.objects.create(name="ranges", version=1, taxonomy=taxonomy, campaign_ids=[campaign.pk])
    sources = export_sources(version)
    lacune = [lb for lb in sources.labels if lb.trait == "lacune"]
    assert len(lacune) == 2 and {lb.label for lb in lacune} == {1}
    assert {lb.slice_ranges for lb in lacune} == {((3, 5), (9, 9))} and {lb.key_images for lb in lacune} == {(4, 9)}
    absent = [lb for lb in sources.labels if lb.trait == "hydrocephalus"]
    assert absent and all(lb.slice_ranges == () and lb.key_images == () for lb in absent)
    reads = [r for r in sources.reads if r.trait == "lacune"]
    assert len(reads) == 4 and {r.slice_ranges for r in reads} == {((3, 5), (9, 9))}
    assert all(r.slice_ranges == () for r in sources.reads if r.trait == "hydrocephalus")
