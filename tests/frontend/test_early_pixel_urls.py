"""The reading page's head names the opening slice's frame beside the series metadata (early-frames.js fetches both
at once): the middle instance in the archive's slice order, or nothing when the page must find it itself."""

import pytest

from curation.models import Instance
from frontend.views.series_source import early_pixel_urls
from tests.frontend.conftest import ingest_phantom_studies

pytestmark = pytest.mark.django_db


def test_the_opening_frame_is_the_middle_slice_of_the_series(tmp_path):
    study = ingest_phantom_studies(tmp_path, [{}])[0]
    series = study.primary_series
    middle = Instance.objects.get(series=series, slice_index=series.instances.count() // 2)
    urls = early_pixel_urls(study_uid=study.study_uid, series_uid=series.series_uid)
    base = f"/dicomweb/studies/{study.study_uid}/series/{series.series_uid}"
    assert urls == {"metadata_url": f"{base}/metadata", "opening_frame_url": f"{base}/instances/{middle.sop_uid}/frames/1"}

    # A multi-frame instance: frames, not instances, are counted by the page, so it finds the frame itself.
    Instance.objects.filter(pk=middle.pk).update(n_frames=2)
    assert early_pixel_urls(study_uid=study.study_uid, series_uid=series.series_uid)["opening_frame_url"] is None
    assert early_pixel_urls(study_uid=study.study_uid, series_uid=None) == {"metadata_url": None,
                                                                            "opening_frame_url": None}
