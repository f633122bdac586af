"""Readers on the model's ROC: each reader's sensitivity and specificity against the other readers' consensus
(leave-one-reader-out; ties left out), intervals, the mean reader, pseudonyms unless the viewer is an admin."""

import pytest

from annotation.pseudonyms import reader_pseudonym
from datasets.selectors.readers_roc import run_reader_points, run_reader_roc
from datasets.services.model_runs import model_run_import
from tests.annotation.conftest import make_voted_campaign
from tests.datasets.test_model_runs import write_run

pytestmark = pytest.mark.django_db

ICH = "intracranial_hemorrhage"
# study -> each reader's ICH vote (readers A, B, C)
VOTES = [(1, 1, 1), (1, 0, 0), (0, 1, 1), (0, 0, 0)]


def read_votes(tmp_path):
    _, studies, readers = make_voted_campaign(ICH, VOTES)
    run = model_run_import(run_dir=write_run(tmp_path / "run", [s.study_uid for s in studies]))
    return run, readers


def test_each_reader_is_scored_against_the_others(tmp_path):
    run, (a, b, c) = read_votes(tmp_path)
    points = run_reader_points(run=run, show_identities=False)[ICH]
    by = {p["reader"]: p for p in points["readers"]}
    assert set(by) == {reader_pseudonym(u.pk) for u in (a, b, c)}
    first = by[reader_pseudonym(a.pk)]
    assert (first["sensitivity"]["value"], first["specificity"]["value"]) == (0.5, 0.5)
    assert first["sensitivity"]["lo"] < 0.5 < first["sensitivity"]["hi"] and first["sensitivity"]["n"] == 2
    second = by[reader_pseudonym(b.pk)]  # B's two disputed studies are ties among the others: left out
    assert (second["sensitivity"]["value"], second["sensitivity"]["n"], second["specificity"]["n"]) == (1.0, 1, 1)
    assert points["mean"] == {"sensitivity": pytest.approx(0.8333, abs=1e-4),
                              "specificity": pytest.approx(0.8333, abs=1e-4), "n_readers": 3}


def test_admins_see_names_and_the_page_plots_readers_on_the_curve(tmp_path):
    run, readers = read_votes(tmp_path)
    named = run_reader_points(run=run, show_identities=True)[ICH]["readers"]
    assert {p["reader"] for p in named} == {u.username for u in readers}
    [trait] = run_reader_roc(run=run, show_identities=False)
    assert trait["code"] == ICH and len(trait["readers"]) == 3 and trait["mean"]["x"] == pytest.approx(0.1667, 1e-3)
    assert not any(u.username in str(trait) for u in readers)
