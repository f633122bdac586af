"""A deployment made by the previous release and upgraded to this one: the upgrade test checks the upgrade, the
backup test backs it up and restores it (one demo run serves both; it is the slow part)."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deployments import checked, manage, previous_release_tree, query, scratch_database, table_counts

# Rows compared before and after the upgrade, and between a deployment and its restored backup.
KEPT_AS_THEY_WERE = [
    "SELECT id, study_uid, patient_id FROM curation_study ORDER BY id",
    "SELECT study_id, original_patient_id, original_accession, date_shift_days FROM curation_identitylink ORDER BY 1",
    "SELECT id, assignment_id, status FROM annotation_read ORDER BY id",
    "SELECT * FROM annotation_readlabel ORDER BY id",
    "SELECT id, campaign_study_id, trait_id, label FROM annotation_consensus ORDER BY id",
    "SELECT name, version, status, content_hash FROM datasets_datasetversion ORDER BY id",
]


@dataclass
class Upgraded:
    database: str
    data_dir: Path
    tables_before: dict[str, int]
    tables_after: dict[str, int]
    rows_before: list[list[tuple]]
    rows_after: list[list[tuple]]


@pytest.fixture(scope="session")
def upgraded_deployment(tmp_path_factory):
    """The previous release's demo (its own code and migrations), then `migrate` by this release."""
    root = tmp_path_factory.mktemp("upgrade")
    previous = previous_release_tree(root / "previous")
    data_dir = root / "data"
    with scratch_database("upgrade") as database:
        checked(manage("demo", "--quick", "--no-serve", database_url=database, data_dir=data_dir, cwd=previous))
        tables_before = table_counts(database)
        rows_before = [query(database, statement) for statement in KEPT_AS_THEY_WERE]
        checked(manage("migrate", database_url=database, data_dir=data_dir))
        yield Upgraded(database=database, data_dir=data_dir, tables_before=tables_before,
                       tables_after=table_counts(database), rows_before=rows_before,
                       rows_after=[query(database, statement) for statement in KEPT_AS_THEY_WERE])
