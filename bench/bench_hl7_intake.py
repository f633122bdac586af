"""Reports through the HL7 v2 listener (MLLP, with the mining that follows) beside the CSV import of the same reports.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/radcurate .venv/bin/python bench/bench_hl7_intake.py
    ... bench/bench_hl7_intake.py --reports 500 --connections 2     # a quick run

Works in a throwaway test database (created, migrated and dropped here). The same synthetic reports
(bench_mining.report_texts) go three ways, each into accessions of its own:

- hl7 import: ORU^R01 messages over `--connections` MLLP connections (python-hl7's client, one thread each)
  to the listener in this process, before any mining run exists (so nothing to mine): parse, pseudonymize,
  store the revision, ACK;
- hl7 + mining: the same after a finished run exists, so each message's report is mined into it before its
  ACK goes back (tasks run eagerly here; with a broker the worker mines after the ACK);
- csv: report_import_file of one CSV file, then a mining run over those reports (one process): the
  file path's rate for the same work, from arrival to candidates.
"""

import argparse
import csv
import datetime as dt
import io
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "radcurate.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"

import django  # noqa: E402

django.setup()

from bench_mining import report_texts  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from hl7.client import MLLPClient  # noqa: E402

from synth import hl7_feed  # noqa: E402

HL7_DATE, MINED_DATE, CSV_DATE = dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2024, 1, 3)


def _messages(texts: list[str], prefix: str, date: dt.date) -> list[str]:
    return [hl7_feed.oru_r01(accession_number=f"{prefix}{i:09d}", patient_id=f"P{i % 9973}", report_date=date,
                             text=text, control_id=f"{prefix}{i}") for i, text in enumerate(texts)]


def _send_all(port: int, messages: list[str], connections: int) -> float:
    """Every message over `connections` MLLP connections at once; seconds until the last ACK. Each must be AA."""
    failures: list[str] = []

    def send(part: list[str]) -> None:
        with MLLPClient("127.0.0.1", port) as client:
            for message in part:
                reply = client.send_message(message).decode()
                if "MSA|AA|" not in reply:
                    failures.append(reply[-120:])

    threads = [threading.Thread(target=send, args=(messages[i::connections],)) for i in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    assert not failures, failures[:3]
    return seconds


def bench_listener(messages: list[str], connections: int, workers: int) -> float:
    from reports_nlp.intake.mllp import HL7Listener
    from reports_nlp.management.commands.hl7_listener import close_connection, handle_message

    listener = HL7Listener(handle=handle_message, port=0, workers=workers, on_worker_exit=close_connection).start()
    try:
        return _send_all(listener.port, messages, connections)
    finally:
        listener.stop()


def finished_empty_run():
    """A finished run with nothing in it yet: what arriving reports are mined into."""
    from reports_nlp.selectors.mapping_sets import mapping_set_get
    from reports_nlp.services.mining import mining_run_create
    from reports_nlp.services.mining_local import mining_run_process_locally

    run = mining_run_create(mapping_set=mapping_set_get(), filters={"report_date_from": "2099-01-01"})
    return mining_run_process_locally(run=run)


def bench_csv(texts: list[str]) -> tuple[float, float]:
    from reports_nlp.selectors.mapping_sets import mapping_set_get
    from reports_nlp.services.mining import mining_run_create
    from reports_nlp.services.mining_local import mining_run_process_locally
    from reports_nlp.services.report_import import report_import_file

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["accession_number", "patient_id", "report_date", "text"])
    writer.writerows([f"CSV{i:09d}", f"P{i % 9973}", CSV_DATE.isoformat(), t] for i, t in enumerate(texts))
    data = out.getvalue().encode()
    start = time.perf_counter()
    result = report_import_file(data=data, name="bench.csv")
    imported = time.perf_counter() - start
    assert result.created == len(texts), result.as_dict()["errors"][:3]
    run = mining_run_create(mapping_set=mapping_set_get(), filters={"report_date_from": CSV_DATE.isoformat()})
    run = mining_run_process_locally(run=run)
    assert run.done_reports == len(texts), run
    return imported, time.perf_counter() - start


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8,.0f} reports/s  ({seconds:6.1f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=2, help="MLLP connections sending at once")
    parser.add_argument("--workers", type=int, default=2, help="listener import threads")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server: this benchmark measures PostgreSQL writes.")
    texts, source = report_texts(args.reports, seed=args.seed, processes=1)
    n = len(texts)
    print(f"{n:,} reports from {source}; {args.connections} MLLP connections, {args.workers} listener workers; "
          f"{os.cpu_count()} CPUs")
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from reports_nlp.services.report_senders import sender_create

        sender_create(sending_application=hl7_feed.SENDING_APPLICATION, sending_facility=hl7_feed.SENDING_FACILITY)
        hl7_s = bench_listener(_messages(texts, "HL7", HL7_DATE), args.connections, args.workers)
        print(f"hl7 import      listener, ACK after store       {_rate(n, hl7_s)}", flush=True)
        run = finished_empty_run()
        mined_s = bench_listener(_messages(texts, "MINED", MINED_DATE), args.connections, args.workers)
        run.refresh_from_db()
        assert run.done_reports == n, run
        print(f"hl7 + mining    listener, ACK after mining      {_rate(n, mined_s)}", flush=True)
        import_s, csv_s = bench_csv(texts)
        print(f"csv import      report_import_file              {_rate(n, import_s)}")
        print(f"csv + mining    import, then a mining run       {_rate(n, csv_s)}")
        print(f"ratio           hl7 + mining / csv + mining     {csv_s / mined_s:8.2f}")
        print(f"ratio           hl7 import / csv import         {import_s / hl7_s:8.2f}")
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
              "(each message is its own transactions, so database round trips set the HL7 rate)")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
