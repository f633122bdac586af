"""Rendered images for WADO-URI (contentType=image/jpeg or image/png): windowed 8-bit pictures of a frame."""

from io import BytesIO

import numpy as np
from PIL import Image
from pydicom import dcmread
from pydicom.multival import MultiValue
from pydicom.pixels import apply_rescale

from curation.dicom.store import read_bytes

# Brain window: what a head-CT reader looks at first when the request names none.
DEFAULT_CENTER, DEFAULT_WIDTH = 40.0, 80.0


def _number(value) -> float | None:
    if isinstance(value, list | tuple | MultiValue):
        value = value[0] if value else None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _window(params, ds) -> tuple[float, float]:
    center = _number(params.get("windowCenter"))
    width = _number(params.get("windowWidth"))
    if center is None or not width:
        center, width = _number(ds.get("WindowCenter")), _number(ds.get("WindowWidth"))
    if center is None or not width:
        center, width = DEFAULT_CENTER, DEFAULT_WIDTH
    return center, width


def render_instance(instance, content_type: str, params) -> bytes:
    ds = dcmread(BytesIO(read_bytes(instance.storage_path)))
    frame = int(params.get("frameNumber") or 1) - 1
    pixels = ds.pixel_array
    if int(ds.get("NumberOfFrames") or 1) > 1:
        pixels = pixels[min(max(frame, 0), len(pixels) - 1)]
    if pixels.ndim == 3:  # colour secondary capture: show as stored
        image = Image.fromarray(pixels.astype(np.uint8))
    else:
        values = apply_rescale(pixels, ds) if "RescaleSlope" in ds else pixels.astype(float)
        center, width = _window(params, ds)
        scaled = np.clip((values - (center - width / 2)) / width * 255.0, 0, 255).astype(np.uint8)
        if ds.get("PhotometricInterpretation") == "MONOCHROME1":
            scaled = 255 - scaled
        image = Image.fromarray(scaled)
    out = BytesIO()
    image.save(out, format="JPEG" if content_type == "image/jpeg" else "PNG")
    return out.getvalue()
