"""Paper scale: how the database-side costs grow from 10% to 100% of the paper's archive (30,000 studies, 4.8 million
instances), each size filled by the scale fixture (frontend/scale) in a database of its own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/radcurate RADCURATE_DEID_KEY=k RADCURATE_DATA_DIR=/tmp/scale \
        .venv/bin/python bench/bench_scale.py --scales 0.1 0.3 1.0
    ... bench/bench_scale.py --scales 0.1 --reuse      # measure a database the fixture filled before

The database named by --database (default radcurate_scale, on the server of DATABASE_URL) is dropped and created
again for each size; nothing else is touched. Per size it prints the fixture's build time, then p50/p95 (ms) of:
QIDO-RS study search (date range, modality, patient id; fuzzy matching off), series and instance search with paging,
WADO-RS series metadata (156 instances), worklist next and submit with 50 readers at a reading pace (threads, each
pausing between calls), the campaign overview page, the candidates page with filters, the audit log API (first and a
deep page), and once each: per-trait agreement of the whole campaign (--n-boot replicates; 1,000 is the API's default),
Dawid–Skene over the whole campaign (with its writes), export planning with the label tables. The statements each
request sent are printed beside it. Then the table of every size with the growth exponent between sizes,
log(p50 ratio) / log(size ratio): near 0 for a paged query, 1 for work that grows with the archive. Last, the
database size and its largest tables and indexes. The baseline is the smallest size of the same run.
"""

import argparse
import math
import os
import random
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "radcurate.settings")


def _database_url(name: str) -> str:
    url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/radcurate"))
    return urlunsplit(url._replace(path=f"/{name}"))


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 0.3, 1.0])
    parser.add_argument("--database", default="radcurate_scale")
    parser.add_argument("--repeats", type=int, default=30, help="requests per paged measurement")
    parser.add_argument("--worklist-seconds", type=float, default=30.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause (s) of a reader between calls")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap replicates of the agreement statistics")
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is (one scale)")
    return parser.parse_args()


ARGS = _parse()
if "scale" not in ARGS.database:
    sys.exit(f"--database {ARGS.database}: the bench drops it; give a name with 'scale' in it.")
os.environ["DATABASE_URL"] = _database_url(ARGS.database)

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from frontend.scale.build import ScaleSize, build_scale_fixture  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def fresh_database() -> None:
    connections.close_all()
    with psycopg.connect(_database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{ARGS.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{ARGS.database}"')
    call_command("migrate", verbosity=0)


# --- measuring -----------------------------------------------------------------------------------------------


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, math.ceil(0.95 * len(ms)) - 1)]
    return statistics.median(ms), p95


class Results:
    def __init__(self):
        self.rows: dict[str, tuple[float, float, int | None]] = {}

    def add(self, name: str, seconds: list[float], statements: int | None = None) -> None:
        self.rows[name] = (*_percentiles(seconds), statements)
        p50, p95, n = self.rows[name]
        sql = f"  ({n} statements)" if n is not None else ""
        print(f"  {name:<44} p50 {p50:9.1f} ms   p95 {p95:9.1f} ms   n={len(seconds)}{sql}", flush=True)


def _get(client: Client, url: str) -> float:
    t0 = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - t0
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code} {response.content[:300]!r}")
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return elapsed


def measure_urls(results: Results, name: str, client: Client, urls: list[str]) -> None:
    _get(client, urls[0])  # warm: the first request of a worker compiles templates and fills caches
    connection.queries_log.clear()  # a request resets the log: the capture must start from an empty one
    with CaptureQueriesContext(connection) as queries:
        _get(client, urls[0])
    statements = len(queries)  # now: the capture reads the log lazily, and the next request resets it
    results.add(name, [_get(client, url) for url in urls], statements)


def measure_once(results: Results, name: str, call, repeats: int = 1) -> None:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    results.add(name, times)


# --- the measurements ------------------------------------------------------------------------------------------


class Context:
    def __init__(self):
        from annotation.models import Campaign
        from curation.models import Study

        self.campaign = Campaign.objects.get(name="paper-scale")
        self.studies = list(Study.objects.filter(study_uid__startswith="2.25.9").order_by("id")
                            .values_list("study_uid", "patient__pseudonym", "primary_series__series_uid"))
        self.rng = random.Random(0)
        self.staff = User.objects.get(username="scale-curator")
        self.reader = User.objects.filter(username__startswith="scale-reader-").order_by("id").first()

    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def some_studies(self, n: int) -> list[tuple]:
        return [self.rng.choice(self.studies) for _ in range(n)]


def dicomweb(results: Results, ctx: Context) -> None:
    client, n = ctx.client(ctx.reader), ARGS.repeats
    months = [f"{2008 + ctx.rng.randrange(10)}{ctx.rng.randrange(1, 12):02d}" for _ in range(n)]
    measure_urls(results, "QIDO studies: 1-month date range", client,
                 [f"/dicomweb/studies?StudyDate={m}01-{m}28&limit=100" for m in months])
    measure_urls(results, "QIDO studies: modality CT, page at offset", client,
                 [f"/dicomweb/studies?ModalitiesInStudy=CT&limit=100&offset={ctx.rng.randrange(0, 2000)}"
                  for _ in range(n)])
    measure_urls(results, "QIDO studies: patient id", client,
                 [f"/dicomweb/studies?PatientID={p}" for _, p, _ in ctx.some_studies(n)])
    measure_urls(results, "QIDO series of a study", client,
                 [f"/dicomweb/studies/{s}/series" for s, _, _ in ctx.some_studies(n)])
    measure_urls(results, "QIDO series: modality CT, page at offset", client,
                 [f"/dicomweb/series?Modality=CT&limit=100&offset={ctx.rng.randrange(0, 2000)}" for _ in range(n)])
    measure_urls(results, "QIDO instances of a series, 2nd page of 50", client,
                 [f"/dicomweb/studies/{s}/series/{x}/instances?limit=50&offset=50" for s, _, x in ctx.some_studies(n)])
    measure_urls(results, "WADO-RS series metadata (156 instances)", client,
                 [f"/dicomweb/studies/{s}/series/{x}/metadata" for s, _, x in ctx.some_studies(n)])


def pages(results: Results, ctx: Context) -> None:
    from reports_nlp.models import MiningRun

    client, n, campaign = ctx.client(ctx.staff), ARGS.repeats, ctx.campaign
    run = MiningRun.objects.order_by("-pk").first()
    measure_urls(results, "page: campaign overview", client, [f"/campaigns/{campaign.pk}/"] * n)
    traits = ["intracranial_hemorrhage", "subdural_hemorrhage", "white_matter_ischemia", "fracture", "lacune"]
    measure_urls(results, "page: candidates, trait + verdict filter", client,
                 [f"/reports/candidates/?run={run.pk}&trait={ctx.rng.choice(traits)}&verdict=present"
                  f"&page={ctx.rng.randrange(1, 4)}" for _ in range(n)])
    measure_urls(results, "page: candidates, unfiltered", client, [f"/reports/candidates/?run={run.pk}"] * n)
    measure_urls(results, "API: audit log, first page", client,
                 [f"/api/annotation/audit/?campaign={campaign.pk}&limit=50"] * n)
    measure_urls(results, "API: audit log, page at offset 10,000", client,
                 [f"/api/annotation/audit/?campaign={campaign.pk}&limit=50&offset=10000"] * n)
    measure_urls(results, "API: campaign studies, page at offset", client,
                 [f"/api/annotation/campaigns/{campaign.pk}/studies/?limit=50&offset={ctx.rng.randrange(0, 2500)}"
                  for _ in range(n)])


def _reader_session(campaign_id: int, reader_id: int, seed: int, stop: float, out: dict) -> None:
    from annotation.models import Campaign
    from annotation.services.reads import read_submit
    from annotation.services.worklist import worklist_next

    rng = random.Random(seed)
    try:
        campaign, reader = Campaign.objects.get(pk=campaign_id), User.objects.get(pk=reader_id)
        while time.perf_counter() < stop:
            time.sleep(rng.uniform(0, 2 * ARGS.think))
            t0 = time.perf_counter()
            assignment = worklist_next(reader=reader, campaign=campaign)
            out["next"].append(time.perf_counter() - t0)
            if assignment is None:
                break
            time.sleep(rng.uniform(0, 2 * ARGS.think))  # reading the study
            labels = {"white_matter_ischemia": "present"} if rng.random() < 0.2 else {}
            t0 = time.perf_counter()
            read_submit(reader=reader, assignment=assignment, labels=labels, time_spent_s=90.0)
            out["submit"].append(time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001  (counted and printed)
        out["errors"].append(repr(exc))
    finally:
        connections.close_all()


def worklist(results: Results, ctx: Context) -> None:
    readers = list(ctx.campaign.readers.order_by("id").values_list("id", flat=True))
    out = {"next": [], "submit": [], "errors": []}
    stop = time.perf_counter() + ARGS.worklist_seconds
    threads = [threading.Thread(target=_reader_session, args=(ctx.campaign.pk, r, i, stop, out))
               for i, r in enumerate(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if out["errors"]:
        print(f"  worklist errors: {len(out['errors'])}, first: {out['errors'][0]}")
    results.add(f"worklist next ({len(readers)} readers, paced)", out["next"])
    results.add(f"read submit ({len(readers)} readers, paced)", out["submit"])


def whole_campaign(results: Results, ctx: Context) -> None:
    from annotation.selectors.agreement import agreement_table
    from annotation.services.consensus import dawid_skene_run
    from datasets.locations import staging_for
    from datasets.models import DatasetVersion
    from datasets.services.export import dataset_export_start, export_job_plan

    campaign = ctx.campaign
    measure_once(results, f"agreement, whole campaign ({ARGS.n_boot} bootstraps)",
                 lambda: agreement_table(campaign=campaign, n_boot=ARGS.n_boot, cached=False))
    measure_once(results, "agreement, the same table from the cache",
                 lambda: agreement_table(campaign=campaign, n_boot=ARGS.n_boot), repeats=ARGS.repeats)
    measure_once(results, "Dawid-Skene, whole campaign (fit + store)", lambda: dawid_skene_run(campaign=campaign))
    version = DatasetVersion.objects.get(name="paper-scale", version=1)
    shutil.rmtree(staging_for(version).root, ignore_errors=True)

    def plan():
        job = dataset_export_start(version=version, user=ctx.staff, enqueue=False, supersede=True)
        export_job_plan(job=job)

    measure_once(results, "export planning + label tables", plan)
    shutil.rmtree(staging_for(version).root, ignore_errors=True)


def database_report() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"  database size: {cursor.fetchone()[0]}")
        cursor.execute("SELECT relname, relkind, pg_size_pretty(pg_total_relation_size(c.oid)),"
                       " pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                       " WHERE n.nspname = 'public' AND relkind IN ('r', 'i') ORDER BY 4 DESC LIMIT 14")
        for name, kind, size, _ in cursor.fetchall():
            print(f"    {'table' if kind == 'r' else 'index'} {name:<52} {size:>10}")


def measure_scale(scale: float) -> tuple[ScaleSize, Results]:
    size = ScaleSize(scale)
    print(f"\n== scale {scale}: {size.studies:,} studies, {size.instances:,} instances", flush=True)
    if not ARGS.reuse:
        fresh_database()
        t0 = time.perf_counter()
        build_scale_fixture(size, progress=lambda m: print(f"  fixture: {m}", flush=True))
        print(f"  fixture built in {time.perf_counter() - t0:.0f} s", flush=True)
    ctx = Context()
    results = Results()
    for part in (dicomweb, pages, worklist, whole_campaign):
        part(results, ctx)
    database_report()
    return size, results


def print_table(measured: list[tuple[ScaleSize, Results]]) -> None:
    print("\n== p50 / p95 (ms) per size; growth exponent of p50 between sizes (0: flat, 1: linear)")
    header = "".join(f"{f'{s.studies:,} studies':>22}" for s, _ in measured)
    pairs = list(zip(measured, measured[1:], strict=False))
    growth = "".join(f"{'exp ' + f'{a.scale:g}-{b.scale:g}':>16}" for (a, _), (b, _) in pairs)
    print(f"{'measurement':<46}{header}{growth}")
    for name in measured[0][1].rows:
        cells = "".join(f"{r.rows[name][0]:10.1f} /{r.rows[name][1]:9.1f}" if name in r.rows else f"{'-':>22}"
                        for _, r in measured)
        exps = ""
        for (a, ra), (b, rb) in zip(measured, measured[1:], strict=False):
            if name in ra.rows and name in rb.rows and ra.rows[name][0] > 0:
                exps += f"{math.log(rb.rows[name][0] / ra.rows[name][0]) / math.log(b.studies / a.studies):16.2f}"
            else:
                exps += f"{'-':>16}"
        print(f"{name:<46}{cells}{exps}")


def main() -> None:
    if ARGS.reuse and len(ARGS.scales) != 1:
        sys.exit("--reuse measures the database as it is: give one --scales value (the one it was filled to).")
    print(f"database {ARGS.database}; load average at start {os.getloadavg()[0]:.1f}")
    measured = [measure_scale(scale) for scale in ARGS.scales]
    print_table(measured)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
