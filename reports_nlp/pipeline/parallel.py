"""Mining many reports with worker processes that return small result tuples.

Plain multiprocessing, not spaCy's `n_process`: that was measured slower than one process here,
because it ships whole Docs back; our workers send back only FindingRow tuples.
"""

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator

from reports_nlp.pipeline.builder import ReportPipeline
from reports_nlp.pipeline.findings import FindingRow

_worker_pipeline: ReportPipeline | None = None


def _init_worker(pipeline: ReportPipeline) -> None:
    global _worker_pipeline
    _worker_pipeline = pipeline


def _mine_chunk(texts: list[str]) -> list[list[FindingRow] | str]:
    """Rows per text; a text that fails yields its error message instead, so one bad report never sinks a batch."""
    out = []
    for text in texts:
        try:
            out.append(_worker_pipeline.rows(text))
        except Exception as exc:  # noqa: BLE001  (reported per report, the batch goes on)
            out.append(f"{type(exc).__name__}: {exc}")
    return out


def _chunks(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def imine(pipeline: ReportPipeline, texts: Iterable[str], processes: int = 1, chunksize: int = 200,
          start_method: str | None = None) -> Iterator[list[FindingRow] | str]:
    """Per text, in input order: its FindingRows, or an error message (str) for a text that could not be mined.

    Streams: at most a few chunks per worker are in flight, so memory stays bounded for millions of
    reports. processes=1 runs in this process, and so does any call from a daemonic process (a Celery
    prefork worker), which may not start children: there, scale with more Celery workers instead.
    """
    if processes <= 1 or multiprocessing.current_process().daemon:
        _init_worker(pipeline)
        for chunk in _chunks(texts, chunksize):
            yield from _mine_chunk(chunk)
        return
    ctx = multiprocessing.get_context(start_method)
    # Pool.imap would drain `texts` up front; a bounded window of chunks keeps memory flat.
    window = 4 * processes
    with ctx.Pool(processes, initializer=_init_worker, initargs=(pipeline,)) as pool:
        pending: deque = deque()
        for chunk in _chunks(texts, chunksize):
            pending.append(pool.apply_async(_mine_chunk, (chunk,)))
            if len(pending) >= window:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def mine_many(pipeline: ReportPipeline, texts: Iterable[str], processes: int = 1, chunksize: int = 200,
              start_method: str | None = None) -> list[list[FindingRow] | str]:
    """`imine` collected into a list."""
    return list(imine(pipeline, texts, processes, chunksize, start_method))
