"""Saliency maps travel with an imported run, and reach a reader only after their own read is submitted (API and
the slice images under them), in a campaign that shows predictions; a malformed saliency file refuses the run."""

import numpy as np
import pytest
from rest_framework.test import APIClient

from annotation.services.reads import read_submit
from annotation.services.worklist import worklist_next
from curation.models import Taxonomy
from datasets.models import ModelRun, StudySaliency
from datasets.services.model_runs import RunImportError, model_run_import
from tests.annotation.conftest import make_campaign, make_readers, make_studies
from tests.datasets.saliency_files import write_saliency
from tests.datasets.test_model_runs import write_run

pytestmark = pytest.mark.django_db


def test_import_keeps_each_map_as_float16_with_its_slices(tmp_path):
    studies = make_studies(2)
    run_dir = write_run(tmp_path / "run", [s.study_uid for s in studies])
    write_saliency(run_dir, [(s.study_uid, 6) for s in studies], {"intracranial_hemorrhage": 0.9, "lacune": 0.2})
    run = model_run_import(run_dir=run_dir)
    rows = StudySaliency.objects.filter(run=run, study=studies[1]).order_by("trait")
    assert [(r.trait, r.positions, r.rows, r.cols) for r in rows] == [
        ("intracranial_hemorrhage", list(range(6)), 4, 4), ("lacune", list(range(6)), 4, 4)]
    maps = np.frombuffer(bytes(rows[0].maps), dtype="<f2").reshape(6, 4, 4)
    assert maps[3, 3, 0] == 1.0 and maps.sum() == pytest.approx(1.5)


@pytest.mark.parametrize("breakage, message", [
    (lambda p, uids: (p / "saliency.npz").write_bytes(b"not a zip"), "saliency.npz: not a readable .npz"),
    (lambda p, uids: write_saliency(p, [("2.25.999999", 4)], {"lacune": 0.3}),
     "saliency.json: study 2.25.999999 has no row in predictions.csv"),
    (lambda p, uids: write_saliency(p, [(uids[0], 4)], {"not_a_trait": 0.3}), "no map"),
])
def test_a_malformed_saliency_file_refuses_the_run(tmp_path, breakage, message):
    uids = [s.study_uid for s in make_studies(3)]
    run_dir = write_saliency(write_run(tmp_path / "run", uids), [(u, 4) for u in uids], {"lacune": 0.3})
    breakage(run_dir, uids)
    with pytest.raises(RunImportError, match=message):
        model_run_import(run_dir=run_dir)
    assert ModelRun.objects.count() == 0 and StudySaliency.objects.count() == 0


def test_the_second_opinion_api_gives_maps_only_after_the_read(tmp_path):
    reader = make_readers(1)[0]
    study = make_studies(1)[0]
    campaign = make_campaign(Taxonomy.objects.get(name="head-ct", version=1), studies=[study],
                             readers=[reader, *make_readers(1)], show_predictions=True)
    run_dir = write_run(tmp_path / "run", [study.study_uid], [[0.9, 0.7, 0.1]])
    model_run_import(run_dir=write_saliency(run_dir, [(study.study_uid, 5)], {"intracranial_hemorrhage": 0.9}))
    api = APIClient()
    api.force_authenticate(reader)
    assignment = worklist_next(reader=reader, campaign=campaign)
    url = f"/api/datasets/second-opinion/{assignment.pk}/"
    before = api.get(url)
    assert before.status_code == 403 and "maps" not in before.content.decode()
    assert "after your own read" in before.json()["detail"]
    read_submit(reader=reader, assignment=assignment, labels={"intracranial_hemorrhage": "present"})
    after = api.get(url).json()
    [saliency] = after["saliency"]
    assert saliency["trait"] == "intracranial_hemorrhage" and saliency["peak_slice"] == 2
    assert saliency["shape"] == [4, 4] and len(saliency["maps"]) == 5 and saliency["maps"][2][3][0] == 1.0
