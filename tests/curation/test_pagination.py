"""The archive and taxonomy lists page: more rows than a page, reached to the last one through `next`."""

import pytest

from curation.models import IdentityLink, IngestJob, Patient, Rejection, Study, Taxonomy
from curation.services.taxonomy import taxonomy_clone
from tests.pagination import assert_walked

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    patient = Patient.objects.create(pseudonym="P-PAGES")
    studies = [Study.objects.create(study_uid=f"2.25.7700{i}", patient=patient, accession_pseudonym=f"A-PAGES-{i}")
               for i in range(5)]
    for i, study in enumerate(studies):
        IdentityLink.objects.create(study=study, original_study_uid=f"1.2.3.{i}", original_patient_id="MRN-1",
                                    date_shift_days=-3)
    jobs = [IngestJob.objects.create(source="upload") for _ in range(3)]
    for i in range(5):
        Rejection.objects.create(source="upload", name=f"file-{i}.dcm", rule="not_dicom", reason="no preamble",
                                 sha256=f"{i:064d}", job=jobs[0])
    return studies


def test_archive_lists_page_through_next(api_for, archive):
    assert_walked(api_for("radiologist"), "/api/archive/studies/", 5, key="study_uid")
    assert_walked(api_for("curator"), "/api/archive/rejections/", 5)
    assert_walked(api_for("curator"), "/api/archive/rejections/?rule=not_dicom", 5)  # the filter stays in `next`
    assert_walked(api_for("curator"), "/api/archive/jobs/", 3)
    assert_walked(api_for("admin"), "/api/archive/identity-links/", 5, key="study_uid")


def test_taxonomy_list_pages_through_next(api_for):
    published = Taxonomy.objects.get(name="head-ct", version=1)
    for _ in range(2):
        taxonomy_clone(taxonomy=published)
    rows = assert_walked(api_for("trainer"), "/api/taxonomies/", Taxonomy.objects.count())
    assert [t["version"] for t in rows if t["name"] == "head-ct"] == [3, 2, 1]  # the order holds across pages
