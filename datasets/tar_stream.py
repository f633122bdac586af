"""A tar archive produced as a stream of byte blocks, so a many-gigabyte dataset downloads in constant memory.

tarfile writes headers (TarInfo.tobuf); we emit them and the file bytes ourselves because tarfile can
only write into a file object, not yield to an HTTP response.
"""

import tarfile
from collections.abc import Iterator
from pathlib import Path

BLOCK = tarfile.BLOCKSIZE
READ_BYTES = 1 << 20


def tar_stream(root: Path, paths: list[str], prefix: str) -> Iterator[bytes]:
    for relative in paths:
        path = root / relative
        info = tarfile.TarInfo(f"{prefix}/{relative}")
        stat = path.stat()
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o444
        yield info.tobuf(format=tarfile.PAX_FORMAT)
        with open(path, "rb") as handle:
            while chunk := handle.read(READ_BYTES):
                yield chunk
        if info.size % BLOCK:
            yield b"\0" * (BLOCK - info.size % BLOCK)
    yield b"\0" * (2 * BLOCK)
