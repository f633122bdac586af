"""Transaction-scoped advisory locks on names, for get-or-create races a unique constraint alone cannot settle.

A unique constraint keeps a row from being doubled, but two transactions that both find a key missing both
go on as its creator (both announce a new study, say). Holding the key's advisory lock from the existence
check to the commit makes one of them wait and then find the other's committed row. PostgreSQL only: SQLite
runs one writing transaction at a time, so there is nothing to lock.
"""

from collections.abc import Iterable

from django.db import connection


def advisory_xact_lock(namespace: str, keys: Iterable[str]) -> None:
    """Lock `namespace:key` for each key until the transaction ends; in one sorted order, so two
    transactions locking overlapping keys wait for each other instead of deadlocking."""
    if connection.vendor != "postgresql":
        return
    names = sorted({f"{namespace}:{key}" for key in keys})
    if not names:
        return
    with connection.cursor() as cursor:
        # 64-bit hashes: two names sharing one only make their transactions wait for each other.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(n, 0) AS h "
            "FROM unnest(%s::text[]) AS n ORDER BY h) AS ordered", [names])
