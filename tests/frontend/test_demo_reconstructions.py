"""The demo's reconstructions step: a thick reconstruction of a cohort study's axial series joins the same study as
a second axial series, the original stays the default, and nothing identifying is printed."""

import pytest

from curation.models import Study
from curation.services.archive import ingest_paths
from frontend.demo import DemoContext
from frontend.demo_series import step_reconstructions
from tests.frontend.conftest import write_ct_series

pytestmark = pytest.mark.django_db


def test_a_thick_reconstruction_joins_the_study_and_the_original_stays_the_default(tmp_path):
    write_ct_series(tmp_path / "cohort" / "dicom" / "ST00000" / "SE002_axial", n_slices=12, slice_mm=2.5, seed=3)
    ingest_paths([tmp_path / "cohort" / "dicom"], source="cli")
    lines = []
    ctx = DemoContext(data_dir=tmp_path / "demo", out=lines.append)
    ctx.state["cohort_dir"] = tmp_path / "cohort"
    step_reconstructions(ctx)
    study = Study.objects.get()
    axial = {s.series_number: s for s in study.series.filter(kind="axial")}
    assert sorted(axial) == [2, 4] and axial[4].n_instances == 6 and axial[4].slice_spacing == 5.0
    assert study.primary_series == axial[2]
    said = (f"reconstructions: study {study.pk} has 2 axial series: series 2 · 12 slices · 2.5 mm (default); "
            "series 4 · 6 slices · 5.0 mm; the reading page's series panel switches between them")
    assert lines == [said]
    assert not any(phi in lines[0] for phi in ("PID0003", "Doe", "ACC00003"))


def test_the_step_says_so_when_there_is_nothing_to_reconstruct(tmp_path):
    lines = []
    ctx = DemoContext(data_dir=tmp_path, out=lines.append)
    ctx.state["cohort_dir"] = tmp_path
    step_reconstructions(ctx)
    assert lines == ["reconstructions: no axial series to reconstruct"]
