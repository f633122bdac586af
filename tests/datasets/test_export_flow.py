"""A dataset exported from the platform: directory, provenance, determinism, immutability, PHI, training reader."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from curation.models import Taxonomy
from datasets.export.manifest import read_manifest, verify
from datasets.locations import published_dir
from datasets.models import DatasetVersion, DatasetVersionPublishedError
from datasets.services.export import dataset_export_run
from datasets.services.versions import dataset_version_create

from .platform_cohort import phi_strings


def _version(cohort, name="heads", **extra):
    return dataset_version_create(name=name, taxonomy=Taxonomy.objects.get(name="head-ct", version=1),
                                  campaign_ids=[cohort["campaign"].pk], image_size=(16, 16), chunk_studies=2,
                                  **extra)


@pytest.mark.django_db
def test_a_campaign_exports_to_a_published_verified_directory(cohort):
    version = _version(cohort)
    job = dataset_export_run(version=version)
    version.refresh_from_db()
    assert job.status == "done" and version.status == "published" and version.n_studies == 6
    root = published_dir(version)
    manifest = read_manifest(root)
    assert verify(root, manifest) == []
    assert manifest["content_hash"] == version.content_hash
    assert manifest["provenance"]["campaigns"][0]["name"] == "first"
    assert manifest["provenance"]["reader_count"] == 2
    assert len(manifest["traits"]) == 35 and sum(manifest["splits"].values()) == 6
    assert set(manifest["agreement"]["intracranial_hemorrhage"]) >= {"fleiss_kappa", "krippendorff_alpha"}
    assert version.n_slices == 6 * 4
