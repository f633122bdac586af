"""Mining a run's pending chunks in this machine's processes, without a broker (CLI, demo, benchmark).

The same chunk service as the Celery tasks, so results, resumption and progress are identical;
`processes` > 1 forks workers that each open their own database connection.
"""

import multiprocessing
from collections.abc import Callable

from django.db import connections
from django.utils import timezone

from reports_nlp.models import MiningRun
from reports_nlp.services.mining import mining_chunk_process, mining_run_finish_if_complete, pending_chunk_ids


def _process(chunk_id: int) -> int:
    return mining_chunk_process(chunk_id=chunk_id)


def _start(run: MiningRun) -> None:
    MiningRun.objects.filter(pk=run.pk).update(
        status=MiningRun.Status.RUNNING, started_at=run.started_at or timezone.now(), error="",
        heartbeat_at=timezone.now(), stalled_at=None, attempts=1,
    )


def mining_run_process_locally(*, run: MiningRun, processes: int = 1,
                               on_chunk: Callable[[int], None] | None = None) -> MiningRun:
    """Mine every pending chunk here; `on_chunk(reports_done)` is called after each chunk (progress bars)."""
    _start(run)
    chunk_ids = pending_chunk_ids(run)
    on_chunk = on_chunk or (lambda n: None)
    if processes <= 1:
        for chunk_id in chunk_ids:
            on_chunk(_process(chunk_id))
    else:
        connections.close_all()  # a forked child must not share the parent's socket
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for done in pool.imap_unordered(_process, chunk_ids):
                on_chunk(done)
    mining_run_finish_if_complete(run_id=run.pk)
    run.refresh_from_db()
    return run
