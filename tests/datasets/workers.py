"""Private Celery worker processes for the tests that kill one (the shared session worker must stay up), and an
export whose last chunk blocks the worker that takes it, so the test knows where the worker is when it is killed."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from curation.models import Instance, Study, Taxonomy
from datasets.locations import staging_for
from datasets.models import DatasetVersion
from datasets.services.export import dataset_export_start, export_job_plan
from datasets.services.versions import dataset_version_create
from radcurate.celery import app as celery_app
from tests.conftest import _database_url

from .platform_cohort import ingest_cohort, read_campaign, truth_by_study_pk


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


@dataclass
class BlockedExport:
    """A planned export of a read cohort, one study a chunk, whose last chunk's first slice file is a named pipe that
    nothing writes to: the worker that opens it blocks inside that chunk, with no mock, until it is killed."""

    version: DatasetVersion
    chunks: int
    pipe: Path
    aside: Path  # where the real file waits

    def release(self) -> None:
        """Put the real file back (once; later calls do nothing)."""
        if self.pipe.is_fifo():
            self.pipe.unlink()
            self.aside.rename(self.pipe)


def blocked_export(tmp_path: Path, data_dir: Path, *, studies: int, seed: int, name: str) -> BlockedExport:
    truth = ingest_cohort(tmp_path / "cohort", studies=studies, seed=seed)
    cohort = list(Study.objects.order_by("study_uid"))
    campaign = read_campaign(f"{name}-{uuid.uuid4().hex[:6]}", cohort, truth_by_study_pk(truth))
    version = dataset_version_create(name=f"{name}-{uuid.uuid4().hex[:8]}", taxonomy=Taxonomy.objects.get(
        name="head-ct", version=1), campaign_ids=[campaign.pk], image_size=(16, 16), chunk_studies=1)
    export_job_plan(job=dataset_export_start(version=version, enqueue=False))  # planned here: the last chunk known
    plan = staging_for(version).read_plan()
    primary = Study.objects.get(study_uid=plan["chunks"][-1][0]["study_id"]).primary_series
    pipe = data_dir / "storage" / Instance.objects.filter(series=primary).order_by("slice_index")[0].storage_path
    aside = pipe.with_suffix(".aside")
    pipe.rename(aside)
    os.mkfifo(pipe)
    return BlockedExport(version, len(plan["chunks"]), pipe, aside)
