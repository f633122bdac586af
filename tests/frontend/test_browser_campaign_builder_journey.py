"""Journey: a curator builds a campaign from report-mining candidates and activates it, in Debian's Chromium.

From the campaigns page to a new campaign: a refused form (a name already taken) comes back with everything typed;
the draft takes the checked candidates with their ranking, a gold study, and is activated; a reader then gets
the best-ranked study first.
"""

import pytest

from annotation.models import Campaign
from annotation.services.campaigns import campaign_create
from annotation.services.worklist import worklist_next
from core.roles import CURATOR, RADIOLOGIST
from curation.selectors.taxonomy import taxonomy_latest_published
from reports_nlp.accession import accession_pseudonym
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.services.mining import mining_run_create
from reports_nlp.services.mining_local import mining_run_process_locally
from reports_nlp.services.report_import import report_import_file
from tests.annotation.conftest import make_studies
from tests.conftest import PASSWORD, make_user
from tests.frontend.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REPORTS = {
    "ACC-1": "Findings: Acute subdural hematoma along the left convexity with 4 mm midline shift.",
    "ACC-2": "Findings: Mild chronic small vessel ischemic change. Mucosal thickening of the maxillary sinus.",
    "ACC-3": "Findings: Small left frontal meningioma without mass effect.",
    "ACC-4": "Findings: Normal noncontrast CT of the head.",
}


@pytest.fixture
def mined_archive():
    studies = make_studies(len(REPORTS) + 1)
    for study, accession in zip(studies, REPORTS, strict=False):
        study.accession_pseudonym = accession_pseudonym(accession)
        study.save(update_fields=["accession_pseudonym"])
    rows = "accession_number,patient_id,report_date,text\n" + "".join(
        f'{acc},PAT-{i},2024-01-0{i + 1},"{text}"\n' for i, (acc, text) in enumerate(REPORTS.items()))
    report_import_file(data=rows.encode(), name="reports.csv")
    mining_run_process_locally(run=mining_run_create(mapping_set=mapping_set_get()))
    readers = [make_user(name, RADIOLOGIST) for name in ("reader1", "reader2", "senior")]
    make_user("curator1", CURATOR)
    taxonomy = taxonomy_latest_published(name="head-ct")
    campaign_create(name="ICH pilot", taxonomy=taxonomy)  # the name the curator first types
    return {"studies": studies, "readers": readers, "taxonomy": taxonomy}


def test_curator_builds_a_campaign_from_candidates_and_activates_it(live_server, new_page, mined_archive):
    studies = mined_archive["studies"]
    page = new_page()
    log_in(page, live_server, "curator1", PASSWORD)
    page.get_by_role("link", name="Campaigns").first.click()
    page.click("#new-campaign")

    form = page.locator("#campaign-form")
    form.locator("input[name=name]").fill("ICH pilot")
    form.locator("textarea[name=description]").fill("Bleeds first, from the reports")
    form.locator("select[name=taxonomy]").select_option(label=str(mined_archive["taxonomy"]))
    form.locator("input[name=min_reads]").fill("2")
    form.locator("input[name=max_reads]").fill("3")
    form.locator("input[name=gold_every]").fill("0")
    form.locator("input[name=show_mined_verdicts]").check()
    for name in ("reader1", "reader2"):
        form.locator(".field-readers").get_by_label(name, exact=True).check()
    form.locator(".field-adjudicators").get_by_label("senior", exact=True).check()
    form.get_by_role("button", name="Create draft").click()
    page.wait_for_load_state()
    # Refused by the service (the name is taken); every input is still there.
    assert "already exists" in page.inner_text(".field-name")
    assert page.input_value("#campaign-form textarea[name=description]") == "Bleeds first, from the reports"
    assert page.is_checked("#campaign-form input[name=show_mined_verdicts]")
    assert page.locator(".field-readers input:checked").count() == 2
    assert page.input_value("#campaign-form input[name=max_reads]") == "3"
    page.fill("#campaign-form input[name=name]", "ICH pilot 2")
    page.locator("#campaign-form").get_by_role("button", name="Create draft").click()
    page.wait_for_url(lambda url: url.endswith("/edit/"))
    campaign = Campaign.objects.get(name="ICH pilot 2")
    assert campaign.status == "draft" and campaign.show_mined_verdicts and campaign.max_reads == 3
    assert sorted(campaign.readers.values_list("username", flat=True)) == ["reader1", "reader2"]

    # Activating an empty draft is refused with the reason.
    page.click("#activate")
    page.wait_for_load_state()
    assert "it has no studies" in page.inner_text(".messages")

    # The ranked candidates: the subdural hematoma report ranks first; check the two best.
    ranked = page.locator("#candidates tbody tr")
    assert ranked.count() >= 3
    assert ranked.first.get_attribute("data-study") == str(studies[0].pk)
    for i in range(2):
        ranked.nth(i).locator("input[name=study]").check()
    chosen = [int(ranked.nth(i).get_attribute("data-study")) for i in range(2)]
    page.get_by_role("button", name="Add selected candidates").click()
    page.wait_for_load_state()
    assert "2 studies added" in page.inner_text(".messages")
    assert "in campaign" in page.inner_text(f"#candidates tr[data-study='{chosen[0]}']")

    # An archive query the form refuses (an empty date range) comes back with what was typed.
    page.fill("#archive-query input[name=modality]", "MR")
    page.fill("#archive-query input[name=date_from]", "2024-02-01")
    page.fill("#archive-query input[name=date_to]", "2024-01-01")
    page.get_by_role("button", name="Add matching studies").click()
    page.wait_for_load_state()
    assert "The study-date range is empty" in page.inner_text("#archive-query")
    assert page.input_value("#archive-query input[name=modality]") == "MR"
    assert page.input_value("#archive-query input[name=date_from]") == "2024-02-01"

    # A gold study with its answer.
    page.fill("#gold input[name=study_uid]", studies[-1].study_uid)
    page.select_option("#gold select[name=positives]", ["fracture"])
    page.get_by_role("button", name="Add gold study").click()
    page.wait_for_load_state()
    assert "1 study added" in page.inner_text(".messages")
    screenshot(page, "campaign-builder.png")

    page.click("#activate")
    page.wait_for_load_state()
    assert page.inner_text("#campaign-status") == "active"
    campaign.refresh_from_db()
    assert campaign.status == "active"
    assert set(campaign.campaign_studies.filter(is_gold=False).values_list("study_id", flat=True)) == set(chosen)
    assert campaign.campaign_studies.get(is_gold=True).gold_labels["fracture"] == "present"
    # The candidates' ranking is the worklist's order.
    first = worklist_next(reader=mined_archive["readers"][0], campaign=campaign)
    assert first.campaign_study.study_id == studies[0].pk and "report-mining" in first.reason

    # An active campaign: the frozen settings refuse a change and the form keeps it.
    page.fill("#campaign-form input[name=max_reads]", "4")
    page.locator("#campaign-form").get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Cannot change max_reads of a active campaign" in page.inner_text("#settings")
    assert page.input_value("#campaign-form input[name=max_reads]") == "4"
