"""Shared fixtures: users per role, API clients, isolated file storage, and a real Celery worker."""

import importlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.roles import ROLES
from radcurate.celery import app as celery_app

PASSWORD = "a-long-test-password-1"


@pytest.fixture(scope="session")
def test_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("radcurate-data")


@pytest.fixture(autouse=True)
def _isolated_storage(settings, test_data_dir):
    """Every test writes files under a temporary data dir, never the developer's var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(test_data_dir / "storage")}},
    }


def restore_migration_data() -> None:
    """Re-run the data migrations (roles and grants, default taxonomy, default mapping set) when a committing
    test's flush has removed what they created."""
    from django.apps import apps

    from curation.models import Taxonomy
    from reports_nlp.models import MappingSet

    def migration(name):
        return importlib.import_module(name)

    if not Taxonomy.objects.filter(name="head-ct", version=1).exists():
        curation_data = migration("curation.migrations.0002_roles_and_default_taxonomy")
        curation_data.create_roles(apps, None)
        curation_data.load_default_taxonomy(apps, None)
        migration("annotation.migrations.0002_roles_and_immutability").grant(apps, None)
        migration("datasets.migrations.0002_role_permissions").grant(apps, None)
        migration("datasets.migrations.0004_model_run_permissions").grant(apps, None)
    if not MappingSet.objects.filter(version=1).exists():
        reports_data = migration("reports_nlp.migrations.0002_roles_and_default_mapping_set")
        reports_data.create_permissions(apps, None)
        reports_data.load_default_mapping_set(apps, None)
        migration("reports_nlp.migrations.0003_mapping_normal_implies_chronic").backfill_default_set(apps, None)


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Committing tests (transaction=True, live server) run after the others and each ends with a flush."""
    marker = request.node.get_closest_marker("django_db")
    committing = (marker is not None and marker.kwargs.get("transaction")) or (
        {"transactional_db", "live_server"} & set(request.fixturenames))
    if committing:
        request.getfixturevalue("transactional_db")
        restore_migration_data()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Nearly every test makes users; the production hasher's PBKDF2 rounds cost about 0.3 s a password here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process unless a test asks for the real worker."""
    eager = "celery_worker" not in request.fixturenames
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


def make_user(username: str, *roles: str, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    # get_or_create: a committing (transactional) test's flush removes the groups the migrations made.
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles])
    return user


@pytest.fixture
def users(db) -> dict[str, User]:
    """One user per role, named after it."""
    return {role: make_user(role, role) for role in ROLES}


@pytest.fixture
def api_for(users):
    """api_for("curator") -> an APIClient authenticated with that role's token (None: anonymous)."""

    def client(role: str | None) -> APIClient:
        api = APIClient()
        if role is not None:
            token, _ = Token.objects.get_or_create(user=users[role])
            api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return client


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("The real-worker tests need PostgreSQL: set DATABASE_URL (make test does).")
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{db.get('USER') or 'postgres'}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, test_data_dir):
    """A real `celery worker` process on Redis, consuming a private queue, using the test database."""
    broker = settings.CELERY_BROKER_URL or "redis://127.0.0.1:6379/0"
    queue = f"test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "SECRET_KEY": settings.SECRET_KEY,
        "RADCURATE_DEID_KEY": settings.RADCURATE_DEID_KEY,
        "RADCURATE_DATA_DIR": str(test_data_dir),
    }
    log_path = test_data_dir / f"worker-{queue}.log"
    log = open(log_path, "w")  # noqa: SIM115  (kept open for the worker's life)
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "radcurate", "worker", "--pool=solo", "-Q", queue,
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    conf = celery_app.conf
    saved = (conf.broker_url, conf.result_backend, conf.task_default_queue)
    conf.broker_url, conf.result_backend, conf.task_default_queue = broker, broker, queue
    # Eager tasks before this point may have opened the connection pool on another broker: start afresh.
    celery_app._after_fork()
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield {"queue": queue, "log": log_path, "process": proc}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        conf.broker_url, conf.result_backend, conf.task_default_queue = saved
