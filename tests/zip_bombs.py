"""Hostile archives made in the test: a zip bomb of zeros, one whose central directory lies about the size,
a tar.gz bomb, and a way to measure that reading them never inflates the member in memory."""

import io
import struct
import tarfile
import tracemalloc
import zipfile
from contextlib import contextmanager
from pathlib import Path

BOMB_BYTES = 200 << 20  # 200 MB of zeros: deflate makes about 200 KB of it
_ZEROS = bytes(1 << 20)


def _write_zeros(out, size: int) -> None:
    for _ in range(size // len(_ZEROS)):
        out.write(_ZEROS)
    out.write(bytes(size % len(_ZEROS)))


def zip_bomb(path: Path, *, member: str = "zeros.bin", size: int = BOMB_BYTES, extra: dict | None = None) -> Path:
    """A zip whose `member` is `size` bytes of zeros, written in chunks (the test never holds it in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
        with zf.open(member, "w") as out:
            _write_zeros(out, size)
    return path


def lying_zip(path: Path, *, member: str = "zeros.bin", size: int = BOMB_BYTES, declared: int = 1000) -> Path:
    """A zip bomb whose local header and central directory both declare `declared` bytes for the member."""
    zip_bomb(path, member=member, size=size)
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    local = struct.unpack_from("<I", data, central + 42)[0]  # the member's local header offset
    assert data[local:local + 4] == b"PK\x03\x04" and struct.unpack_from("<I", data, central + 24)[0] == size
    struct.pack_into("<I", data, central + 24, declared)  # uncompressed size, central directory
    struct.pack_into("<I", data, local + 22, declared)  # uncompressed size, local header
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo(member).file_size == declared
    return path


class _Zeros(io.RawIOBase):
    def __init__(self, size: int):
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def tar_bomb(path: Path, *, member: str = "run/zeros.bin", size: int = BOMB_BYTES) -> Path:
    with tarfile.open(path, "w:gz", compresslevel=9) as tf:
        info = tarfile.TarInfo(member)
        info.size = size
        tf.addfile(info, io.BufferedReader(_Zeros(size)))
    return path


@contextmanager
def peak_python_memory():
    """Yields a dict whose "peak" is the most Python memory allocated inside the block (tracemalloc)."""
    result = {}
    tracemalloc.start()
    try:
        yield result
    finally:
        result["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
