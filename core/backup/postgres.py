"""pg_dump and pg_restore against the deployment's database, with their versions checked first.

The client tools come from the OS (Debian's postgresql-client); a pg_dump older than the server refuses to dump
it, and a mismatch found half way through a restore is worse than one named before anything is touched.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.db import connection

from core.backup.layout import BackupError


def _environment() -> dict[str, str]:
    """libpq's variables: the password never appears on a command line (ps shows those)."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGUSER": db.get("USER") or "postgres"}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _tool(name: str) -> str:
    if connection.vendor != "postgresql":
        raise BackupError(f"backup and restore need PostgreSQL (DATABASE_URL); this deployment uses {connection.vendor}")
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: apt-get install postgresql-client)")
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    client_major = int(re.search(r"\)\s+(\d+)", version).group(1))  # "pg_dump (PostgreSQL) 15.20 (Debian ...)"
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    if client_major < server_major:
        raise BackupError(f"{name} is version {client_major} but the server is PostgreSQL {server_major}: install "
                          f"postgresql-client-{server_major} (Debian) and put it first on PATH")
    return path


def server_version() -> str:
    connection.ensure_connection()
    return f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"


def dump(target: Path) -> None:
    """One consistent snapshot of every table (pg_dump runs in a single repeatable-read transaction)."""
    result = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file",
                             str(target)], env=_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def restore(source: Path) -> None:
    """Load a dump into the (emptied) database in one transaction: it loads whole or not at all."""
    result = subprocess.run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction",
                             "--exit-on-error", "--dbname", connection.settings_dict["NAME"], str(source)],
                            env=_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed, the database is unchanged: {result.stderr.strip()}")


def empty_database() -> None:
    """Empty the database of a deployment that `migrate` set up but nobody used, so the dump loads as it was:
    tables (their indexes, triggers and owned sequences go with them), other sequences and views, functions."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT format('DROP %s IF EXISTS %I.%I CASCADE',
                          CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                         WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, n.nspname, c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
              -- an identity or owned sequence goes with its table
              AND NOT EXISTS (SELECT 1 FROM pg_depend d
                              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
            UNION ALL
            SELECT format('DROP FUNCTION IF EXISTS %s CASCADE', p.oid::regprocedure)
            FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace""")
        for (statement,) in cursor.fetchall():
            cursor.execute(statement)
