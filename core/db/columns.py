"""A query's integer columns as numpy arrays in one round trip, for statistics over a whole campaign's labels.

Why: a campaign at the paper's size has 3 million read labels. Iterating them as ORM rows (a tuple and a few
Python ints per row, fetched 100 at a time) took longer than the statistics computed from them. On PostgreSQL
the query runs as a subquery aggregated to one array per column, so the server sends one row and psycopg
builds the lists in C. The SQLite quickstart iterates the rows.
"""

from collections.abc import Sequence

import numpy as np
from django.db import connection
from django.db.models import QuerySet


def query_columns(queryset: QuerySet, fields: Sequence[str]) -> list[np.ndarray]:
    """The `fields` (names or expressions' aliases of `queryset`, all integers, no NULLs) of every row,
    one int64 array per field, in the same row order."""
    rows = queryset.order_by().values_list(*fields)  # the statistics need no order: no sort of millions of rows
    if connection.vendor != "postgresql":
        columns = list(zip(*rows, strict=True)) or [()] * len(fields)
        return [np.array(column, dtype=np.int64) for column in columns]
    sql, params = rows.query.sql_with_params()
    names = [f"c{i}" for i in range(len(fields))]
    arrays = ", ".join(f"coalesce(array_agg(q.{name}), '{{}}')" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {arrays} FROM ({sql}) AS q({', '.join(names)})", params)
        values = cursor.fetchone()
    return [np.array(column, dtype=np.int64) for column in values]
