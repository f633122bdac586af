"""Bulk writes of plain tuples, for the hot paths: a read's labels and a study's consensus (UNNEST insert), a
mining chunk's findings and an ingest batch's instance rows (COPY). The SQLite quickstart gets bulk_create.

Why not bulk_create on PostgreSQL: it builds a model instance per row and prepares each value through it,
which cost more than PostgreSQL took to store the rows (docs/performance.md): for a 2,000-report mining
chunk about 10 s, more than mining it; for a 35-label submit most of the statement's time.
"""

import json
from collections.abc import Sequence

from django.db import connection
from django.db.models import JSONField
from psycopg import sql

FALLBACK_BATCH = 5000


def _fields(model, columns: Sequence[str]) -> list:
    """The model's fields for `columns`, given as attnames (read_id) or names (read)."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname.get(name) or model._meta.get_field(name) for name in columns]


def _bulk_create(model, columns: Sequence[str], rows: list[tuple], **options) -> None:
    model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows],
                              batch_size=FALLBACK_BATCH, **options)


def insert_rows(
    model, columns: Sequence[str], rows: list[tuple], *, unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
) -> None:
    """Insert `rows` (tuples in `columns` order) into `model`'s table in one statement. With `unique_fields`,
    a row that conflicts there updates its `update_fields` instead (an upsert).

    On PostgreSQL: `INSERT ... SELECT * FROM UNNEST(typed arrays)`, the statement bulk_create itself sends
    there, each value prepared by its field as the ORM would. Auto fields (auto_now) get no value here: give
    them one in `columns`.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        upsert = {"update_conflicts": True, "unique_fields": unique_fields, "update_fields": update_fields}
        _bulk_create(model, columns, rows, **(upsert if unique_fields else {}))
        return
    fields = _fields(model, columns)
    arrays = [[field.get_db_prep_save(value, connection) for value in values]
              for field, values in zip(fields, zip(*rows, strict=True), strict=True)]
    # Types without their length (varchar, not varchar(16)), as Django's own UNNEST insert: nothing is truncated.
    unnest = ", ".join(f"(%s)::{field.db_type(connection).split('(')[0]}[]" for field in fields)
    quote = connection.ops.quote_name
    statement = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
                 f"SELECT * FROM UNNEST({unnest})")
    if unique_fields:
        conflict = ", ".join(quote(f.column) for f in _fields(model, unique_fields))
        sets = ", ".join(f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in _fields(model, update_fields))
        statement += f" ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        cursor.execute(statement, arrays)


def copy_rows(model, columns: Sequence[str], rows: list[tuple]) -> int:
    """Stream `rows` (tuples in `columns` order) into `model`'s table; returns how many.

    On PostgreSQL by COPY, inside the caller's transaction; a row that breaks a constraint raises Django's
    IntegrityError and none of the rows is stored. JSON fields take Python values, as the ORM does.
    """
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        _bulk_create(model, columns, rows)
        return len(rows)
    fields = _fields(model, columns)
    as_json = [isinstance(f, JSONField) for f in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(sql.Identifier(f.column) for f in fields))
    # psycopg's copy is not wrapped by Django's cursor: wrap_database_errors makes a conflict an IntegrityError.
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if j and v is not None else v for j, v in zip(as_json, row, strict=True)])
    return len(rows)


def update_rows(model, columns: Sequence[str], rows: list[tuple]) -> None:
    """Set `columns` of existing rows from `rows` (tuples of the primary key, then the values in `columns` order).

    On PostgreSQL one `UPDATE ... FROM UNNEST(typed arrays)` joined on the key. Why not bulk_update: it writes a
    CASE WHEN per column with one branch per row of its batch, so each row is matched against the whole batch;
    storing a Dawid–Skene fit (a million consensus rows at the paper's size) took minutes for that alone.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        pk = model._meta.pk.attname
        objs = [model(**{pk: row[0]}, **dict(zip(columns, row[1:], strict=True))) for row in rows]
        model.objects.bulk_update(objs, list(columns), batch_size=FALLBACK_BATCH)
        return
    fields = [model._meta.pk, *_fields(model, columns)]
    arrays = [[field.get_db_prep_save(value, connection) for value in values]
              for field, values in zip(fields, zip(*rows, strict=True), strict=True)]
    quote = connection.ops.quote_name
    names = [f"c{i}" for i in range(len(fields))]
    unnest = ", ".join(f"(%s)::{field.db_type(connection).split('(')[0]}[]" for field in fields)
    sets = ", ".join(f"{quote(f.column)} = u.{name}" for f, name in zip(fields[1:], names[1:], strict=True))
    statement = (f"UPDATE {quote(model._meta.db_table)} t SET {sets} FROM UNNEST({unnest}) AS u({', '.join(names)})"
                 f" WHERE t.{quote(fields[0].column)} = u.c0")
    with connection.cursor() as cursor:
        cursor.execute(statement, arrays)
