"""The demo's export step: it exports the pilot campaign once, prints the version, and hands the directory on."""

import pytest

from datasets.models import DatasetVersion
from frontend.demo import DEMO_DATASET, STEPS, DemoContext, step_annotation, step_export
from training.data import DatasetDir


@pytest.mark.django_db
def test_the_demo_exports_its_campaign_once(cohort, users, tmp_path):
    assert STEPS.index(step_export) > STEPS.index(step_annotation)
    lines = []
    ctx = DemoContext(data_dir=tmp_path, out=lines.append, users=users, state={"campaign": cohort["campaign"]})
    step_export(ctx)
    version = DatasetVersion.objects.get(name=DEMO_DATASET)
    assert version.status == "published" and version.created_by == users["trainer"]
    assert any(line.startswith(f"dataset {DEMO_DATASET} v1: published, 6 studies") for line in lines)
    assert len(DatasetDir(ctx.state["dataset_dir"])) == 6
    # Six studies cannot certify 1%: the calibration split is as large as train allows, and the targets those it can.
    assert version.split_fractions == [0.5, 0.3, 0.2]
    assert version.calibration_sizing["target"] == 0.01 and not version.calibration_sizing["met"]
    assert any(line.startswith("calibration split 30% of 6 studies") and "so the demo certifies the targets" in line
               for line in lines)
    assert ctx.state["targets"] == [0.5]
    step_export(ctx)  # a second demo run shows the published version instead of exporting again
    assert DatasetVersion.objects.filter(name=DEMO_DATASET).count() == 1
