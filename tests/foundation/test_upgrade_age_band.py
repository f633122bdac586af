"""Upgrading from the previous release gives the studies it ingested an age band, from the linkage table's birth
date (that release kept no band); only bands are written."""

from curation.dicom.age_band import BAND_LABELS
from tests.deployments import query


def test_studies_ingested_by_the_previous_release_get_an_age_band(upgraded_deployment):
    bands = dict(query(upgraded_deployment.database, "SELECT age_band, count(*) FROM curation_study GROUP BY 1"))
    assert bands and set(bands) <= set(BAND_LABELS)  # every synthetic study had a birth date
    assert len(bands) >= 2
