"""Where the browser viewer gets a study's images: the archive's DICOMweb root and the study's primary axial series."""

from django.urls import reverse

from curation.selectors.archive import series_opening_sop_uid


def dicomweb_root() -> str:
    # Derived from the URL conf, so the viewer follows wherever /dicomweb/ is mounted.
    return reverse("dicomweb:studies").removesuffix("/studies")


def series_config(*, study_uid: str, series_uid: str | None) -> dict:
    return {"root": dicomweb_root(), "studyUid": study_uid, "seriesUid": series_uid}


def series_metadata_url(*, study_uid: str, series_uid: str | None) -> str | None:
    """Fetched by an inline script in the page head, so the metadata arrives while the viewer bundle loads."""
    if not series_uid:
        return None
    return reverse("dicomweb:series-metadata", args=[study_uid, series_uid])


def series_opening_frame_url(*, study_uid: str, series_uid: str | None) -> str | None:
    """The opening slice's frame, named in the page head so that it is asked for beside the metadata (one round
    trip less before the first image on a remote reader's link); None when the page must find it in the metadata."""
    sop_uid = series_uid and series_opening_sop_uid(study_uid=study_uid, series_uid=series_uid)
    return reverse("dicomweb:frames", args=[study_uid, series_uid, sop_uid, "1"]) if sop_uid else None


def early_pixel_urls(*, study_uid: str, series_uid: str | None) -> dict:
    """What the page head fetches before the viewer bundle has been parsed (_early_metadata.html)."""
    return {
        "metadata_url": series_metadata_url(study_uid=study_uid, series_uid=series_uid),
        "opening_frame_url": series_opening_frame_url(study_uid=study_uid, series_uid=series_uid),
    }
