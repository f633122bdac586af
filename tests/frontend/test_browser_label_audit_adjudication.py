"""Journey: a label the audit doubts is adjudicated in Debian's Chromium.

Three readers agreed 2 to 1 that a study has no lacune, so consensus said absent without adjudication; a model run's
out-of-sample prediction says present at 0.97, and the label audit sends the study to the campaign's adjudication
queue with its reason. The adjudicator opens it from the worklist, sees the reason beside the trait, decides present,
and the consensus changes to present, marked adjudicated.
"""

import pandas as pd
import pytest

from annotation.models import AdjudicationTask, CampaignStudy, Consensus
from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from core.roles import RADIOLOGIST
from curation.selectors.taxonomy import taxonomy_latest_published
from datasets.services.label_audit import label_audit_queue
from datasets.services.model_runs import model_run_import
from tests.annotation.conftest import make_campaign, make_studies
from tests.conftest import make_user
from tests.datasets.test_model_runs import write_run
from tests.frontend.conftest import ingest_phantom_studies
from tests.frontend.test_browser_adjudication_journey import open_adjudication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LACUNE = "lacune"
REASON = "label audit: model 0.97 present, consensus absent, 2 of 3 readers absent"


@pytest.fixture
def audited(tmp_path, settings):
    """Thirteen studies the readers and the model agree on, and an imaged one where they do not (flagged last)."""
    settings.RADCURATE_DATASETS_DIR = str(tmp_path / "datasets")
    doubted = ingest_phantom_studies(tmp_path / "dicom", [{}])[0]
    studies = [*make_studies(13), doubted]
    votes = [(1, 1, 1)] * 7 + [(0, 0, 0)] * 6 + [(1, 0, 0)]
    readers = [make_user(f"reader{i}", RADIOLOGIST) for i in (1, 2, 3)]
    senior = make_user("senior", RADIOLOGIST)
    campaign = make_campaign(taxonomy_latest_published(name="head-ct"), studies=studies, readers=readers,
                             adjudicators=[senior], min_reads=3, max_reads=3)
    row = {s.pk: i for i, s in enumerate(studies)}
    for k, reader in enumerate(readers):
        while (assignment := worklist_next(reader=reader, campaign=campaign)) is not None:
            said = votes[row[assignment.campaign_study.study_id]][k]
            read_submit(reader=reader, assignment=assignment, labels={LACUNE: "present"} if said else {})
    before = Consensus.objects.get(campaign_study__study=doubted, trait__code=LACUNE)
    assert (before.label, before.method) == ("absent", "majority")
    probs = [[0.1, 0.05, 0.9]] * 7 + [[0.1, 0.05, 0.08]] * 6 + [[0.1, 0.05, 0.97]]
    run_dir = write_run(tmp_path / "run", [s.study_uid for s in studies], probs)
    table = pd.read_csv(run_dir / "predictions.csv")
    table["split"] = "test"  # out of sample: the model never trained on these labels
    table.to_csv(run_dir / "predictions.csv", index=False)
    flags = label_audit_queue(run=model_run_import(run_dir=run_dir), campaign=campaign)
    assert [(f["study_id"], f["trait"], f["reason"]) for f in flags] == [(doubted.pk, LACUNE, REASON)]
    task = AdjudicationTask.objects.get(campaign_study__study=doubted, status="open")
    assert task.traits == {LACUNE: REASON}
    return {"task": task, "doubted": doubted}


def test_adjudicator_settles_a_label_the_audit_doubts(live_server, new_page, audited):
    task, doubted = audited["task"], audited["doubted"]
    senior = new_page()
    open_adjudication(senior, live_server, task)
    disputed = senior.locator("tr.disputed")
    assert disputed.count() == 1 and disputed.first.get_attribute("data-trait") == LACUNE
    assert REASON in disputed.first.inner_text()  # why the study is here, beside the trait
    disputed.first.locator("input[value=present]").check()
    senior.click("[data-decide]")
    senior.wait_for_url(lambda url: url.endswith("/reading/adjudication/next/"))
    assert "Nothing waiting for adjudication" in senior.inner_text("#adjudication-empty")

    task.refresh_from_db()
    assert task.status == "decided" and task.decisions == {LACUNE: "present"}
    after = Consensus.objects.get(campaign_study__study=doubted, trait__code=LACUNE)
    assert (after.label, after.method, after.adjudicator.username) == ("present", "adjudicated", "senior")
    entry = CampaignStudy.objects.get(pk=after.campaign_study_id)
    assert entry.status == CampaignStudy.Status.COMPLETE
