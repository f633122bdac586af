"""Where the browser viewer gets a study's images: the archive's DICOMweb root and the study's primary axial series."""

from django.urls import reverse


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
