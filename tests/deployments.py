"""Whole deployments for the backup, restore and upgrade tests: a scratch database and data dir each, driven
through manage.py in a child process (settings read DATABASE_URL and the data dir once per process)."""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from django.conf import settings
from psycopg import sql

ROOT = Path(settings.BASE_DIR)
DEID_KEY = "radcurate-test-suite-key"


def _server_url(database: str) -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("The deployment tests need PostgreSQL: set DATABASE_URL (make test does).")
    return f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{database}"


@contextlib.contextmanager
def scratch_database(label: str):
    """A new, empty database named after the test database (so parallel suites never share one); dropped after."""
    name = f"{settings.DATABASES['default']['NAME']}_{label}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _server_url(name)
    finally:
        with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage(*args, database_url: str, data_dir: Path, cwd: Path = ROOT, env_extra=None, timeout=900):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY"}}
    env.update({"DATABASE_URL": database_url, "RADCURATE_DATA_DIR": str(data_dir), "CELERY_BROKER_URL": "",
                "RADCURATE_DEID_KEY": DEID_KEY, "RADCURATE_DEMO": "1", **(env_extra or {})})
    env.pop("RADCURATE_DATASETS_DIR", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def checked(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout


def table_counts(database_url: str) -> dict[str, int]:
    """Rows of every table in the public schema."""
    with psycopg.connect(database_url) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
                for table in tables}


def query(database_url: str, statement: str) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(statement).fetchall()


# The release before this one (tag v0.1.0), named by commit so that a clone without tags has it too.
PREVIOUS_RELEASE = "1b54092a1dfdaa165639e24930ab1922ee1ff5be"


def previous_release_tree(dest: Path) -> Path:
    """The previous release's files (code and migrations), taken from git history."""
    import tarfile

    archive = dest.parent / f"{dest.name}.tar"
    result = subprocess.run(["git", "archive", "--format=tar", "-o", str(archive), PREVIOUS_RELEASE], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, (f"the upgrade test needs the git history with commit {PREVIOUS_RELEASE} "
                                    f"(tag v0.1.0): {result.stderr}")
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    return dest
