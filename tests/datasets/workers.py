"""Private Celery worker processes for the tests that kill one (the shared session worker must stay up)."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from radcurate.celery import app as celery_app
from tests.conftest import _database_url


def start_worker(queue: str, data_dir: Path, log_path: Path) -> subprocess.Popen:
    broker = settings.CELERY_BROKER_URL or "redis://127.0.0.1:6379/0"
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": broker,
           "CELERY_RESULT_BACKEND": broker, "CELERY_TASK_ALWAYS_EAGER": "0", "CELERY_TASK_DEFAULT_QUEUE": queue,
           "SECRET_KEY": settings.SECRET_KEY, "RADCURATE_DEID_KEY": settings.RADCURATE_DEID_KEY,
           "RADCURATE_DATA_DIR": str(data_dir)}
    log = open(log_path, "w")  # noqa: SIM115  (the child keeps it)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "radcurate", "worker", "--pool=solo", "-Q", queue, "-n",
         f"{log_path.stem}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def wait_ready(log_path: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while "ready." not in log_path.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)


@contextmanager
def routed_to(queue: str):
    """Tasks sent inside the block go to `queue` through Redis (not eagerly)."""
    conf = celery_app.conf
    broker = settings.CELERY_BROKER_URL or "redis://127.0.0.1:6379/0"
    saved = (conf.broker_url, conf.result_backend, conf.task_default_queue, conf.task_always_eager)
    conf.broker_url, conf.result_backend, conf.task_default_queue, conf.task_always_eager = broker, broker, queue, False
    try:
        yield
    finally:
        conf.broker_url, conf.result_backend, conf.task_default_queue, conf.task_always_eager = saved


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        time.sleep(0.02)
    return value


def received(log_path: Path, task: str) -> int:
    """How many `task` messages the worker writing `log_path` has taken so far."""
    return sum(1 for line in log_path.read_text().splitlines() if f"Task {task}[" in line and line.endswith(" received"))


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the worker's main process (with the solo pool it runs the task): nothing is acknowledged."""
    proc.kill()
    proc.wait(timeout=30)


def sweep_until_requeued(kind_name: str, queue: str, timeout: float = 60):
    """Run the stalled-job sweep with a short stall limit until it re-queues a job of `kind_name` onto `queue`."""
    from core.jobs import job_kinds, jobs_sweep

    kinds = [k for k in job_kinds() if k.name == kind_name]
    with routed_to(queue):
        return wait_for(lambda: jobs_sweep(stall_s=0.5, max_attempts=3, kinds=kinds).requeued, timeout,
                        f"the sweep to re-queue a stalled {kind_name}")
