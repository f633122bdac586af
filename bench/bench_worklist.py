"""Worklist under load: 50 concurrent simulated readers against PostgreSQL, beside a single-reader baseline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/radcurate .venv/bin/python bench/bench_worklist.py
    ... bench/bench_worklist.py --readers 20 --studies 200        # a quick run

Works in a throwaway test database (created, migrated and dropped here). Each simulated reader is its
own process with its own database connection (as web workers are) and loops: next study
(`worklist_next`), then submit a read (`read_submit`, which runs consensus on a study's last read) with
a few random positives, so adaptive overlap and adjudication happen as in a real campaign. The
baseline is one process doing the same calls in a plain loop over the same number of readers, with
no concurrency. The concurrent run is done twice: back to back (every reader asks again at once: the
worst case, CPU-bound on a small machine) and paced (each reader pauses between studies, as people do).
Printed: the SQL statements of one submit (leaving a study open, and completing it), p50/p95/p99 latency
of next-study and submit-read, throughput, and the integrity checks: double assignments (a reader twice on a study), over-filled studies (more reads than
the target), and lost reads (acknowledged to a reader but not in the database). All must be zero.
"""

import argparse
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "radcurate.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

POSITIVE = {"lacune": 0.08, "sinus_pathology": 0.1, "subdural_hemorrhage": 0.01}


def _make_campaign(name: str, n_studies: int, readers: list) -> int:
    from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
    from curation.models import Patient, Series, Study, Taxonomy

    ids = []
    for i in range(n_studies):
        patient = Patient.objects.create(pseudonym=f"{name}-P{i}")
        study = Study.objects.create(study_uid=f"2.25.{abs(hash(name)) % 10**9}{i:06d}", patient=patient)
        series = Series.objects.create(series_uid=f"2.25.9{abs(hash(name)) % 10**9}{i:06d}", study=study,
                                       n_instances=32)
        study.primary_series = series
        study.save(update_fields=["primary_series"])
        ids.append(study.pk)
    taxonomy = Taxonomy.objects.get(name="head-ct", version=1)
    campaign = campaign_create(name=name, taxonomy=taxonomy, readers=readers, min_reads=2, max_reads=3, gold_every=0)
    campaign_add_studies(campaign=campaign, study_ids=ids)
    campaign_activate(campaign=campaign)
    return campaign.pk


def _readers(prefix: str, n: int) -> list:
    group = Group.objects.get(name="radiologist")
    users = User.objects.bulk_create([User(username=f"{prefix}{i}") for i in range(n)])
    group.user_set.add(*users)
    return list(User.objects.filter(username__startswith=prefix).order_by("id"))


def _labels(rng: random.Random) -> dict:
    return {code: "present" for code, p in POSITIVE.items() if rng.random() < p}


def _read_until_done(args) -> dict:
    """One reader's session: returns its latencies (s) and the read ids the service acknowledged."""
    campaign_id, reader_id, seed, think_s = args
    from annotation.models import Campaign
    from annotation.services.reads import read_submit
    from annotation.services.worklist import worklist_next

    connections.close_all()  # a fresh connection per process, never the parent's
    campaign, reader = Campaign.objects.get(pk=campaign_id), User.objects.get(pk=reader_id)
    rng = random.Random(seed)
    out = {"next": [], "submit": [], "reads": [], "errors": []}
    while True:
        time.sleep(rng.uniform(0, 2 * think_s))  # reading time between calls (0: saturation)
        t0 = time.perf_counter()
        assignment = worklist_next(reader=reader, campaign=campaign)
        out["next"].append(time.perf_counter() - t0)
        if assignment is None:
            break
        t0 = time.perf_counter()
        try:
            read = read_submit(reader=reader, assignment=assignment, labels=_labels(rng), time_spent_s=60.0)
        except Exception as exc:  # noqa: BLE001  (counted and printed)
            out["errors"].append(repr(exc))
            break
        out["submit"].append(time.perf_counter() - t0)
        out["reads"].append(read.pk)
    connections.close_all()
    return out


def _merge(results: list[dict]) -> dict:
    return {k: [x for r in results for x in r[k]] for k in ("next", "submit", "reads", "errors")}


def run_concurrent(campaign_id: int, readers: list, processes: int, think_s: float = 0.0) -> tuple[dict, float]:
    connections.close_all()
    jobs = [(campaign_id, r.pk, i, think_s) for i, r in enumerate(readers)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_read_until_done, jobs, chunksize=1)
    return _merge(results), time.perf_counter() - start


def run_baseline(campaign_id: int, readers: list) -> tuple[dict, float]:
    """The same calls with no concurrency: readers take turns, one call at a time."""
    from annotation.models import Campaign
    from annotation.services.reads import read_submit
    from annotation.services.worklist import worklist_next

    campaign = Campaign.objects.get(pk=campaign_id)
    rngs = {r.pk: random.Random(i) for i, r in enumerate(readers)}
    out = {"next": [], "submit": [], "reads": [], "errors": []}
    active = list(readers)
    start = time.perf_counter()
    while active:
        still = []
        for reader in active:
            t0 = time.perf_counter()
            assignment = worklist_next(reader=reader, campaign=campaign)
            out["next"].append(time.perf_counter() - t0)
            if assignment is None:
                continue
            t0 = time.perf_counter()
            read = read_submit(reader=reader, assignment=assignment, labels=_labels(rngs[reader.pk]), time_spent_s=60.0)
            out["submit"].append(time.perf_counter() - t0)
            out["reads"].append(read.pk)
            still.append(reader)
        active = still
    return out, time.perf_counter() - start


def submit_statements() -> tuple[int, int]:
    """Statements of a submit that leaves its study open, and of the one that completes it (runs consensus)."""
    from django.test.utils import CaptureQueriesContext

    from annotation.models import Campaign
    from annotation.services.reads import read_submit
    from annotation.services.worklist import worklist_next

    readers = _readers("cost-reader-", 2)
    campaign = Campaign.objects.get(pk=_make_campaign("bench-cost", 1, readers))
    counts = []
    for reader in readers:
        assignment = worklist_next(reader=reader, campaign=campaign)
        with CaptureQueriesContext(connection) as ctx:
            read_submit(reader=reader, assignment=assignment, labels={"lacune": "present"}, time_spent_s=60.0)
        counts.append(len(ctx.captured_queries))
    return counts[0], counts[1]


def integrity(campaign_id: int, acknowledged: list[int]) -> dict:
    from annotation.models import Assignment, CampaignStudy, Read

    doubles = (Assignment.objects.filter(campaign_id=campaign_id).values("campaign_study", "reader")
               .annotate(n=Count("id")).filter(n__gt=1).count())
    submitted = Assignment.objects.filter(campaign_id=campaign_id, status="submitted")
    per_study = submitted.values("campaign_study").annotate(n=Count("id"))
    targets = dict(CampaignStudy.objects.filter(campaign_id=campaign_id).values_list("id", "target_reads"))
    overfilled = sum(1 for row in per_study if row["n"] > targets[row["campaign_study"]])
    stored = set(Read.objects.filter(assignment__campaign_id=campaign_id, status="submitted").values_list("id", flat=True))
    counts = {row["campaign_study"]: row["n"] for row in per_study}
    counter_mismatch = sum(1 for cs, n in CampaignStudy.objects.filter(campaign_id=campaign_id)
                           .values_list("id", "n_submitted") if counts.get(cs, 0) != n)
    unfinished = CampaignStudy.objects.filter(campaign_id=campaign_id, status="open").count()
    return {
        "double_assignments": doubles,
        "overfilled_studies": overfilled,
        "lost_reads": len(set(acknowledged) - stored),
        "unacknowledged_reads": len(stored - set(acknowledged)),
        "read_counter_mismatches": counter_mismatch,
        "studies_still_open": unfinished,
        "reads": len(stored),
    }


def _pct(values: list[float]) -> str:
    if not values:
        return "n/a"
    p50, p95, p99 = np.percentile(np.array(values) * 1000, [50, 95, 99])
    return f"{p50:7.1f} {p95:7.1f} {p99:7.1f}"


def report(name: str, out: dict, seconds: float, checks: dict) -> None:
    print(f"\n{name}: {len(out['reads'])} reads in {seconds:.1f} s = {len(out['reads']) / seconds:.1f} reads/s"
          f"{'  ERRORS: ' + str(out['errors'][:3]) if out['errors'] else ''}")
    print(f"  {'latency ms':14} {'p50':>7} {'p95':>7} {'p99':>7}   (n)")
    print(f"  {'next study':14} {_pct(out['next'])}   ({len(out['next'])})")
    print(f"  {'submit read':14} {_pct(out['submit'])}   ({len(out['submit'])})")
    print("  integrity: " + ", ".join(f"{k} {v}" for k, v in checks.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--studies", type=int, default=600)
    parser.add_argument("--baseline-studies", type=int, default=200)
    parser.add_argument("--think-ms", type=float, default=5000.0,
                        help="Mean pause per reader between studies in the paced run (real readers take minutes).")
    parser.add_argument("--baseline-only", action="store_true",
                        help="Only the single-process loop: a short per-call cost, to compare two versions of the "
                             "code run alternately on a busy machine.")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server: this benchmark measures PostgreSQL row locking.")
    db = connection.settings_dict
    db.setdefault("TEST", {})["NAME"] = f"bench_worklist_{db['NAME']}"  # never the test suite's database
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        print(f"{args.readers} reader processes, {args.studies} studies (2 reads each, up to 3 on high-significance "
              f"disagreement); baseline: one process, {args.baseline_studies} studies; {os.cpu_count()} CPUs")
        base_readers = _readers("base-reader-", args.readers)
        base_campaign = _make_campaign("bench-baseline", args.baseline_studies, base_readers)
        out, seconds = run_baseline(base_campaign, base_readers)
        report("baseline (single-reader loop, no concurrency)", out, seconds, integrity(base_campaign, out["reads"]))
        leaves_open, completes = submit_statements()
        print(f"  statements per submit (BEGIN and COMMIT included): {leaves_open}, {completes} on a study's last read (consensus)")
        if args.baseline_only:
            return
        readers = _readers("load-reader-", args.readers)
        campaign = _make_campaign("bench-load", args.studies, readers)
        out, seconds = run_concurrent(campaign, readers, processes=args.readers)
        report(f"{args.readers} concurrent readers, back to back (saturation)", out, seconds,
               integrity(campaign, out["reads"]))
        paced = _readers("paced-reader-", args.readers)
        campaign = _make_campaign("bench-paced", args.studies // 4, paced)
        out, seconds = run_concurrent(campaign, paced, processes=args.readers, think_s=args.think_ms / 1000)
        report(f"{args.readers} concurrent readers, {args.think_ms:.0f} ms mean pause between studies", out,
               seconds, integrity(campaign, out["reads"]))
    finally:
        connections.close_all()
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
