"""Inserts of plain rows in one statement, for the reader's critical path: a submit writes a read's 35 labels, and
a study's last read its 35 consensus rows.

Why not bulk_create: it builds a model instance per row and prepares each value through it, which cost more
than PostgreSQL took to store the rows (docs/performance.md). On PostgreSQL the rows go as one
`INSERT ... SELECT * FROM UNNEST(typed arrays)` (the statement bulk_create itself sends there), each value
prepared by its field as the ORM would; elsewhere (the SQLite quickstart) bulk_create does it.
"""

from collections.abc import Sequence

from django.db import connection


def insert_rows(
    model, columns: Sequence[str], rows: list[tuple], *, unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
) -> None:
    """Insert `rows` (tuples in `columns` order; attnames such as read_id) into `model`'s table. With
    `unique_fields`, a row that conflicts there updates its `update_fields` instead (an upsert).

    Auto fields (auto_now) get no value here: give them one in `columns`.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        upsert = {"update_conflicts": True, "unique_fields": unique_fields, "update_fields": update_fields}
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows],
                                  **(upsert if unique_fields else {}))
        return
    fields = [model._meta.get_field(name) for name in columns]
    arrays = [[field.get_db_prep_save(value, connection) for value in values]
              for field, values in zip(fields, zip(*rows, strict=True), strict=True)]
    # Types without their length (varchar, not varchar(16)), as Django's own UNNEST insert: nothing is truncated.
    unnest = ", ".join(f"(%s)::{field.db_type(connection).split('(')[0]}[]" for field in fields)
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"SELECT * FROM UNNEST({unnest})")
    if unique_fields:
        conflict = ", ".join(quote(model._meta.get_field(name).column) for name in unique_fields)
        sets = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in (model._meta.get_field(n).column
                                                                    for n in update_fields))
        sql += f" ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
