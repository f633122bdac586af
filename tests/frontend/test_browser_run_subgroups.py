"""The run page's subgroup section in Debian's Chromium: per trait, each subgroup's AUROC with its interval and
operating point, too-small subgroups listed as such, and the forest plot imported with the run."""

import json

import pytest

from core.roles import TRAINER
from datasets.services.model_runs import model_run_import
from tests.annotation.conftest import make_studies
from tests.conftest import PASSWORD, make_user
from tests.datasets.test_model_runs import write_run
from tests.frontend.conftest import log_in
from training.subgroups import plot_forest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ICH = "intracranial_hemorrhage"


def _subgroup(group, auroc, n_pos, small=False):
    trait = {"code": ICH, "n": 40, "n_positive": n_pos, "too_small": small,
             "auroc": None if small else auroc, "auroc_lo": None if small else auroc - 0.08,
             "auroc_hi": None if small else min(auroc + 0.05, 1.0)}
    return {"attribute": "site", "group": group, "n": 40, "n_patients": 38, "traits": [trait],
            "operating_point": {"coverage": 0.4, "reported": 16, "misses": 1, "csmr": 0.0625, "csmr_upper": 0.27}}


def test_trainer_reads_subgroups_and_the_forest_plot(live_server, new_page, tmp_path):
    run_dir = write_run(tmp_path / "run", [s.study_uid for s in make_studies(3)])
    report = json.loads((run_dir / "report.json").read_text())
    report["subgroups"] = [_subgroup("s-1a2b", 0.93, 12), _subgroup("s-9f8e", 0.71, 11), _subgroup("s-77aa", 0, 2, True)]
    (run_dir / "report.json").write_text(json.dumps(report))
    (run_dir / "forest").mkdir()
    overall = next(t for t in report["traits"] if t["code"] == ICH)
    plot_forest(run_dir / "forest" / f"{ICH}.png", ICH, overall, report["subgroups"])
    run = model_run_import(run_dir=run_dir, name="with subgroups")
    make_user("train", TRAINER)
    page = new_page()
    log_in(page, live_server, "train", PASSWORD)
    page.goto(f"{live_server.url}/runs/{run.pk}/")
    section = page.locator("#subgroups")
    section.wait_for()
    summary = section.locator(f"details[data-trait='{ICH}'] summary").inner_text()
    assert "all test studies 0.900 [0.850, 0.930]" in summary
    rows = section.locator(f"details[data-trait='{ICH}'] tbody tr")
    assert rows.count() == 3
    assert "0.930 [0.850, 0.980]" in rows.nth(0).inner_text() and "0.710 [0.630, 0.760]" in rows.nth(1).inner_text()
    small = rows.nth(2)
    assert "too few cases (n+ = 2)" in small.inner_text() and small.get_attribute("class") == "too-small"
    forest = section.locator("img.forest")
    forest.wait_for()
    page.wait_for_function("() => { const i = document.querySelector('#subgroups img.forest');"
                           " return i.complete && i.naturalWidth > 100; }")


def test_trainer_sees_readers_on_the_models_roc_under_pseudonyms(live_server, new_page, tmp_path):
    from tests.datasets.test_readers_roc import read_votes

    run, readers = read_votes(tmp_path)
    make_user("train", TRAINER)
    page = new_page()
    log_in(page, live_server, "train", PASSWORD)
    page.goto(f"{live_server.url}/runs/{run.pk}/")
    figure = page.locator(f"#readers-roc figure[data-trait='{ICH}']")
    figure.wait_for()
    assert figure.locator("g.reader circle").count() == 3 and figure.locator("rect.mean-reader").count() == 1
    assert figure.locator("polyline.model-roc").count() == 0  # the test run's report keeps no curve
    text = figure.inner_text()
    assert "mean reader (3)" in text and "0.50 [" in text
    assert not [u.username for u in readers if u.username in page.content()]
