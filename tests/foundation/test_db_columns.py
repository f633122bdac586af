"""core.db.columns: a query's integer columns as numpy arrays, the PostgreSQL array form and the row-by-row form
(the SQLite quickstart's) giving the same arrays, empty queries included."""

import numpy as np
import pytest
from django.db import connection

from core.db.columns import query_columns
from curation.models import Trait
from tests.conftest import restore_migration_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_columns_equal_the_rows_in_either_form(monkeypatch, vendor):
    restore_migration_data()
    monkeypatch.setattr(connection, "vendor", vendor)
    traits = Trait.objects.filter(taxonomy__name="head-ct", taxonomy__version=1)
    ids, orders = query_columns(traits, ["id", "display_order"])
    rows = sorted(traits.values_list("id", "display_order"))
    assert ids.dtype == np.int64 and len(ids) == len(rows) == 35
    assert sorted(zip(ids.tolist(), orders.tolist(), strict=True)) == rows  # the same row in each position
    empty = query_columns(traits.filter(code="no such trait"), ["id", "display_order"])
    assert [a.tolist() for a in empty] == [[], []]
