"""The demo's annotation step on a tiny archive: campaign, mining-free priorities, simulated reads, a worklist left."""

import json

from annotation.models import Campaign
from core.roles import ADMIN, CURATOR, RADIOLOGIST, TRAINER
from curation.dicom.deidentify import map_uid
from curation.models import Study
from frontend.demo import DemoContext, step_annotation
from tests.annotation.conftest import make_studies
from tests.conftest import make_user


def test_demo_annotation_step(taxonomy, tmp_path, settings):
    studies = make_studies(18)
    lines = []
    for i, study in enumerate(studies):
        original = f"1.2.826.0.1.3680043.8.498.7{i}"
        Study.objects.filter(pk=study.pk).update(study_uid=map_uid(original, key=settings.RADCURATE_DEID_KEY))
        traits = [{"code": "sinus_pathology", "parent": None}] if i % 3 == 0 else []
        lines.append(json.dumps({"study_instance_uid": original, "traits": traits}))
    (tmp_path / "ground_truth.jsonl").write_text("\n".join(lines) + "\n")
    ctx = DemoContext(data_dir=tmp_path, out=lambda line: printed.append(line))
    printed: list[str] = []
    ctx.users = {role: make_user(f"demo-{role}", role) for role in (ADMIN, CURATOR, TRAINER, RADIOLOGIST)}
    ctx.state["cohort_dir"] = tmp_path
    step_annotation(ctx)
    pilot = Campaign.objects.get(name="demo: head-CT pilot")
    # Every study has consensus but the few adjudications left open for demo-radiologist.
    regular = pilot.campaign_studies.filter(is_gold=False)
    waiting = regular.filter(status="adjudication").count()
    assert regular.filter(status="complete").count() + waiting == 3 and waiting <= 3
    assert pilot.assignments.filter(campaign_study__is_gold=True, status="submitted").count() == 5 * 4  # every reader
    assert any(line.strip().startswith("consensus") for line in printed)
    assert pilot.adjudicators.filter(username="demo-radiologist").exists()  # a person may adjudicate in the browser
    assert any(f"{waiting} adjudication task" in line and "left open for demo-radiologist" in line
               for line in printed)
    worklist = Campaign.objects.get(name="demo: your worklist")
    assert worklist.status == "active" and worklist.campaign_studies.count() == 10
    step_annotation(ctx)  # idempotent
    assert Campaign.objects.count() == 2
