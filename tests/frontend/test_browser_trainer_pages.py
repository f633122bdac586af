"""The trainer's journeys in Debian's Chromium on PostgreSQL: open a campaign's active-learning priorities and push them
into its worklist; compare two model runs side by side. Each test walks the pages as a trainer would, from the top bar.

With RADCURATE_WRITE_SCREENSHOTS=1 the tests also rewrite docs/screenshots/priorities-page.png and run-compare-page.png.
"""

import json
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from annotation.models import PriorityScore
from annotation.selectors.campaigns import campaign_queue
from core.roles import TRAINER
from curation.models import Taxonomy
from datasets.services.active_learning import active_learning_policy_set
from datasets.services.model_runs import model_run_import
from tests.annotation.conftest import make_campaign, make_readers, make_studies
from tests.conftest import PASSWORD, make_user
from tests.datasets.test_model_runs import write_run
from tests.frontend.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(page, name: str) -> None:
    if os.environ.get("RADCURATE_WRITE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.fixture
def campaign_and_runs(tmp_path):
    studies = make_studies(6)
    campaign = make_campaign(Taxonomy.objects.get(name="head-ct", version=1), studies=studies,
                             readers=make_readers(2), priority_weights={"active_learning": 1.0})
    uids = [s.study_uid for s in studies]
    # The older run thinks study 5 the likeliest bleed, the newer one study 0: the two rank the campaign apart.
    older = model_run_import(run_dir=write_run(tmp_path / "a", uids, [[0.1 * i, 0.05, 0.2] for i in range(6)],
                                               auroc=0.8), name="baseline")
    newer = model_run_import(run_dir=write_run(tmp_path / "b", uids, [[0.9 - 0.1 * i, 0.05, 0.2] for i in range(6)],
                                               auroc=0.87), name="bigger model")
    # Rare-and-significant leads; the small weights of the model's doubt only break ties, so the order is known.
    active_learning_policy_set(campaign=campaign, weights={"rare_significant": 1.0, "entropy": 0.05,
                                                           "disagreement": 0.05})
    return campaign, studies, older, newer


def test_trainer_opens_priorities_and_pushes_them(live_server, new_page, campaign_and_runs):
    campaign, studies, older, newer = campaign_and_runs
    make_user("train", TRAINER)
    page = new_page()
    log_in(page, live_server, "train", PASSWORD)
    page.get_by_role("link", name="Priorities").click()
    page.get_by_role("link", name=campaign.name).click()

    # The latest run ranks the campaign: each strategy's score, the reason, and where it came from.
    expect(page.locator("#source-run")).to_have_text(newer.name)
    table = page.locator("#priorities")
    expect(table.locator("tbody tr")).to_have_count(6)
    for column in ("rare_significant", "entropy", "disagreement", "Reason", "In the worklist now"):
        expect(table.locator("thead")).to_contain_text(column)
    expect(table.locator("tbody tr").first).to_have_attribute("data-study", str(studies[0].pk))
    expect(table.locator("tbody tr").first).to_contain_text(
        "likely rare or clinically significant finding (intracranial_hemorrhage)")
    expect(page.locator("main")).to_contain_text("No active-learning scores are in this worklist yet")

    # The trainer picks the older run instead: its own ranking, named as its source.
    page.get_by_label("Model run").select_option(str(older.pk))
    page.get_by_role("button", name="Show this run").click()
    expect(page.locator("#source-run")).to_have_text(older.name)
    expect(table.locator("tbody tr").first).to_have_attribute("data-study", str(studies[5].pk))
    screenshot(page, "priorities-page.png")

    page.get_by_role("button", name="Push these priorities into the worklist").click()
    expect(page.locator(".messages")).to_contain_text(f"Pushed the priorities of run {older.pk}: baseline")
    expect(page.locator(".messages")).to_contain_text("6 studies re-ranked")
    expect(page.locator("#source-run")).to_have_text(older.name)  # the page stays on the run pushed
    expect(table.locator("tbody tr").first.locator(".worklist-priority")).not_to_have_text("0.000")
    expect(page.locator("main")).to_contain_text("last pushed into the worklist")

    # The worklist now hands out the run's first study, and each score keeps the run it came from.
    assert campaign_queue(campaign=campaign).first().study_id == studies[5].pk
    reasons = PriorityScore.objects.filter(campaign=campaign, source="active_learning").values_list("reason", flat=True)
    assert len(reasons) == 6 and all(r.startswith(f"run {older.pk}: ") for r in reasons)


def test_a_closed_campaigns_worklist_offers_no_push(live_server, new_page, campaign_and_runs):
    campaign, *_ = campaign_and_runs
    campaign.status = campaign.Status.CLOSED
    campaign.save(update_fields=["status"])
    make_user("train", TRAINER)
    page = new_page()
    log_in(page, live_server, "train", PASSWORD)
    page.goto(f"{live_server.url}/priorities/campaigns/{campaign.pk}/")
    expect(page.locator("#priorities tbody tr")).to_have_count(6)
    expect(page.locator("main")).to_contain_text("The campaign is closed: its worklist no longer changes.")
    expect(page.get_by_role("button", name=re.compile("Push"))).to_have_count(0)


def _with_report(run_dir: Path, *, certified: bool, shift: float) -> Path:
    """Give write_run's report what training writes: an operating point, the reference, ROC points, and a trait
    without positives on test (its AUROC undefined)."""
    report = json.loads((run_dir / "report.json").read_text())
    for trait in report["traits"]:
        trait.update(n=40, n_positive=8)
        trait["roc"] = {"fpr": [0, 0.1, 0.5, 1], "tpr": [0, min(1, 0.5 + shift), min(1, 0.8 + shift), 1]}
    report["traits"][-1].update(n_positive=0, auroc=None, auroc_lo=None, auroc_hi=None, auprc=None, auprc_lo=None,
                                auprc_hi=None, roc=None)
    point = {"coverage": 0.4, "reported": 120, "misses": 0, "csmr": 0.0, "csmr_upper": 0.0247, "n": 300}
    report["operating_point"] = {
        "method": "fixed-sequence testing", "target_csmr": 0.05, "confidence": 0.95, "certified": certified,
        "threshold": 0.3 if certified else None, "calibration": point, "test": point,
        **({} if certified else {"note": "no threshold certified: the calibration split is too small"})}
    report["reference"] = {"reference_csmr": 0.0083, "points": [
        {"point": "certified", "coverage": 0.4, "csmr": 0.0, "csmr_upper": 0.0247, "upper_above_reference": True}]}
    (run_dir / "report.json").write_text(json.dumps(report))
    Image.new("RGB", (320, 320), "white").save(run_dir / "roc" / "intracranial_hemorrhage.png")  # training's size
    return run_dir


def test_trainer_compares_two_runs(live_server, new_page, tmp_path):
    uids = [s.study_uid for s in make_studies(3)]
    older = model_run_import(run_dir=_with_report(write_run(tmp_path / "a", uids, auroc=0.81), certified=True,
                                                  shift=0.0), name="baseline")
    newer = model_run_import(run_dir=_with_report(write_run(tmp_path / "b", uids, auroc=0.88), certified=False,
                                                  shift=0.1), name="bigger model")
    make_user("train", TRAINER)
    page = new_page()
    log_in(page, live_server, "train", PASSWORD)
    page.get_by_role("link", name="Runs").click()
    page.get_by_role("link", name="baseline").click()

    # The run page says what was certified, in words, and what it cannot compute.
    expect(page.locator("#certified")).to_have_text(re.compile(
        r"certified: CSMR below 5% at 40\.0% coverage, 95% confidence"))
    expect(page.locator("main")).to_contain_text("a dataset this platform does not hold")
    expect(page.locator("#reference")).to_contain_text("above the reference")
    expect(page.locator("main")).to_contain_text("radiologists' reference CSMR of 0.83%")
    expect(page.locator("#traits")).to_contain_text("0.810 [0.760, 0.840]")
    expect(page.locator("#traits tr", has_text="lacune")).to_contain_text("n/a (no positives)")
    expect(page.locator("#traits")).not_to_contain_text("[, ]")

    # A plot is shown readable and opens full size.
    plot = page.locator("#plots img").first
    expect(plot).to_be_visible()
    assert plot.bounding_box()["width"] >= 300
    with page.expect_popup() as popup:
        plot.click()
    full = popup.value
    full.wait_for_load_state()
    assert full.url.endswith("/plots/roc-intracranial_hemorrhage.png")
    assert full.locator("img").evaluate("img => img.naturalWidth") == 320  # the image itself, at its own size

    page.get_by_role("link", name="bigger model").click()
    expect(page.locator("h1")).to_have_text("baseline vs bigger model")
    row = page.locator("#metrics tr[data-trait=intracranial_hemorrhage]")
    expect(row).to_contain_text("+0.070 [-0.010, +0.150]")  # b - a, with the interval of the difference
    expect(page.locator("#metrics tr[data-trait=lacune]")).to_contain_text("n/a (no positives)")
    expect(page.locator("#runs-compared")).to_contain_text("not certified: no threshold certified")
    # One overlaid figure per trait both runs could draw, each with both runs' curves.
    figures = page.locator("#roc figure")
    expect(figures).to_have_count(2)
    expect(figures.first.locator("polyline")).to_have_count(2)
    screenshot(page, "run-compare-page.png")
    assert older.pk != newer.pk


def test_the_dataset_name_pattern_is_checked_by_the_browser(browser):
    """Chromium compiles a pattern attribute with the v flag and skips the check when that fails: ours must compile."""
    from frontend.forms.datasets import DatasetVersionForm

    field = DatasetVersionForm(campaigns=[])["name"]
    page = browser.new_page()
    try:
        page.set_content(f"<form>{field}</form>")
        name = page.locator("input[name=name]")
        verdict = {}
        for value in ("head-ct_2", "bad name!", "ümlaut"):
            name.fill(value)
            verdict[value] = name.evaluate("input => input.validity.patternMismatch")
        assert verdict == {"head-ct_2": False, "bad name!": True, "ümlaut": True}
    finally:
        page.close()
