"""Volume shards: int16 `.npy` files holding studies back to back, written as a stream.

numpy can only write an `.npy` whose shape is known up front (np.save, open_memmap); a chunk's slice
count is known only after its studies are decoded, so we reserve a fixed-size header, stream the
slices behind it and write the real header (the documented npy 1.0 layout) when the shard closes.
The result is a plain `.npy`: `numpy.load(path, mmap_mode="r")` opens it.
"""

import os
import struct
from pathlib import Path

import numpy as np

HEADER_BYTES = 128  # magic + length + dict; 128 holds any int16 3-D shape and keeps data 64-byte aligned
_MAGIC = b"\x93NUMPY\x01\x00"


class ShardError(ValueError):
    """A volume does not fit the shard; the message names the study and the shard."""


def npy_header(shape: tuple[int, ...], dtype: np.dtype = np.dtype("<i2")) -> bytes:
    text = f"{{'descr': '{np.dtype(dtype).str}', 'fortran_order': False, 'shape': {tuple(shape)!r}, }}"
    body_len = HEADER_BYTES - len(_MAGIC) - 2
    if len(text) + 1 > body_len:
        raise ShardError(f"npy header for shape {shape} exceeds {HEADER_BYTES} bytes")
    return _MAGIC + struct.pack("<H", body_len) + (text.ljust(body_len - 1) + "\n").encode("latin1")


class ShardWriter:
    """Appends (slices, H, W) int16 volumes to one shard file; `close()` writes the header and fsyncs."""

    def __init__(self, path: str | Path, frame: tuple[int, int]):
        self.path = Path(path)
        self.frame = tuple(frame)
        self.n_slices = 0
        self._file = open(self.path, "wb")  # noqa: SIM115  (closed in close())
        self._file.write(b"\0" * HEADER_BYTES)

    def append(self, volume: np.ndarray, *, study_id: str = "?") -> int:
        """Write a study's slices; returns the index of its first slice in the shard."""
        if volume.dtype != np.int16 or volume.ndim != 3 or tuple(volume.shape[1:]) != self.frame:
            raise ShardError(f"study {study_id}: volume {volume.dtype} {volume.shape} does not fit shard "
                             f"{self.path.name} (int16, frame {self.frame})")
        offset = self.n_slices
        self._file.write(np.ascontiguousarray(volume, dtype="<i2").tobytes())
        self.n_slices += volume.shape[0]
        return offset

    def close(self) -> int:
        self._file.seek(0)
        self._file.write(npy_header((self.n_slices, *self.frame)))
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return self.n_slices

    def abort(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.abort()
