"""Celery tasks of `reports_nlp`: each mining chunk is one task; a run's chunks go out as one group."""

from celery import group, shared_task

from reports_nlp.models import MiningChunk
from reports_nlp.services.mining import mining_chunk_process, mining_run_fail


@shared_task(name="reports_nlp.mine_chunk", acks_late=True, reject_on_worker_lost=True)
def mine_chunk(chunk_id: int) -> int:
    try:
        return mining_chunk_process(chunk_id=chunk_id)
    except Exception as exc:
        run_id = MiningChunk.objects.filter(pk=chunk_id).values_list("run_id", flat=True).first()
        if run_id is not None:
            mining_run_fail(run_id=run_id, error=f"chunk {chunk_id} failed: {type(exc).__name__}")
        raise


def dispatch_chunks(chunk_ids: list[int]) -> None:
    """Send the chunks as a group: any free worker takes the next chunk, so workers mine in parallel."""
    group(mine_chunk.s(chunk_id) for chunk_id in chunk_ids).apply_async()


@shared_task(name="reports_nlp.mine_report", acks_late=True, reject_on_worker_lost=True)
def mine_report(report_id: int) -> int | None:
    """A report that arrived from a feed joins the latest mining run's candidates."""
    from reports_nlp.services.report_mining import report_mine_into_latest_run

    run = report_mine_into_latest_run(report_id=report_id)
    return run.pk if run else None
