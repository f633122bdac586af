"""Demo step: what a reader outside the hospital receives from DICOMweb (JPEG-LS pixels, compressed metadata)."""

import statistics

from core.compression import compress
from curation.dicom.store import read_bytes
from curation.dicom.transcode_cache import transcoded_bytes
from curation.dicomweb.negotiation import negotiate
from curation.models import Study
from curation.selectors.archive import series_instances, series_metadata_text

# What the reading page sends for its series stream on a slow link (frontend/src/viewer/frames.js, link.js).
# Where the page's automatic choice turns (COMPRESS_BELOW_BYTES_PER_S in link.js, 12.5 MB/s).
SLOW_LINK_MBPS = 100
READING_PAGE_ACCEPT = ('multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.80, '
                       'multipart/related; type="application/dicom"; transfer-syntax=*; q=0.5')


def step_remote_pixels(ctx) -> None:
    """The first study's primary series as the reading page gets it on a slow link: JPEG-LS lossless (made now and
    cached in storage under transcoded/) and its metadata Brotli-compressed; sizes beside the stored ones."""
    study = Study.objects.exclude(primary_series=None).select_related("primary_series").order_by("id").first()
    if study is None:
        ctx.out("remote pixels: no study with an axial series to show")
        return
    series = study.primary_series
    instances = list(series_instances(series))
    choice = negotiate(READING_PAGE_ACCEPT, instances[0].transfer_syntax, frames=False)[0]
    stored = sum(len(read_bytes(i.storage_path)) for i in instances)
    sent = [len(transcoded_bytes(i.storage_path, choice.transfer_syntax)) for i in instances]
    metadata = series_metadata_text(study_uid=study.study_uid, series_uid=series.series_uid).encode()
    ctx.out(f"remote pixels: series {series.series_uid[:24]}... ({len(instances)} slices) in "
            f"{choice.transfer_syntax} (JPEG-LS lossless): {stored / 1e6:.2f} MB stored -> {sum(sent) / 1e6:.2f} MB "
            f"sent (ratio {stored / sum(sent):.2f}, median slice {statistics.median(sent) / 1e3:.0f} kB); metadata "
            f"{len(metadata) / 1e3:.0f} kB -> {len(compress(metadata, 'br')) / 1e3:.1f} kB with Brotli; the page asks "
            f"for JPEG-LS on links it measures under {SLOW_LINK_MBPS} Mbit/s, for the pixels as stored above")
