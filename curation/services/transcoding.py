"""The WADO-RS transcode cache kept within its size (curation/dicom/transcode_cache.py holds the how)."""

from django.conf import settings

from curation.dicom.transcode_cache import TrimResult, cache_trim


def transcode_cache_trim() -> TrimResult:
    """Remove the oldest-written transcoded instances until the cache fits RADCURATE_TRANSCODE_CACHE_BYTES."""
    return cache_trim(max_bytes=settings.RADCURATE_TRANSCODE_CACHE_BYTES)
