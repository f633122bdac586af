"""The campaign overview page at 312 studies: the paginated page beside the old one-page rendering and the worklist.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/radcurate .venv/bin/python bench/bench_campaign_overview.py
    ... bench/bench_campaign_overview.py --studies 100 --repeat 3        # a quick run

Works in a throwaway test database (created, migrated and dropped here). One campaign of `--studies` studies with
four readers; every study is read twice (a third time where the two disagree on a high-significance trait) by readers
who see each study's findings at 85% sensitivity and 97% specificity, so
consensus, adaptive overlap and adjudication happen as in a real campaign. Then, through Django's test client
(URL routing, middleware, session, template rendering; no network):

- `overview, first view after a read`: the page right after one more read (the agreement figures are computed
  again and kept);
- `overview`: the page again (the figures come from the cache until the next read), with `?page=2` and a status
  filter;
- `old overview`: the previous page's work, measured here from the same selectors it called: consensus for every
  study and the agreement table with its bootstrap, rendered as one table (the baseline);
- `worklist`: a radiologist's worklist page (a peer page of the same size of campaign).

Printed per page: median and max of `--repeat` loads in milliseconds, the page's size in bytes, and ratios.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "radcurate.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.template import Context, Template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

# Per-trait prevalence of the studies' findings; readers see a finding at SENSITIVITY and call a false one at
# 1 - SPECIFICITY: some disagreement (adaptive overlap, adjudication), and a forest plot with spread.
POSITIVE = {"intracranial_hemorrhage": 0.05, "lacune": 0.08, "sinus_pathology": 0.15, "white_matter_ischemia": 0.2,
            "diffuse_volume_loss": 0.15, "scalp_soft_tissue": 0.1, "fracture": 0.03, "calcification": 0.05}
SENSITIVITY, SPECIFICITY = 0.85, 0.97


def _campaign(n_studies: int, readers: list):
    from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
    from curation.models import Patient, Series, Study, Taxonomy

    ids = []
    for i in range(n_studies):
        patient = Patient.objects.create(pseudonym=f"bench-P{i}")
        study = Study.objects.create(study_uid=f"2.25.77{i:06d}", patient=patient)
        series = Series.objects.create(series_uid=f"2.25.88{i:06d}", study=study, n_instances=32, kind="axial")
        study.primary_series = series
        study.save(update_fields=["primary_series"])
        ids.append(study.pk)
    campaign = campaign_create(name="overview bench", taxonomy=Taxonomy.objects.get(name="head-ct", version=1),
                               readers=readers, min_reads=2, max_reads=3, gold_every=0)
    campaign_add_studies(campaign=campaign, study_ids=ids)
    campaign_activate(campaign=campaign)
    return campaign


def _read_everything(campaign, readers: list, rng: random.Random) -> int:
    from annotation.services.reads import read_submit
    from annotation.services.worklist import worklist_next

    reads, active, truths = 0, list(readers), {}
    while active:
        still = []
        for reader in active:
            assignment = worklist_next(reader=reader, campaign=campaign)
            if assignment is None:
                continue
            truth = truths.setdefault(assignment.campaign_study_id, {c for c, p in POSITIVE.items() if rng.random() < p})
            labels = {code: "present" for code in POSITIVE
                      if rng.random() < (SENSITIVITY if code in truth else 1 - SPECIFICITY)}
            read_submit(reader=reader, assignment=assignment, labels=labels, time_spent_s=60.0)
            reads += 1
            still.append(reader)
        active = still
    return reads


# The previous page's study table and agreement table, as it was rendered: every study on one page.
OLD_TABLES = Template("""{% for row in agreement %}<tr data-trait="{{ row.trait }}"><td>{{ row.trait }}</td>
{% for m in row.metrics %}<td>{{ m.value|floatformat:2 }} [{{ m.ci_low|floatformat:2 }}, {{ m.ci_high|floatformat:2 }}]</td>
{% endfor %}</tr>{% endfor %}{% for s in studies %}<tr data-study="{{ s.study_id }}" data-status="{{ s.status }}">
<td>{{ s.study_id }}</td><td>{{ s.status }}</td><td>{{ s.n_reads }}</td><td>{% for code, method in s.positive %}
<span class="pill" title="{{ method }}">{{ code }}</span>{% endfor %}</td><td>{{ s.pending|join:", " }}</td></tr>
{% endfor %}""")


def _old_overview(campaign) -> str:
    """The previous page's work: every study's consensus and the bootstrap agreement table, uncached, one table."""
    from annotation.selectors.agreement import agreement_table
    from annotation.selectors.campaigns import campaign_progress
    from annotation.selectors.consensus import consensus_labels

    studies = [{"study_id": s["study_id"], "status": s["status"], "n_reads": len(s["reads"]),
                "positive": [(c, t["method"]) for c, t in s["traits"].items() if t["label"] == "present"],
                "pending": [c for c, t in s["traits"].items() if t["method"] == "pending"]}
               for s in consensus_labels(campaign=campaign, include_incomplete=True)]
    table = agreement_table(campaign=campaign, n_boot=300)
    agreement = [{"trait": t["trait"], "metrics": [t[m] for m in ("fleiss_kappa", "krippendorff_alpha", "gwet_ac1")]}
                 for t in table["traits"]]
    campaign_progress(campaign=campaign)
    return OLD_TABLES.render(Context({"studies": studies, "agreement": agreement}))


def _timed(load, repeat: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(load())
        times.append((time.perf_counter() - start) * 1000)
    return times, size


def _timed_after_a_read(load, campaign, reader, repeat: int) -> tuple[list[float], int]:
    """Each time: one more study read (the cached agreement figures no longer match the reads), then the page."""
    from annotation.services.campaigns import campaign_add_studies
    from annotation.services.reads import read_submit
    from annotation.services.worklist import worklist_next
    from curation.models import Patient, Series, Study

    times, size = [], 0
    for i in range(repeat):
        study = Study.objects.create(study_uid=f"2.25.99{i:06d}", patient=Patient.objects.create(pseudonym=f"x{i}"))
        study.primary_series = Series.objects.create(series_uid=f"2.25.98{i:06d}", study=study, n_instances=32,
                                                     kind="axial")
        study.save(update_fields=["primary_series"])
        campaign_add_studies(campaign=campaign, study_ids=[study.pk])
        read_submit(reader=reader, assignment=worklist_next(reader=reader, campaign=campaign), labels={})
        run, page_size = _timed(load, 1)
        times += run
        size = page_size
    return times, size


def _get(client: Client, url: str):
    def load() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content
    return load


def _line(name: str, times: list[float], size: int, base: float) -> str:
    median = statistics.median(times)
    return (f"{name:34} median {median:8.1f} ms   max {max(times):8.1f} ms   {size / 1024:7.1f} KiB   "
            f"{median / base:6.2f}x the new page")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=312)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    db = connection.settings_dict
    db.setdefault("TEST", {})["NAME"] = f"bench_overview_{db['NAME']}"  # never the test suite's database
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        from annotation.models import CampaignStudy
        from tests.conftest import PASSWORD, make_user

        readers = [make_user(f"bench-reader-{i}", "radiologist") for i in range(4)]
        curator = make_user("bench-curator", "curator")
        campaign = _campaign(args.studies, readers)
        start = time.perf_counter()
        n_reads = _read_everything(campaign, readers, random.Random(0))
        by_status = {s: CampaignStudy.objects.filter(campaign=campaign, status=s).count()
                     for s in ("open", "adjudication", "complete")}
        print(f"{args.studies} studies, {n_reads} reads by 4 readers in {time.perf_counter() - start:.1f} s; "
              f"studies by status {by_status}; {os.cpu_count()} CPUs")
        client = Client()
        assert client.login(username=curator.username, password=PASSWORD)
        reader_client = Client()
        assert reader_client.login(username=readers[0].username, password=PASSWORD)
        url = f"/campaigns/{campaign.pk}/"
        _get(client, url)()  # the web worker's first request (template compilation and the like) is not timed
        first, size = _timed_after_a_read(_get(client, url), campaign, readers[0], args.repeat)
        new, new_size = _timed(_get(client, url), args.repeat)
        base = statistics.median(new)
        rows = [
            ("overview, first view after a read", first, size),
            ("overview", new, new_size),
            ("overview ?page=2", *_timed(_get(client, f"{url}?page=2"), args.repeat)),
            ("overview ?status=adjudication", *_timed(_get(client, f"{url}?status=adjudication"), args.repeat)),
            ("old overview (one page, baseline)", *_timed(lambda: _old_overview(campaign).encode(), args.repeat)),
            ("worklist (peer page)", *_timed(_get(reader_client, "/reading/"), args.repeat)),
        ]
        for name, times, page_size in rows:
            print(_line(name, times, page_size, base))
    finally:
        connections.close_all()
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
