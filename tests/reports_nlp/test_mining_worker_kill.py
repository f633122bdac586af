"""A mining run whose worker is SIGKILLed mid-chunk finishes on a new worker once the stalled-job sweep re-queues it,
with every finding once: none doubled, none lost.

The worker is stopped at a known point without mocks: the test holds a row lock on one chunk, so the worker that
mined it blocks when it comes to record the chunk, until it is killed.
"""

import uuid
from collections import Counter

import psycopg
import pytest
from django.db import connection

from reports_nlp.models import Finding, MiningRun, ReportVerdict
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.services.mining import mining_run_create, mining_run_dispatch
from reports_nlp.services.mining_local import mining_run_process_locally
from tests.conftest import _database_url
from tests.datasets.workers import kill, received, routed_to, start_worker, sweep_until_requeued, wait_for, wait_ready

from .conftest import csv_bytes, report_rows

FINDING = ("report_id", "trait_code", "section", "assertion", "start", "end")


def _findings(run: MiningRun) -> Counter:
    return Counter(Finding.objects.filter(run=run).values_list(*FINDING))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)  # the default mapping set: restored by tests/conftest.py
def test_a_run_whose_worker_is_killed_mid_chunk_finishes_after_the_sweep(tmp_path, test_data_dir):
    from reports_nlp.services.report_import import report_import_file

    report_import_file(data=csv_bytes(report_rows()), name="a.csv")
    run = mining_run_create(mapping_set=mapping_set_get(), chunk_size=1)
    chunks = list(run.chunks.order_by("first_report_id").values_list("pk", flat=True))
    blocked = chunks[2]
    queue = f"test-mining-{uuid.uuid4().hex[:8]}"
    first_log, second_log = tmp_path / "worker-a.log", tmp_path / "worker-b.log"
    lock = psycopg.connect(_database_url().replace("postgres://", "postgresql://"))
    worker = start_worker(queue, test_data_dir, first_log)
    second = None
    try:
        lock.execute("SELECT id FROM reports_nlp_miningchunk WHERE id = %s FOR UPDATE", [blocked])
        wait_ready(first_log, worker)
        with routed_to(queue):
            mining_run_dispatch(run=run)
        wait_for(lambda: run.chunks.filter(done_at__isnull=False).count() == 2, 120, "the first two chunks")
        wait_for(lambda: received(first_log, "reports_nlp.mine_chunk") == 3, 60, "the worker to take the third")
        wait_for(lambda: _waits_on_lock(lock), 60, "the worker to block on the locked chunk")
        kill(worker)
        lock.rollback()
        assert MiningRun.objects.get(pk=run.pk).status == "running"

        second = start_worker(queue, test_data_dir, second_log)
        wait_ready(second_log, second)
        sweep_until_requeued("mining run", queue)
        assert MiningRun.objects.get(pk=run.pk).stalled
        wait_for(lambda: MiningRun.objects.get(pk=run.pk).status != "running", 120, "the run to finish")
    finally:
        lock.close()
        for proc in (worker, second):
            if proc is not None and proc.poll() is None:
                kill(proc)

    run.refresh_from_db()
    assert run.status == "done", (run.error, second_log.read_text()[-2000:])
    assert (run.done_reports, run.total_reports, run.attempts, run.stalled) == (5, 5, 2, False)
    assert not run.chunks.filter(done_at__isnull=True).exists()
    # The same reports mined in one go here give exactly the same findings: none doubled, none lost.
    reference = mining_run_process_locally(run=mining_run_create(mapping_set=mapping_set_get(), chunk_size=100))
    assert _findings(run) == _findings(reference) and max(_findings(run).values()) == 1
    assert ReportVerdict.objects.filter(run=run).count() == ReportVerdict.objects.filter(run=reference).count()


def _waits_on_lock(lock) -> bool:
    """Another session waits for a lock the test's connection holds (the worker recording the blocked chunk)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND %s = ANY("
                       "pg_blocking_pids(pid))", [lock.info.backend_pid])
        return cursor.fetchone()[0] > 0
