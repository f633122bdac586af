"""/healthz says the process answers; /readyz says the database, Redis and storage take writes, naming what is down."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_healthz_answers_anyone_from_any_host(client):
    # A Kubernetes probe comes from the pod's IP, which is not in ALLOWED_HOSTS; it has no session either.
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_is_ready_when_everything_takes_writes(client, settings):
    settings.CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
    response = client.get("/readyz/", HTTP_HOST="10.1.2.3")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready" and body["down"] == []
    assert set(body["checks"]) == {"database", "broker", "storage", "datasets"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["broker"]["detail"].startswith("redis://127.0.0.1:")


@pytest.mark.django_db
def test_readyz_names_a_broker_that_is_down_without_its_password(client, settings):
    settings.CELERY_BROKER_URL = "redis://:s3cret-password@127.0.0.1:1/3"
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "not ready" and body["down"] == ["broker"]
    assert "redis://127.0.0.1:1/3" in body["checks"]["broker"]["error"]
    assert "s3cret" not in response.content.decode()
    assert body["checks"]["database"]["ok"] and body["checks"]["storage"]["ok"]


@pytest.mark.django_db
def test_readyz_names_storage_it_cannot_write(client, settings, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the storage folder should be")
    settings.STORAGES = {**settings.STORAGES, "default": {
        **settings.STORAGES["default"], "OPTIONS": {"location": str(blocker / "storage")}}}
    settings.RADCURATE_DATASETS_DIR = str(blocker / "datasets")
    body = client.get("/readyz").json()
    assert body["down"] == ["storage", "datasets"]
    assert "not-a-dir" in body["checks"]["storage"]["error"]


def test_readyz_names_a_database_that_is_down(tmp_path):
    # Its own process: the suite's connection is already open, and settings read DATABASE_URL once.
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/radcurate",
           "RADCURATE_DATA_DIR": str(tmp_path), "CELERY_BROKER_URL": ""}
    script = "import json; from core.health.checks import readiness; print(json.dumps(readiness()))"
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ready"] is False and report["down"] == ["database"]
    assert "127.0.0.1" in report["checks"]["database"]["error"]
    assert report["checks"]["broker"]["detail"] == "no broker configured: tasks run in-process"
