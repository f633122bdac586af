"""Model-run uploads stay within the RADCURATE_ZIP_* limits and refuse unsafe members before extracting anything;
a bad value in predictions.csv is a 400 naming the file, the column and the line."""

import io
import stat
import tarfile
import zipfile

import pandas as pd
import pytest
from django.core.files.storage import default_storage

from datasets.models import ModelRun, StudyPrediction
from tests.annotation.conftest import make_studies
from tests.datasets.test_model_runs import write_run
from tests.zip_bombs import BOMB_BYTES, lying_zip, peak_python_memory, tar_bomb, zip_bomb

pytestmark = pytest.mark.django_db


def _zip_run(run_dir, path, *, extra=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(run_dir.rglob("*")):
            if f.is_file():
                zf.write(f, f"run/{f.relative_to(run_dir)}")
        for name, data in (extra or {}).items():  # a name or a ZipInfo
            zf.writestr(name, data)
    return path


def _post(api, path):
    with open(path, "rb") as fh:
        return api.post("/api/datasets/runs/", {"file": fh}, format="multipart")


def _run_files() -> set[str]:
    return set(default_storage.listdir("runs")[0]) if default_storage.exists("runs") else set()


def _nothing_imported(before: set[str]) -> bool:
    return ModelRun.objects.count() == 0 and StudyPrediction.objects.count() == 0 and _run_files() == before


def test_a_zip_bomb_run_is_a_400_naming_the_member_and_limit(tmp_path, api_for):
    bomb = zip_bomb(tmp_path / "run.zip", member="run/embeddings.npy")
    before = _run_files()
    with peak_python_memory() as memory:
        answer = _post(api_for("trainer"), bomb)
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert "run.zip: member 'run/embeddings.npy'" in detail and "RADCURATE_ZIP_MAX_RATIO" in detail
    assert memory["peak"] < BOMB_BYTES / 20 and _nothing_imported(before)


def test_a_run_zip_that_lies_about_a_size_is_a_400(tmp_path, api_for):
    liar = lying_zip(tmp_path / "run.zip", member="run/predictions.csv", declared=2000)
    with peak_python_memory() as memory:
        answer = _post(api_for("trainer"), liar)
    assert answer.status_code == 400 and memory["peak"] < BOMB_BYTES / 20
    assert "member 'run/predictions.csv' holds more than the 2,000 bytes" in answer.json()["detail"]


def test_a_tar_bomb_run_is_a_400(tmp_path, api_for):
    answer = _post(api_for("trainer"), tar_bomb(tmp_path / "run.tar.gz"))
    assert answer.status_code == 400
    assert "member 'run/zeros.bin'" in answer.json()["detail"] and "RADCURATE_ZIP_MAX_RATIO" in answer.json()["detail"]


def test_too_many_members_is_a_400(tmp_path, api_for, settings):
    settings.RADCURATE_ZIP_MAX_MEMBERS = 4
    run = write_run(tmp_path / "r", [s.study_uid for s in make_studies(2)])
    answer = _post(api_for("trainer"), _zip_run(run, tmp_path / "run.zip"))
    assert answer.status_code == 400 and "RADCURATE_ZIP_MAX_MEMBERS" in answer.json()["detail"]


def _symlink_member() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("run/roc/link.png")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize("member, data, message", [
    ("../escaped.txt", "outside", "member '../escaped.txt' would be written outside"),
    ("run/../../escaped.txt", "outside", "would be written outside"),
    (_symlink_member(), "/etc/passwd", "member 'run/roc/link.png' is a symbolic link"),
])
def test_unsafe_members_are_refused_before_anything_is_written(tmp_path, api_for, member, data, message):
    run = write_run(tmp_path / "r", [s.study_uid for s in make_studies(2)])
    before = _run_files()
    answer = _post(api_for("trainer"), _zip_run(run, tmp_path / "run.zip", extra={member: data}))
    assert answer.status_code == 400 and message in answer.json()["detail"], answer.json()
    assert _nothing_imported(before)


def _tar_run(run_dir, path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(run_dir, arcname="run")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("column, values, message", [
    ("p_lacune", ["0.1", "abc", "0.2"], "predictions.csv line 3: p_lacune is 'abc', not a probability in [0, 1]."),
    ("p_lacune", ["0.1", "0.2", "nan"], "predictions.csv line 4: p_lacune is nan, not a probability in [0, 1]."),
    ("p_lacune", ["inf", "0.2", "0.3"], "predictions.csv line 2: p_lacune is inf, not a probability in [0, 1]."),
    ("p_subdural_hemorrhage", ["0.1", "-0.5", "0.3"], "line 3: p_subdural_hemorrhage is -0.5, not a probability"),
    ("referral_score", ["0.1", "0.2", "high"], "predictions.csv line 4: referral_score is 'high', not a finite"),
    ("reported", ["1", "yes", "0"], "predictions.csv line 3: reported is 'yes', not 0 or 1."),
    ("sd_lacune", ["0.1", "?", "0.2"], "predictions.csv line 3: sd_lacune is '?', not a spread of 0 or more."),
])
def test_a_bad_value_in_predictions_csv_is_a_400_naming_file_column_and_line(tmp_path, api_for, column, values,
                                                                           message):
    run = write_run(tmp_path / "r", [s.study_uid for s in make_studies(3)])
    table = pd.read_csv(run / "predictions.csv", dtype=str)
    table[column] = values
    table.to_csv(run / "predictions.csv", index=False)
    answer = _post(api_for("trainer"), _tar_run(run, tmp_path / "run.tar.gz"))
    assert answer.status_code == 400 and message in answer.json()["detail"], answer.json()
    assert ModelRun.objects.count() == 0


def test_a_good_run_zip_still_imports(tmp_path, api_for):
    run = write_run(tmp_path / "r", [s.study_uid for s in make_studies(3)])
    answer = _post(api_for("trainer"), _zip_run(run, tmp_path / "run.zip"))
    assert answer.status_code == 201, answer.json()
    assert StudyPrediction.objects.filter(run_id=answer.json()["id"]).count() == 3
