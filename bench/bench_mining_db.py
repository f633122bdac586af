"""Report mining end to end with PostgreSQL writes: import, then a chunked mining run, in reports/s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/radcurate .venv/bin/python bench/bench_mining_db.py
    ... bench/bench_mining_db.py --reports 5000 --processes 2      # a quick run

Works in a throwaway test database (created, migrated and dropped here), so no data is touched.
Reports come from bench_mining.report_texts (the synthetic cohort's report generator when present).
Printed side by side, from the same texts in the same run:

- baseline: the pure pipeline (reports_nlp.pipeline.mine_many, database I/O excluded);
- import: report_import_rows (pseudonyms, content hashes, bulk inserts);
- mining run: mining_run_create + mining_run_process_locally (chunks read from PostgreSQL, mined, and their
  findings, verdicts and candidate scores written with bulk_create; each chunk one transaction).
"""

import argparse
import inspect
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "radcurate.settings")

import django  # noqa: E402

django.setup()

from bench_mining import report_texts  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from reports_nlp.pipeline import mine_many  # noqa: E402
from reports_nlp.report_files import RawRow  # noqa: E402


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:10,.0f} reports/s  ({seconds:7.1f} s)"


def bench_pipeline(texts: list[str], processes: int) -> float:
    from reports_nlp.pipeline_cache import pipeline_for
    from reports_nlp.selectors.mapping_sets import mapping_set_get

    pipeline = pipeline_for(mapping_set_get())
    start = time.perf_counter()
    mine_many(pipeline, texts, processes=processes, chunksize=200)
    return time.perf_counter() - start


def bench_import(texts: list[str]) -> float:
    from reports_nlp.services.report_import import report_import_rows

    rows = (RawRow(i + 2, {"accession_number": f"BENCH{i:09d}", "patient_id": f"P{i % 9973}",
                           "report_date": "2024-01-01", "text": text}) for i, text in enumerate(texts))
    start = time.perf_counter()
    result = report_import_rows(rows=rows, source="bench")
    assert result.created == len(texts), result.as_dict()["errors"][:3]
    return time.perf_counter() - start


def bench_run(processes: int, chunk_size: int) -> tuple[float, dict]:
    from reports_nlp.models import Finding, ReportVerdict
    from reports_nlp.selectors.mapping_sets import mapping_set_get
    from reports_nlp.services.mining import mining_run_create
    from reports_nlp.services.mining_local import mining_run_process_locally

    start = time.perf_counter()
    run = mining_run_create(mapping_set=mapping_set_get(), chunk_size=chunk_size)
    run = mining_run_process_locally(run=run, processes=processes)
    seconds = time.perf_counter() - start
    assert run.status == "done" and run.done_reports == run.total_reports, run
    return seconds, {"findings": Finding.objects.filter(run=run).count(),
                     "verdicts": ReportVerdict.objects.filter(run=run).count(), "chunks": run.chunks.count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server: this benchmark measures PostgreSQL writes.")
    # bench_mining.report_texts is the NLP bench's generator; newer versions take the processes to generate with.
    extra = {"processes": args.processes} if "processes" in inspect.signature(report_texts).parameters else {}
    texts, source = report_texts(args.reports, seed=args.seed, **extra)
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"{len(texts):,} reports from {source}, {words:.0f} words on average; "
          f"{args.processes} processes, chunks of {args.chunk_size}; {os.cpu_count()} CPUs")
    n = args.reports
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        pipeline_s = bench_pipeline(texts, args.processes)
        print(f"baseline  pure pipeline, no database       {_rate(n, pipeline_s)}", flush=True)
        import_s = bench_import(texts)
        print(f"import    report_import_rows                {_rate(n, import_s)}", flush=True)
        del texts
        run_s, written = bench_run(args.processes, args.chunk_size)
        print(f"mining    run with PostgreSQL writes        {_rate(n, run_s)}   "
              f"{written['findings']:,} findings, {written['verdicts']:,} verdicts, {written['chunks']} chunks")
        print(f"ratio     mining run / pure pipeline        {pipeline_s / run_s:10.2f}")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
