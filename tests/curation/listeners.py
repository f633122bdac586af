"""Helpers of the DICOM listener tests: waiting on a condition, and `manage.py dicom_listener --processes N` run as
its own process on the test's database and data folder (any node let in), stopped with SIGTERM as a supervisor does."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import _database_url


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@contextmanager
def listener_processes(*, port: int, processes: int, settings, data_dir, log: Path) -> Iterator[subprocess.Popen]:
    """The command running until the block ends, then sent SIGTERM and waited for; its output goes to `log`."""
    env = {**os.environ, "DATABASE_URL": _database_url(), "SECRET_KEY": settings.SECRET_KEY,
           "RADCURATE_DEID_KEY": settings.RADCURATE_DEID_KEY, "RADCURATE_DATA_DIR": str(data_dir),
           "RADCURATE_DICOM_ACCEPT_ANY_NODE": "1"}
    listener = subprocess.Popen([sys.executable, "manage.py", "dicom_listener", "--port", str(port), "--processes",
                                 str(processes)], cwd=settings.BASE_DIR, env=env, stdout=log.open("w"),
                                stderr=subprocess.STDOUT)
    try:
        yield listener
    finally:
        listener.send_signal(signal.SIGTERM)
        listener.wait(timeout=30)
