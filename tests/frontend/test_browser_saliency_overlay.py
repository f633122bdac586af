"""The saliency overlay in Debian's Chromium: absent before the reader's own read is submitted (page, maps and slice
images), present after it with an opacity slider, per trait; and on the adjudication page."""

import pytest

from annotation.models import AdjudicationTask
from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from core.roles import RADIOLOGIST
from curation.selectors.taxonomy import taxonomy_latest_published
from datasets.services.model_runs import model_run_import
from tests.conftest import PASSWORD, make_user
from tests.datasets.saliency_files import write_saliency
from tests.datasets.test_model_runs import write_run
from tests.frontend.conftest import ingest_phantom_studies, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SALIENCY = {"intracranial_hemorrhage": 0.91, "subdural_hemorrhage": 0.7}


@pytest.fixture
def opinion_setup(tmp_path):
    [study] = ingest_phantom_studies(tmp_path / "dicom", [{"bleed": True, "n_slices": 6}])
    people = {name: make_user(name, RADIOLOGIST) for name in ("reader1", "reader2", "senior")}
    campaign = campaign_create(name="second look", taxonomy=taxonomy_latest_published(name="head-ct"), min_reads=2,
                               max_reads=2, gold_every=0, show_predictions=True, adjudicators=[people["senior"]],
                               readers=[people["reader1"], people["reader2"]])
    campaign_add_studies(campaign=campaign, study_ids=[study.pk])
    campaign_activate(campaign=campaign)
    run_dir = write_run(tmp_path / "run", [study.study_uid], [[0.91, 0.7, 0.1]])
    model_run_import(run_dir=write_saliency(run_dir, [(study.study_uid, 6)], SALIENCY))
    return {"campaign": campaign, "study": study, "people": people}


def overlay_alpha_at_peak(page) -> int:
    """Alpha of the overlay canvas where the test maps peak (lower-left cell of the 4x4 grid)."""
    return page.evaluate("""() => {
        const c = document.querySelector('[data-saliency-overlay]');
        return c.getContext('2d').getImageData(c.width / 8, c.height * 7 / 8, 1, 1).data[3];
    }""")


def test_overlay_is_absent_before_the_read_and_present_after(live_server, new_page, opinion_setup):
    reader = opinion_setup["people"]["reader1"]
    assignment = worklist_next(reader=reader, campaign=opinion_setup["campaign"])
    page = new_page()
    log_in(page, live_server, "reader1", PASSWORD)
    url = f"{live_server.url}/reading/assignments/{assignment.pk}/second-opinion/"
    before = page.goto(url)
    assert before.status == 403 and page.locator("#saliency").count() == 0
    assert page.locator("#saliency-config").count() == 0
    image = page.request.get(f"{url}slices/2.png")
    maps = page.request.get(f"{live_server.url}/api/datasets/second-opinion/{assignment.pk}/")
    assert image.status == 403 and maps.status == 403 and "maps" not in maps.text()

    read_submit(reader=reader, assignment=assignment, labels={"intracranial_hemorrhage": "present"})
    page.goto(url)
    overlay = page.locator("#saliency")
    overlay.wait_for()
    # opens on the most likely trait at its map's peak slice, the slice image loaded under the overlay
    page.wait_for_function("() => { const i = document.querySelector('[data-saliency-image]');"
                           " return i.complete && i.naturalWidth > 0; }")
    assert overlay.get_attribute("data-shown-trait") == "intracranial_hemorrhage"
    assert overlay.get_attribute("data-shown-slice") == "3"
    assert page.inner_text("[data-saliency-slice-label]") == "4 of 6"
    assert overlay_alpha_at_peak(page) > 200
    page.fill("[data-saliency-opacity]", "20")
    assert page.eval_on_selector("[data-saliency-overlay]", "c => c.style.opacity") == "0.2"
    assert page.inner_text("[data-saliency-opacity-label]") == "20%"
    page.select_option("[data-saliency-trait]", label="subdural_hemorrhage (0.70)")
    assert overlay.get_attribute("data-shown-trait") == "subdural_hemorrhage"
    page.fill("[data-saliency-slice]", "0")
    assert overlay.get_attribute("data-shown-slice") == "0" and overlay_alpha_at_peak(page) == 0


def test_the_adjudication_page_shows_the_overlay(live_server, new_page, opinion_setup):
    people, campaign = opinion_setup["people"], opinion_setup["campaign"]
    for name, state in (("reader1", "present"), ("reader2", "absent")):
        read_submit(reader=people[name], assignment=worklist_next(reader=people[name], campaign=campaign),
                    labels={"intracranial_hemorrhage": state})
    task = AdjudicationTask.objects.get(campaign_study__campaign=campaign)
    page = new_page()
    log_in(page, live_server, "senior", PASSWORD)
    page.goto(f"{live_server.url}/reading/adjudication/{task.pk}/")
    overlay = page.locator("#saliency")
    overlay.wait_for()
    page.wait_for_function("() => { const i = document.querySelector('[data-saliency-image]');"
                           " return i.complete && i.naturalWidth > 0; }")
    assert overlay.get_attribute("data-shown-trait") == "intracranial_hemorrhage"
    assert overlay_alpha_at_peak(page) > 200
    outsider = new_page()
    log_in(outsider, live_server, "reader2", PASSWORD)
    assert outsider.request.get(f"{live_server.url}/reading/adjudication/{task.pk}/slices/3.png").status == 404
