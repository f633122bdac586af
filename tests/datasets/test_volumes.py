"""The export's volume reader: the native fast path gives exactly the archive's own HU decode."""

from io import BytesIO

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file

from curation.dicom.store import read_bytes
from curation.models import Series, Study
from curation.selectors.archive import series_volume_hu
from curation.services.archive import ingest_paths
from datasets.selectors.volumes import _native_rows, load_series_volume

from .platform_cohort import ingest_cohort


@pytest.mark.django_db
def test_native_reads_equal_the_archive_decode_on_synthetic_studies(tmp_path):
    ingest_cohort(tmp_path / "cohort", studies=2)
    for study in Study.objects.exclude(primary_series=None):
        assert _native_rows(study.primary_series) is not None  # the fast path is the one under test
        volume = load_series_volume(str(study.primary_series_id))
        np.testing.assert_array_equal(volume.hu, series_volume_hu(study.primary_series))
        assert volume.hu.shape == (4, 32, 32) and volume.slice_thickness_mm > 0
        first = dcmread(BytesIO(read_bytes(study.primary_series.instances.first().storage_path)))
        assert volume.pixel_spacing_mm == pytest.approx(tuple(float(v) for v in first.PixelSpacing))


@pytest.mark.django_db
def test_real_scanner_files_native_and_compressed_decode_alike(tmp_path):
    # pydicom-data's real 512x512 head CT, uncompressed and JPEG 2000 lossless: same pixels, two paths.
    ingest_paths([get_testdata_file("693_UNCR.dcm"), get_testdata_file("693_J2KR.dcm")], source="cli")
    volumes = []
    for series in Series.objects.order_by("series_uid"):
        volume = load_series_volume(str(series.pk))
        np.testing.assert_array_equal(volume.hu, series_volume_hu(series))
        volumes.append(volume.hu)
    assert len(volumes) >= 1 and volumes[0].shape[1:] == (512, 512)
    assert volumes[0].min() < -500 and volumes[0].max() > 500  # air and bone: Hounsfield units, not raw values


@pytest.mark.django_db
def test_a_missing_series_is_a_clear_value_error():
    with pytest.raises(ValueError, match="no primary axial series"):
        load_series_volume("")
    with pytest.raises(ValueError, match="series 987654 is no longer in the archive"):
        load_series_volume("987654")
