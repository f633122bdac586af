"""Building the scale fixture: sizes from a scale factor, the steps in order, and what each step took."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from curation.models import Study
from synth.reports import report_texts

from . import archive, campaign, reports

FULL_STUDIES = 30_000
PATIENT_RATIO = 0.8  # studies per patient above one: follow-ups
BIG_TABLES = ("curation_instance", "curation_series", "curation_study", "curation_patient", "reports_nlp_report",
              "reports_nlp_finding", "reports_nlp_reportverdict", "annotation_campaignstudy", "annotation_assignment",
              "annotation_read", "annotation_readlabel", "annotation_consensus", "annotation_auditevent",
              "annotation_priorityscore")


@dataclass(frozen=True)
class ScaleSize:
    scale: float

    @property
    def studies(self) -> int:
        return max(10, round(FULL_STUDIES * self.scale))

    @property
    def patients(self) -> int:
        return max(1, round(self.studies * PATIENT_RATIO))

    @property
    def instances(self) -> int:
        return self.studies * archive.INSTANCES_PER_STUDY


def _step(name: str, timings: dict, progress: Callable[[str], None]):
    class Timer:
        def __enter__(self):
            self.t0 = time.perf_counter()

        def __exit__(self, *exc):
            timings[name] = time.perf_counter() - self.t0
            if exc[0] is None:
                progress(f"{name}: {timings[name]:.1f} s")

    return Timer()


def build_scale_fixture(size: ScaleSize, *, progress: Callable[[str], None] = print,
                        vacuum: bool = True) -> dict[str, float]:
    """Fill the (migrated, empty) database to `size`; returns seconds per step. Refuses a filled archive.
    `vacuum=False` inside a transaction (a test), where VACUUM cannot run."""
    if Study.objects.exists():
        raise ValueError("The archive is not empty: the scale fixture fills a fresh database (see bench_scale.py).")
    timings: dict[str, float] = {}
    with _step("seed study ingested", timings, progress):
        archive.ingest_seed(progress)
    first = Study.objects.order_by("-id").values_list("id", flat=True).first() + 1
    with _step("patients and studies", timings, progress):
        archive.insert_patients_and_studies(size.studies, size.patients)
        archive.insert_series(first)
    last = Study.objects.order_by("-id").values_list("id", flat=True).first()
    done = [0]

    def instances_progress(n: int) -> None:
        done[0] += n
        if done[0] % 5000 < archive.STUDY_BATCH or done[0] == size.studies:
            progress(f"instances of {done[0]}/{size.studies} studies")

    with _step(f"{size.instances:,} instances", timings, progress):
        archive.insert_instances(first, last, instances_progress)
    pool = list(report_texts(min(reports.POOL, size.studies), seed=7))
    with _step("reports", timings, progress):
        reports.insert_reports(first, pool)
    with _step("mining", timings, progress):
        run = reports.mine_reports(first, pool, progress)
    with _step("campaign, reads, labels, consensus, audit", timings, progress):
        reader_ids, staff = campaign.create_users()
        paper = campaign.create_campaign(reader_ids, staff)
        campaign.fill_campaign(paper, first_study=first, run_id=run.pk, progress=progress)
        campaign.create_dataset_version(paper, staff)
    if vacuum:
        with _step("vacuum analyze", timings, progress):
            vacuum_analyze()
    return timings


def vacuum_analyze() -> None:
    """Visibility maps and statistics as a database in service has them (autovacuum would get there later)."""
    with connection.cursor() as cursor:
        for table in BIG_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
