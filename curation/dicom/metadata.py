"""DICOM JSON (PS3.18 F.2) for instances, with PixelData as a BulkDataURI on the configured public base URL.

Computed once at ingest and kept in the database, so WADO-RS metadata requests never re-read the files.
"""

from pydicom.dataset import Dataset
from pydicom.tag import Tag

PIXEL_DATA = Tag("PixelData")


def retrieve_url(public_url: str, study_uid: str, series_uid: str | None = None, sop_uid: str | None = None) -> str:
    url = f"{public_url}/dicomweb/studies/{study_uid}"
    if series_uid:
        url += f"/series/{series_uid}"
    if sop_uid:
        url += f"/instances/{sop_uid}"
    return url


def frames_uri(public_url: str, study_uid: str, series_uid: str, sop_uid: str, n_frames: int) -> str:
    frames = ",".join(str(i) for i in range(1, max(1, n_frames) + 1))
    return f"{retrieve_url(public_url, study_uid, series_uid, sop_uid)}/frames/{frames}"


def instance_json(ds: Dataset, *, public_url: str, n_frames: int = 1, described: dict | None = None,
                  uids: tuple[str, str, str] | None = None) -> dict:
    """The instance's DICOM JSON; pixel data is referenced by its frames URL, never inlined.

    `described` is the JSON of every other element when de-identification already wrote it; `uids` are the
    study, series and instance UIDs when the caller has read them already.
    """
    if described is not None:
        data, pixel = dict(described), ds.get_item(PIXEL_DATA)
    else:
        pixel = ds.pop(PIXEL_DATA, None)
        try:
            data = ds.to_json_dict(suppress_invalid_tags=True)
        finally:
            if pixel is not None:
                ds[PIXEL_DATA] = pixel
    if pixel is not None:
        uids = uids or (ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
        uri = frames_uri(public_url, *uids, n_frames)
        data["7FE00010"] = {"vr": pixel.VR if pixel.VR in ("OB", "OW") else "OW", "BulkDataURI": uri}
    return data


def attribute(vr: str, *values) -> dict:
    """One DICOM JSON attribute; no values gives the empty attribute QIDO returns for type-2 keys."""
    values = [v for v in values if v not in (None, "")]
    if not values:
        return {"vr": vr}
    if vr == "PN":
        return {"vr": vr, "Value": [{"Alphabetic": str(v)} for v in values]}
    return {"vr": vr, "Value": list(values)}
