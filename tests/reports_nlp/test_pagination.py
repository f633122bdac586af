"""The reports, mapping set, mining run and candidate lists page: reached to the last page through `next`."""

from reports_nlp.models import MappingSet, MiningRun, Report
from reports_nlp.selectors.candidates import candidate_ranking, study_priorities
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.services.mapping_sets import mapping_set_clone
from reports_nlp.services.mining import mining_run_create
from tests.pagination import assert_walked


def test_reports_mapping_sets_and_runs_page_through_next(api_for, mined_run):
    curator = api_for("curator")
    assert_walked(curator, "/api/reports/", Report.objects.filter(is_current=True).count())
    for _ in range(2):
        mapping_set_clone(mapping_set=mapping_set_get())
    assert_walked(api_for("radiologist"), "/api/reports/mapping-sets/", MappingSet.objects.count())
    for _ in range(2):
        mining_run_create(mapping_set=mapping_set_get(), chunk_size=2)
    runs = assert_walked(curator, "/api/reports/mining-runs/", MiningRun.objects.count())
    mined = next(r for r in runs if r["id"] == mined_run.pk)
    assert mined == curator.get(f"/api/reports/mining-runs/{mined_run.pk}/").json()  # each row is the run's status


def test_candidates_and_study_priorities_page_through_next(api_for, mined_run):
    curator = api_for("curator")
    every = candidate_ranking(run=mined_run, limit=None)
    rows = assert_walked(curator, f"/api/reports/candidates/?run={mined_run.pk}", len(every),
                         key=lambda r: (r["report_id"], r["trait"]))
    assert [(r["report_id"], r["trait"]) for r in rows] == [(r["report_id"], r["trait"]) for r in every]
    assert all(r["evidence"]["match"] for r in rows)
    first = curator.get(f"/api/reports/candidates/?run={mined_run.pk}&limit=2").json()
    assert first["run"] == mined_run.pk
    studies = assert_walked(curator, f"/api/reports/candidates/studies/?run={mined_run.pk}",
                            len(study_priorities(run=mined_run)), key="study_id")
    assert [s["study_id"] for s in studies] == [s["study_id"] for s in study_priorities(run=mined_run)]


def test_candidates_before_any_run_is_an_empty_page(api_for, db):
    body = api_for("curator").get("/api/reports/candidates/").json()
    assert body == {"count": 0, "next": None, "previous": None, "results": [], "run": None}
