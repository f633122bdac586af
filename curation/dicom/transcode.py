"""Stored instances in another transfer syntax, for DICOMweb retrieves that ask for one (PS3.18 8.7.3).

The archive keeps every instance as received (content-addressed, immutable); a reader far from the hospital
asks for a lossless compressed syntax instead, and gets it from here, through a cache beside the stored files
(`transcode_cache.py`). Encoding goes through pydicom 3's encoders and their plugins, the maintained codecs of
the field: JPEG-LS through pyjpegls (CharLS), RLE and JPEG 2000 through pylibjpeg's plugins. Every encoding is
decoded again and compared with the stored pixels before it is served, so "lossless" is checked, not assumed.
"""

from io import BytesIO

import numpy as np
from pydicom import dcmread
from pydicom.encaps import generate_fragmented_frames
from pydicom.uid import (
    UID,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLSLossless,
    RLELossless,
)

# What an instance can be turned into, with the encoder plugin to use (pydicom's own RLE is ten times slower).
ENCODERS = {
    JPEGLSLossless: "pyjpegls",
    RLELossless: "pylibjpeg",
    JPEG2000Lossless: "pylibjpeg",
}
NATIVE = frozenset({ExplicitVRLittleEndian, ImplicitVRLittleEndian})
TARGETS = frozenset(ENCODERS) | {ExplicitVRLittleEndian}


class TranscodeError(ValueError):
    """The instance cannot be given in that transfer syntax (its pixels do not suit the codec, or no decoder)."""


def _pixels(ds) -> np.ndarray:
    try:
        return ds.pixel_array
    except Exception as exc:  # any decoder failure: a missing plugin, a codec error, malformed fragments
        raise TranscodeError(f"pixel data of {ds.file_meta.TransferSyntaxUID.name} cannot be decoded: {exc}") from exc


def transcode(data: bytes, transfer_syntax: str) -> bytes:
    """The Part 10 file `data` in `transfer_syntax` (one of TARGETS); `data` itself when it is in it already.

    Raises TranscodeError when the pixels cannot be encoded in it, or the encoding does not decode to them.
    """
    target = UID(transfer_syntax)
    if target not in TARGETS:
        raise TranscodeError(f"{transfer_syntax} is not a transfer syntax this archive encodes to")
    ds = dcmread(BytesIO(data))
    current = UID(ds.file_meta.TransferSyntaxUID)
    if current == target:
        return data
    # Lossless: the same instance in another encoding, so it keeps its SOP Instance UID (pydicom makes a new one
    # unless told not to).
    if "PixelData" not in ds:
        raise TranscodeError("the instance has no pixel data to encode")
    stored = _pixels(ds)
    if current.is_compressed:
        ds.decompress(as_rgb=False, generate_instance_uid=False)
    if target in ENCODERS:
        try:
            ds.compress(target, stored, encoding_plugin=ENCODERS[target], generate_instance_uid=False)
        except Exception as exc:  # the encoders raise ValueError, RuntimeError or their own errors
            raise TranscodeError(f"{target.name} cannot encode these pixels: {exc}") from exc
        if not np.array_equal(_pixels(ds), stored):
            raise TranscodeError(f"{target.name} did not give back the stored pixels")
    out = BytesIO()
    ds.save_as(out, implicit_vr=False, little_endian=True, enforce_file_format=True)
    return out.getvalue()


def file_transfer_syntax(data: bytes) -> str:
    return str(dcmread(BytesIO(data), stop_before_pixels=True).file_meta.TransferSyntaxUID)


def file_frames(data: bytes, numbers: list[int]) -> list[bytes]:
    """Frames `numbers` (from 1) of a Part 10 file: native frames sliced, encapsulated ones as their bytes."""
    ds = dcmread(BytesIO(data))
    n_frames = int(ds.get("NumberOfFrames") or 1)
    if UID(ds.file_meta.TransferSyntaxUID).is_compressed:
        frames = [b"".join(f) for f in generate_fragmented_frames(ds.PixelData, number_of_frames=n_frames)]
        return [frames[n - 1] for n in numbers]
    data, length = ds.PixelData, len(ds.PixelData) // n_frames
    return [data[(n - 1) * length : n * length] for n in numbers]
