"""Content-addressed storage of instance files through Django's storage API (filesystem or S3-compatible).

A file's path is its SHA-256, so storing the same bytes twice writes once, and a stored file is never
changed in place. Rejected originals go to a separate quarantine prefix that only admins may download (their
first 64 KiB, named by the SHA-256 of the whole).
"""

import hashlib
import os
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage

DICOM_PREFIX = "dicom"
QUARANTINE_PREFIX = "quarantine"
# A rejected original is kept up to this many bytes (its headers, enough to see what it was), with its SHA-256.
QUARANTINE_HEAD_BYTES = 64 * 1024


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_path(digest: str, *, prefix: str = DICOM_PREFIX, suffix: str = ".dcm") -> str:
    # 256 folders, as git keeps its objects: all exist after the first ~1,500 instances. With 65,536 (two
    # levels) most of an archive's first ~100,000 files each made a folder (0.1-0.5 ms each on our VM).
    # Paths are stored per instance, so files stored under the older two-level layout stay where they are.
    return f"{prefix}/{digest[:2]}/{digest}{suffix}"


def store_bytes(data: bytes, *, digest: str | None = None, prefix: str = DICOM_PREFIX, suffix: str = ".dcm",
                storage: Storage | None = None) -> str:
    """Store `data` under its content address and return the storage path (idempotent)."""
    storage = storage or default_storage
    path = content_path(digest or sha256_hex(data), prefix=prefix, suffix=suffix)
    if isinstance(storage, FileSystemStorage) and write_new_file(
        storage.path(path), data, mode=storage.file_permissions_mode
    ):
        return path
    if not storage.exists(path):
        content = ContentFile(data)
        content.DEFAULT_CHUNK_SIZE = max(len(data), 1)  # one write: the bytes are in memory already
        saved = storage.save(path, content)
        if saved != path:  # a concurrent writer stored the same bytes first; keep one copy
            storage.delete(saved)
    return path


def write_new_file(full_path: str, data: bytes, *, mode: int | None = None) -> bool:
    """Create `full_path` with `data` unless it exists (the same address: the same bytes); False when its
    folder does not exist yet, which the storage's own save then creates with its permissions.

    FileSystemStorage.save makes about a dozen system calls a file (exists, lock, unlock, chmod, relpath),
    and on the store thread each one waits for the GIL behind the parse: this makes three or four. A file
    left half written by an error is removed; one left short by a killed process or a power loss (it exists
    with fewer bytes) is replaced when the same bytes are stored again, so its address never names truncated
    bytes once indexed.
    """
    try:
        fd = os.open(full_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except FileExistsError:
        if os.stat(full_path).st_size != len(data):
            _replace_file(full_path, data, mode=mode)
        return True
    except FileNotFoundError:
        return False
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if mode is not None:
            os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        os.unlink(full_path)
        raise
    os.close(fd)
    return True


# fsync waits on the disk with the GIL released; a few at once share the journal commits of ext4/xfs.
SYNC_THREADS = 8
_sync_pool: ThreadPoolExecutor | None = None
_sync_pool_lock = threading.Lock()


def _fsync_path(path: str, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_executor() -> ThreadPoolExecutor:
    global _sync_pool
    with _sync_pool_lock:
        if _sync_pool is None:
            _sync_pool = ThreadPoolExecutor(max_workers=SYNC_THREADS, thread_name_prefix="radcurate-fsync")
        return _sync_pool


def sync_stored(paths: Iterable[str], *, storage: Storage | None = None) -> int:
    """Make stored files durable: fsync each file, each folder holding one, and those folders' parents up to
    the storage root (a folder made for the batch is an entry in its parent). Returns the number synced.

    One pass per batch, before its rows are committed and before anything is acknowledged: the index never
    names a file that a power loss could take back. Files stored earlier (a re-sent instance, the file of a
    killed ingest) are synced again, which costs little when nothing of theirs is dirty. Nothing to do with
    RADCURATE_FSYNC off, or for a storage that is not a local filesystem (S3 and the like: durability is the
    backend's once its PUT has returned).
    """
    storage = storage or default_storage
    if not getattr(settings, "RADCURATE_FSYNC", True) or not isinstance(storage, FileSystemStorage):
        return 0
    root = os.path.abspath(storage.location)
    files = sorted({storage.path(p) for p in paths if p})
    if not files:
        return 0
    folders = set()
    for path in files:
        folder = os.path.dirname(path)
        while folder not in folders and len(folder) >= len(root):
            folders.add(folder)
            folder = os.path.dirname(folder)
    jobs = [(path, False) for path in files] + [(folder, True) for folder in sorted(folders)]
    if len(jobs) == 1:
        _fsync_path(*jobs[0])
    else:
        executor = _sync_executor()
        for future in [executor.submit(_fsync_path, path, directory=directory) for path, directory in jobs]:
            future.result()  # the first error (EIO: the disk did not take it) fails the batch
    return len(jobs)


def _replace_file(full_path: str, data: bytes, *, mode: int | None = None) -> None:
    """Put complete bytes at an address that holds fewer: what a process killed mid-write (SIGKILL, no
    cleanup) or a power loss before its fsync left there. Written aside and renamed over, so a reader sees
    the old file or the whole new one."""
    aside = f"{full_path}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(aside, "wb") as fh:
        fh.write(data)
    if mode is not None:
        os.chmod(aside, mode)
    os.replace(aside, full_path)


def store_instance_file(data: bytes, *, storage: Storage | None = None) -> tuple[str, str]:
    """Hash and store one de-identified instance file: (its SHA-256, its storage path)."""
    digest = sha256_hex(data)
    return digest, store_bytes(data, digest=digest, storage=storage)


class _SwitchInterval:
    """Shortens the interpreter's GIL switch interval while any BackgroundStore runs (a count, for threads).

    The store thread gives the GIL up at each system call and waits to get it back; the parse on the main
    thread holds it for the default 5 ms before handing over, so a file's four system calls could take
    20 ms. With 5 ms the main thread waited ~2 ms an instance for a free slot, with 0.1 ms ~0.1 ms.
    """

    SECONDS = 0.0001

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self._saved = sys.getswitchinterval()

    def start(self) -> None:
        with self._lock:
            if self._users == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(self._saved, self.SECONDS))
            self._users += 1

    def stop(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                sys.setswitchinterval(self._saved)


_switch_interval = _SwitchInterval()


class BackgroundStore:
    """Hashes and stores instance files on a thread of its own while the caller prepares the next instance.

    Hashing and writing a 512x512 slice is 1.5-2.5 ms, most of it in hashlib and in the write system calls,
    which release the GIL: on a second core it overlaps the parse and de-identification of the next
    instance, provided the thread gets the GIL back quickly after each call (`_SwitchInterval`). At most
    `depth` files wait in memory; `submit` blocks beyond that.
    """

    def __init__(self, *, storage: Storage | None = None, depth: int = 8):
        self._storage = storage
        self._slots = threading.BoundedSemaphore(depth)
        self._executor: ThreadPoolExecutor | None = None

    def submit(self, data: bytes) -> Future:
        """A future of (SHA-256, storage path); its result raises what storing raised."""
        if self._executor is None:
            _switch_interval.start()
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="radcurate-store")
        self._slots.acquire()
        future = self._executor.submit(store_instance_file, data, storage=self._storage)
        future.add_done_callback(lambda _done: self._slots.release())
        return future

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
            _switch_interval.stop()


def store_quarantine(data: bytes, *, digest: str | None = None, size: int | None = None,
                     storage: Storage | None = None) -> str:
    """Keep what an admin needs to look into a rejected original: its first `QUARANTINE_HEAD_BYTES`.

    `data` is the original or its head (then `digest` is the SHA-256 and `size` the length of the whole). The
    file is stored under the original's SHA-256; a head of a longer original is named `<sha256>.head.bin`, so a
    200 MB reject keeps 64 KiB, not 200 MB.
    """
    size = len(data) if size is None else size
    head = data[:QUARANTINE_HEAD_BYTES]
    suffix = ".head.bin" if size > len(head) else ".bin"
    return store_bytes(head, digest=digest or sha256_hex(data), prefix=QUARANTINE_PREFIX, suffix=suffix,
                       storage=storage)


def read_bytes(path: str, *, storage: Storage | None = None) -> bytes:
    with (storage or default_storage).open(path, "rb") as fh:
        return fh.read()


def read_range(path: str, offset: int, length: int, *, storage: Storage | None = None) -> bytes:
    """Bytes [offset, offset+length) of a stored file: a native frame without parsing the file."""
    return read_ranges(path, [(offset, length)], storage=storage)[0]


def read_ranges(path: str, ranges: list[tuple[int, int]], *, storage: Storage | None = None) -> list[bytes]:
    """Several (offset, length) ranges of one stored file, through one open file (frames 1,2,3 of a request)."""
    parts = []
    with (storage or default_storage).open(path, "rb") as fh:
        for offset, length in ranges:
            fh.seek(offset)
            parts.append(fh.read(length))
    return parts
