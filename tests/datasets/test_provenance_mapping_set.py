"""A dataset's provenance names the mapping set of the mining run that ranked its candidates."""

import pytest

from datasets.services.export import _mapping_set
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.services.mining import mining_run_create
from reports_nlp.services.mining_local import mining_run_process_locally
from reports_nlp.services.report_import import report_import_file
from tests.reports_nlp.conftest import csv_bytes, report_rows

pytestmark = pytest.mark.django_db


def test_provenance_records_the_latest_finished_mining_runs_mapping_set():
    assert _mapping_set() is None  # nothing mined yet: said so, not guessed
    report_import_file(data=csv_bytes(report_rows()), name="r.csv")
    run = mining_run_process_locally(run=mining_run_create(mapping_set=mapping_set_get(), chunk_size=10))
    assert _mapping_set() == {"version": 1, "mining_run": run.pk}
