"""Bulk writes of mining results as plain tuples: COPY on PostgreSQL, bulk_create elsewhere (SQLite quickstart).

Why not bulk_create everywhere: for a chunk of 2,000 reports (~30,000 finding rows) bulk_create spent
more time building model objects and compiling per-value SQL (about 10 s here) than mining the chunk;
COPY streams the same tuples in a fraction of that, inside the chunk's transaction.
"""

from collections.abc import Sequence

from django.db import connection

WRITE_BATCH = 5000


def write_rows(model, columns: Sequence[str], rows: list[tuple]) -> int:
    """Insert `rows` (tuples in `columns` order, attnames such as run_id) into `model`'s table."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(model._meta.get_field(c.removesuffix("_id")).column)
                          if c.endswith("_id") else connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return len(rows)
    model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=WRITE_BATCH)
    return len(rows)
