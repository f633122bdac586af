"""From report mining to the worklist: candidates become campaign studies, their scores the 'mining' priority."""

from annotation.services.campaigns import campaign_activate, campaign_add_candidates, campaign_create
from annotation.services.worklist import worklist_next
from reports_nlp.accession import accession_pseudonym
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.services.mining import mining_run_create
from reports_nlp.services.mining_local import mining_run_process_locally
from reports_nlp.services.report_import import report_import_file
from tests.annotation.conftest import make_studies

REPORTS = {
    "ACC-1": "Findings: Acute subdural hematoma along the left convexity with 4 mm midline shift.",
    "ACC-2": "Findings: No acute intracranial hemorrhage. Mild chronic small vessel ischemic change.",
    "ACC-3": "Findings: Normal noncontrast CT of the head.",
}


def test_mining_candidates_enter_the_campaign_with_their_reasons(taxonomy, readers):
    studies = make_studies(3)
    for study, accession in zip(studies, REPORTS, strict=True):
        study.accession_pseudonym = accession_pseudonym(accession)
        study.save(update_fields=["accession_pseudonym"])
    rows = "accession_number,patient_id,report_date,text\n" + "".join(
        f'{acc},PAT-{i},2024-01-0{i + 1},"{text}"\n' for i, (acc, text) in enumerate(REPORTS.items())
    )
    report_import_file(data=rows.encode(), name="reports.csv")
    run = mining_run_process_locally(run=mining_run_create(mapping_set=mapping_set_get()))
    campaign = campaign_create(name="from mining", taxonomy=taxonomy, readers=readers(2), gold_every=0)
    result = campaign_add_candidates(campaign=campaign, limit=10, run=run)
    assert studies[0].pk in result["added"] and result["prioritized"] == len(result["added"])
    campaign_activate(campaign=campaign)
    first = worklist_next(reader=campaign.readers.first(), campaign=campaign)
    assert first.campaign_study.study_id == studies[0].pk  # the subdural hematoma report ranks first
    assert "mining" in first.reason and "subdural" in first.reason.lower()
