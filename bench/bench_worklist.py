"""Worklist under load: 50 concurrent simulated readers against PostgreSQL, beside a single-reader baseline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/radcurate .venv/bin/python bench/bench_worklist.py
    ... bench/bench_worklist.py --readers 20 --studies 200        # a quick run

Works in a throwaway test database (created, migrated and dropped here). Each simulated reader is its
own process with its own database connection (as web workers are) and loops: next study
(`worklist_next`), then submit a read (`read_submit`, which runs consensus on a study's last read) with
a few random positives, so adaptive overlap and adjudication happen as in a real campaign. The
baseline is one process doing the same calls in a plain loop over the same number of readers, with
no concurrency. The concurrent run is done twice: paced (each reader pauses between studies, as people do;
`--paced-studies-per-reader` sets its length, about 8 studies each by default, so that its percentiles
rest on a few hundred calls rather than two per reader), then back to back (every reader asks again at
once: the worst case, CPU-bound on a small machine). Paced comes first so that the aftermath of the
back-to-back run does not land on it.

Warm-up: a reader's request in deployment meets a long-lived web worker (gunicorn) that has served other
requests, keeps its database connection (CONN_MAX_AGE) and its per-process caches (the taxonomy index of
annotation/labels.py, Django's and psycopg's lazily built state, the PostgreSQL backend's catalog caches
for each table it touched). A freshly forked reader process pays all of that on its first calls, which is
an artifact of the bench, not what a reader waits for. So each reader process first plays a web worker's
earlier requests: in a one-study campaign of its own it takes and submits the study as two warm-up users
(the second submit completes the study and runs consensus, so every path of the timed calls has run once).
Only then, once every process is warm (a barrier), do the timed calls start. The warm-up calls are timed
too and printed on their own lines (first and second call of each process: p50, p95, max), and their
campaigns go through the same integrity checks.

Printed: the SQL statements of one next-study and of one submit (leaving a study open, and completing it),
p50/p95/p99 latency of next-study and submit-read, throughput, the load average at the start and end of
each run, and the integrity checks: double assignments (a reader twice on a study), over-filled studies
(more reads than the target), and lost reads (acknowledged to a reader but not in the database). All must be
zero.
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


# Per process: timed calls, acknowledged reads, errors; the warm-up's calls and reads apart.
KINDS = ("next", "submit", "reads", "errors", "cold_next", "cold_submit", "warm2_next", "warm2_submit", "warm_reads")
_barrier = None  # set in each pool process: timed calls start once every reader process is warm


def _set_barrier(barrier) -> None:
    global _barrier
    _barrier = barrier


def _timed(out: dict, key: str, call, **kwargs):
    t0 = time.perf_counter()
    result = call(**kwargs)
    out[key].append(time.perf_counter() - t0)
    return result


def _warm_up(campaign_id: int, users: tuple[int, int], out: dict, rng: random.Random) -> None:
    """A web worker's earlier requests (module docstring): two users take and submit the one study of a
    campaign of this process's own; the second submit completes it (consensus). Timed, kept apart."""
    from annotation.models import Campaign
    from annotation.services.reads import read_submit
    from annotation.services.worklist import worklist_next

    campaign = Campaign.objects.get(pk=campaign_id)
    for user_id, prefix in zip(users, ("cold", "warm2"), strict=True):
        user = User.objects.get(pk=user_id)
        assignment = _timed(out, f"{prefix}_next", worklist_next, reader=user, campaign=campaign)
        read = _timed(out, f"{prefix}_submit", read_submit, reader=user, assignment=assignment, labels=_labels(rng),
                      time_spent_s=60.0)
        out["warm_reads"].append(read.pk)


def _read_until_done(args) -> dict:
    """One reader's session: returns its latencies (s) and the read ids the service acknowledged."""
    campaign_id, reader_id, seed, think_s, warm_campaign_id, warm_users = args
    from annotation.models import Campaign
    from annotation.services.reads import read_submit
    from annotation.services.worklist import worklist_next

    connections.close_all()  # a fresh connection per process, never the parent's
    rng = random.Random(seed)
    out = {k: [] for k in KINDS}
    try:
        _warm_up(warm_campaign_id, warm_users, out, rng)
    except Exception as exc:  # noqa: BLE001  (counted and printed)
        out["errors"].append(f"warm-up: {exc!r}")
    _barrier.wait(timeout=900)  # a process that never arrives breaks the barrier instead of hanging the bench
    campaign, reader = Campaign.objects.get(pk=campaign_id), User.objects.get(pk=reader_id)
    while not out["errors"]:
        time.sleep(rng.uniform(0, 2 * think_s))  # reading time between calls (0: saturation)
        assignment = _timed(out, "next", worklist_next, reader=reader, campaign=campaign)
        if assignment is None:
            break
        try:
            read = _timed(out, "submit", read_submit, reader=reader, assignment=assignment, labels=_labels(rng),
                          time_spent_s=60.0)
        except Exception as exc:  # noqa: BLE001  (counted and printed)
            out["errors"].append(repr(exc))
            break
        out["reads"].append(read.pk)
    connections.close_all()
    return out


def _merge(results: list[dict]) -> dict:
    return {k: [x for r in results for x in r[k]] for k in KINDS}


def _warm_campaigns(prefix: str, readers: list) -> list[tuple[int, tuple[int, int]]]:
    """Per reader process: a one-study campaign and its two warm-up users (see _warm_up)."""
    users = _readers(f"{prefix}-warm-", 2 * len(readers))
    pairs = [(users[2 * i], users[2 * i + 1]) for i in range(len(readers))]
    return [(_make_campaign(f"{prefix}-warm-{i}", 1, list(pair)), (pair[0].pk, pair[1].pk))
            for i, pair in enumerate(pairs)]


def run_concurrent(campaign_id: int, readers: list, processes: int, think_s: float = 0.0,
                   prefix: str = "load") -> tuple[dict, float, list[int]]:
    """The readers' sessions, one process each; returns the merged results, the timed seconds (from the moment
    every process is warm) and the warm-up campaigns (for the integrity checks)."""
    warm = _warm_campaigns(prefix, readers)
    connections.close_all()
    jobs = [(campaign_id, r.pk, i, think_s, *warm[i]) for i, r in enumerate(readers)]
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes + 1)  # the parent passes too, to start the clock
    with context.Pool(processes, initializer=_set_barrier, initargs=(barrier,)) as pool:
        pending = pool.map_async(_read_until_done, jobs, chunksize=1)
        barrier.wait(timeout=900)
        start = time.perf_counter()
        results = pending.get()
    return _merge(results), time.perf_counter() - start, [c for c, _ in warm]


def run_baseline(campaign_id: int, readers: list) -> tuple[dict, float, list[int]]:
    """The same calls with no concurrency: readers take turns, one call at a time (after the same warm-up)."""
    from annotation.models import Campaign
    from annotation.services.reads import read_submit
    from annotation.services.worklist import worklist_next

    (warm,) = _warm_campaigns("base", readers[:1])
    out = {k: [] for k in KINDS}
    _warm_up(*warm, out, random.Random(-1))
    campaign = Campaign.objects.get(pk=campaign_id)
    rngs = {r.pk: random.Random(i) for i, r in enumerate(readers)}
    active = list(readers)
    start = time.perf_counter()
    while active:
        still = []
        for reader in active:
            assignment = _timed(out, "next", worklist_next, reader=reader, campaign=campaign)
            if assignment is None:
                continue
            read = _timed(out, "submit", read_submit, reader=reader, assignment=assignment,
                          labels=_labels(rngs[reader.pk]), time_spent_s=60.0)
            out["reads"].append(read.pk)
            still.append(reader)
        active = still
    return out, time.perf_counter() - start, [warm[0]]


def statements() -> tuple[int, int, int]:
    """Statements of a next-study that reserves a study, of a submit that leaves its study open, and of the one
    that completes it (runs consensus)."""
    from django.test.utils import CaptureQueriesContext

    from annotation.models import Campaign
    from annotation.services.reads import read_submit
    from annotation.services.worklist import worklist_next

    readers = _readers("cost-reader-", 2)
    campaign = Campaign.objects.get(pk=_make_campaign("bench-cost", 1, readers))
    counts = []
    for reader in readers:
        with CaptureQueriesContext(connection) as ctx:
            assignment = worklist_next(reader=reader, campaign=campaign)
        counts.append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            read_submit(reader=reader, assignment=assignment, labels={"lacune": "present"}, time_spent_s=60.0)
        counts.append(len(ctx.captured_queries))
    return counts[0], counts[1], counts[3]


def integrity(campaign_ids: list[int], acknowledged: list[int]) -> dict:
    from annotation.models import Assignment, CampaignStudy, Read

    assignments = Assignment.objects.filter(campaign_id__in=campaign_ids)
    doubles = assignments.values("campaign_study", "reader").annotate(n=Count("id")).filter(n__gt=1).count()
    per_study = assignments.filter(status="submitted").values("campaign_study").annotate(n=Count("id"))
    studies = CampaignStudy.objects.filter(campaign_id__in=campaign_ids)
    targets = dict(studies.values_list("id", "target_reads"))
    overfilled = sum(1 for row in per_study if row["n"] > targets[row["campaign_study"]])
    stored = set(Read.objects.filter(assignment__campaign_id__in=campaign_ids, status="submitted")
                 .values_list("id", flat=True))
    counts = {row["campaign_study"]: row["n"] for row in per_study}
    counter_mismatch = sum(1 for cs, n in studies.values_list("id", "n_submitted") if counts.get(cs, 0) != n)
    return {
        "double_assignments": doubles,
        "overfilled_studies": overfilled,
        "lost_reads": len(set(acknowledged) - stored),
        "unacknowledged_reads": len(stored - set(acknowledged)),
        "read_counter_mismatches": counter_mismatch,
        "studies_still_open": studies.filter(status="open").count(),
        "reads": len(stored),
    }


def _pct(values: list[float]) -> str:
    if not values:
        return "n/a"
    p50, p95, p99 = np.percentile(np.array(values) * 1000, [50, 95, 99])
    return f"{p50:7.1f} {p95:7.1f} {p99:7.1f}"


def _cold(values: list[float]) -> str:
    if not values:
        return "n/a"
    p50, p95 = np.percentile(np.array(values) * 1000, [50, 95])
    return f"{p50:7.1f} {p95:7.1f} {max(values) * 1000:7.1f}"


def _load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def report(name: str, out: dict, seconds: float, load: tuple[str, str], checks: dict, warm_checks: dict) -> None:
    print(f"\n{name}: {len(out['reads'])} reads in {seconds:.1f} s = {len(out['reads']) / seconds:.1f} reads/s"
          f"{'  ERRORS: ' + str(out['errors'][:3]) if out['errors'] else ''}")
    print(f"  load average (1, 5, 15 min) at start {load[0]}, at end {load[1]}")
    print(f"  {'latency ms':36} {'p50':>7} {'p95':>7} {'p99':>7}   (n)")
    print(f"  {'next study':36} {_pct(out['next'])}   ({len(out['next'])})")
    print(f"  {'submit read':36} {_pct(out['submit'])}   ({len(out['submit'])})")
    print(f"  {'warm-up calls of each process, ms':36} {'p50':>7} {'p95':>7} {'max':>7}   (n; not in the figures above)")
    for key, what in (("cold_next", "next study, 1st call (cold)"), ("warm2_next", "next study, 2nd call"),
                      ("cold_submit", "submit read, 1st call (cold)"),
                      ("warm2_submit", "submit read, 2nd call (consensus)")):
        print(f"  {what:36} {_cold(out[key])}   ({len(out[key])})")
    print("  integrity: " + ", ".join(f"{k} {v}" for k, v in checks.items()))
    print("  integrity of the warm-up campaigns: " + ", ".join(f"{k} {v}" for k, v in warm_checks.items()))


def _phase(name: str, run, campaign_id: int) -> None:
    load_start = _load()
    out, seconds, warm = run()
    report(name, out, seconds, (load_start, _load()), integrity([campaign_id], out["reads"]),
           integrity(warm, out["warm_reads"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--studies", type=int, default=600, help="Studies of the back-to-back (saturation) run.")
    parser.add_argument("--baseline-studies", type=int, default=200)
    parser.add_argument("--think-ms", type=float, default=5000.0,
                        help="Mean pause per reader between studies in the paced run (real readers take minutes).")
    parser.add_argument("--paced-studies-per-reader", type=float, default=8.0,
                        help="Length of the paced run: its campaign has readers x this / 2 studies (2 reads each, "
                             "a few get a third), so each reader reads about this many.")
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
        paced_studies = max(1, round(args.readers * args.paced_studies_per_reader / 2))
        print(f"{args.readers} reader processes; saturation: {args.studies} studies; paced: {paced_studies} studies "
              f"(2 reads each, up to 3 on high-significance disagreement); baseline: one process, "
              f"{args.baseline_studies} studies; {os.cpu_count()} CPUs")
        base_readers = _readers("base-reader-", args.readers)
        base_campaign = _make_campaign("bench-baseline", args.baseline_studies, base_readers)
        _phase("baseline (single-reader loop, no concurrency)", lambda: run_baseline(base_campaign, base_readers),
               base_campaign)
        next_n, leaves_open, completes = statements()
        print(f"  statements (BEGIN and COMMIT included): next study {next_n}; submit {leaves_open}, {completes} on a "
              "study's last read (consensus)")
        if args.baseline_only:
            return
        # Paced first: the back-to-back run leaves the machine busy after it ends (its 50 processes in the load
        # average for minutes, PostgreSQL vacuuming and checkpointing its writes), which is not reading pace.
        paced = _readers("paced-reader-", args.readers)
        paced_campaign = _make_campaign("bench-paced", paced_studies, paced)
        _phase(f"{args.readers} concurrent readers, {args.think_ms:.0f} ms mean pause between studies",
               lambda: run_concurrent(paced_campaign, paced, processes=args.readers, think_s=args.think_ms / 1000,
                                      prefix="paced"), paced_campaign)
        readers = _readers("load-reader-", args.readers)
        campaign = _make_campaign("bench-load", args.studies, readers)
        _phase(f"{args.readers} concurrent readers, back to back (saturation)",
               lambda: run_concurrent(campaign, readers, processes=args.readers, prefix="load"), campaign)
    finally:
        connections.close_all()
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
