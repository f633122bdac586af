"""Upgrading from the previous release (tag v0.1.0): its own code builds a demo deployment, this release
migrates it, and no row or dataset file is lost (the fixture is in conftest.py)."""

from datasets.export.manifest import read_manifest, verify
from tests.deployments import checked, manage, query

from .conftest import KEPT_AS_THEY_WERE

# Tables a migration may add rows to: permissions and content types of new models, the migrations applied.
GROW = {"auth_permission", "auth_group_permissions", "django_content_type", "django_migrations"}


def test_the_previous_release_is_behind_this_one(upgraded_deployment):
    before, after = upgraded_deployment.tables_before, upgraded_deployment.tables_after
    assert before["django_migrations"] < after["django_migrations"]
    assert set(after) > set(before)  # new tables (DICOM nodes, Dawid-Skene runs, recompute jobs)


def test_no_table_loses_a_row(upgraded_deployment):
    before, after = upgraded_deployment.tables_before, upgraded_deployment.tables_after
    assert {t: (n, after.get(t)) for t, n in before.items() if t not in GROW and after.get(t) != n} == {}
    assert all(after[t] >= before[t] for t in GROW)
    for table in ("curation_study", "curation_identitylink", "annotation_read", "annotation_consensus",
                  "datasets_datasetversion"):
        assert before[table] > 0, table


def test_rows_are_kept_as_they_were(upgraded_deployment):
    pairs = zip(KEPT_AS_THEY_WERE, upgraded_deployment.rows_before, upgraded_deployment.rows_after, strict=True)
    for statement, old, new in pairs:
        assert new == old, statement


def test_the_previous_release_datasets_verify_and_nothing_is_left_to_migrate(upgraded_deployment):
    database, data_dir = upgraded_deployment.database, upgraded_deployment.data_dir
    for name, version in query(database, "SELECT name, version FROM datasets_datasetversion"):
        directory = data_dir / "datasets" / name / f"v{version}"
        assert verify(directory, read_manifest(directory)) == []
    plan = checked(manage("migrate", "--plan", database_url=database, data_dir=data_dir))
    assert "No planned migration operations." in plan
