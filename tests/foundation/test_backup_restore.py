"""manage.py backup and restore: a demo deployment backed up and restored into a new, empty one comes back whole.

The source is the previous release's demo upgraded to this release (conftest.py). The restore target is migrated
first, as `docker compose up` leaves it (the one-shot migrate service), so the restore also proves it replaces
what migrate made in an unused database.
"""

import shutil

import pytest

from datasets.export.manifest import read_manifest, verify
from tests.deployments import checked, manage, query, scratch_database, table_counts

from .conftest import KEPT_AS_THEY_WERE

# What the demo makes and a restore must bring back: archive, linkage (PHI), reads, consensus, datasets.
MUST_HOLD = ["curation_study", "curation_instance", "curation_identitylink", "annotation_read",
             "annotation_readlabel", "annotation_consensus", "annotation_adjudicationtask",
             "datasets_datasetversion", "datasets_modelrun", "reports_nlp_report", "auth_user"]


@pytest.fixture(scope="module")
def restored(upgraded_deployment, tmp_path_factory):
    """(source url, restored url, backup dir, restored data dir, restore's output)."""
    root = tmp_path_factory.mktemp("backup")
    backup_dir, target_dir = root / "backup", root / "target"
    source, source_dir = upgraded_deployment.database, upgraded_deployment.data_dir
    with scratch_database("bk_target") as target:
        checked(manage("backup", str(backup_dir), database_url=source, data_dir=source_dir))
        checked(manage("migrate", database_url=target, data_dir=target_dir))
        output = checked(manage("restore", str(backup_dir), database_url=target, data_dir=target_dir))
        yield source, target, backup_dir, target_dir, output


def test_every_table_comes_back_with_every_row(restored):
    source, target, *_ = restored
    before, after = table_counts(source), table_counts(target)
    assert after == before
    assert all(before[table] > 0 for table in MUST_HOLD), {table: before[table] for table in MUST_HOLD}


def test_rows_come_back_as_they_were(restored):
    source, target, *_ = restored
    for statement in [*KEPT_AS_THEY_WERE, "SELECT * FROM annotation_consensus ORDER BY id",
                      "SELECT * FROM curation_identitylink ORDER BY id", "SELECT * FROM auth_user ORDER BY id"]:
        assert query(target, statement) == query(source, statement), statement


def test_dataset_files_still_match_their_manifest(restored):
    _, target, _, target_dir, _ = restored
    versions = query(target, "SELECT name, version FROM datasets_datasetversion WHERE status = 'published'")
    assert versions
    for name, version in versions:
        directory = target_dir / "datasets" / name / f"v{version}"
        assert verify(directory, read_manifest(directory)) == []


def test_stored_instances_come_back(restored):
    _, target, _, target_dir, _ = restored
    paths = [row[0] for row in query(target, "SELECT storage_path FROM curation_instance")]
    assert paths and all((target_dir / "storage" / path).is_file() for path in paths)


def test_the_key_is_left_out_and_the_backup_is_private(restored):
    _, _, backup_dir, _, _ = restored
    assert not (backup_dir / "deid_key").exists()
    assert oct(backup_dir.stat().st_mode & 0o777) == "0o700"
    assert "radcurate-test-suite-key" not in (backup_dir / "manifest.json").read_text()


def test_restore_refuses_a_deployment_that_holds_data(restored):
    _, target, backup_dir, target_dir, _ = restored
    result = manage("restore", str(backup_dir), database_url=target, data_dir=target_dir)
    assert result.returncode != 0
    assert "refusing to restore into a deployment that holds data" in result.stderr
    assert "user accounts" in result.stderr and f"{target_dir / 'storage'}" in result.stderr


def test_restore_refuses_another_deid_key(restored, tmp_path):
    _, _, backup_dir, _, _ = restored
    with scratch_database("bk_key") as empty:
        result = manage("restore", str(backup_dir), database_url=empty, data_dir=tmp_path,
                        env_extra={"RADCURATE_DEID_KEY": "another-key"})
    assert result.returncode != 0 and "is not the key the backup's archive was de-identified with" in result.stderr
    assert "another-key" not in result.stderr


def test_restore_refuses_a_damaged_backup_before_touching_anything(restored, tmp_path):
    _, _, backup_dir, _, _ = restored
    damaged = tmp_path / "damaged"
    shutil.copytree(backup_dir, damaged)
    victim = next(p for p in sorted((damaged / "files" / "datasets").rglob("*")) if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"x")
    with scratch_database("bk_damaged") as empty:
        result = manage("restore", str(damaged), database_url=empty, data_dir=tmp_path / "data")
        assert table_counts(empty) == {}
    assert result.returncode != 0 and "is damaged" in result.stderr and victim.name in result.stderr
