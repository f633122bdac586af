"""Project-level checks: migrations complete, deploy checks clean, the demo runs, a real worker runs tasks."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

from frontend.demo import STEPS
from radcurate.celery import healthcheck

ROOT = settings.BASE_DIR


def _manage(*args, env_extra=None, timeout=600):
    # Leave out what the suite itself set (the browser tests allow async-unsafe calls, for example).
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_check_deploy_reports_no_issues_with_production_like_settings(tmp_path):
    result = _manage("check", "--deploy", env_extra={
        "RADCURATE_DATA_DIR": str(tmp_path), "DEBUG": "0", "RADCURATE_HTTPS": "1",
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "radcurate.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/radcurate",
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "security." not in result.stdout + result.stderr


def test_secret_key_is_generated_once_into_the_data_dir(tmp_path):
    env = {"RADCURATE_DATA_DIR": str(tmp_path)}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _manage("shell", "--no-imports", "-c", code, env_extra=env).stdout.strip()
    second = _manage("shell", "--no-imports", "-c", code, env_extra=env).stdout.strip()
    assert first and first == second == (tmp_path / "secret_key").read_text()
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_demo_runs_the_pipeline_on_sqlite_in_a_fresh_data_dir(tmp_path):
    result = _manage("demo", "--no-serve", "--quick",
                     env_extra={"RADCURATE_DATA_DIR": str(tmp_path), "RADCURATE_DEMO": "1"})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (tmp_path / "radcurate.sqlite3").exists()
    for role in ("admin", "curator", "trainer", "radiologist"):
        assert f"user demo-{role}" in result.stdout
    assert "taxonomy head-ct v1: published, 30 findings (35 traits with the 5 subtypes)" in result.stdout
    # Every capability's step ran, in data-flow order.
    steps = [re.sub(r" \(\d+/\d+\)$", "", line[3:]) for line in result.stdout.splitlines()
             if re.match(r"== .* \(\d+/\d+\)$", line)]
    assert steps == [step.__name__.removeprefix("step_") for step in STEPS]
    assert steps[:5] == ["migrate", "users", "taxonomy", "cohort", "ingest"]
    order = ["ingest", "remote_pixels", "reports", "report_feeds", "annotation", "export", "training",
             "active_learning", "label_audit"]
    assert [steps.index(s) for s in order] == sorted(steps.index(s) for s in order)
    # Each step says how long it took, and the list of steps with their times closes the demo.
    assert all(f"   {step} took " in result.stdout for step in steps)
    table = result.stdout.split("== steps and their times\n", 1)[1].splitlines()
    assert [line.split()[0] for line in table[:len(steps)]] == steps and table[len(steps)].split()[0] == "total"
    for evidence in ("cohort of 36 studies", "ingest: accepted", "mining run 1", "reads submitted",
                     "published, ", "selective reporting on test", "study predictions; strategy",
                     "intracranial_hemorrhage by site", "intracranial_hemorrhage by age_band"):
        assert evidence in result.stdout, evidence
    # The run page says in one sentence what was certified, or plainly why nothing was (36 studies: a coin toss;
    # tests/frontend/test_demo_certification.py checks the demo-sized split certifies a nonzero coverage).
    said = _run_page_certificate({"RADCURATE_DATA_DIR": str(tmp_path), "RADCURATE_DEMO": "1"})
    assert re.fullmatch(r"certified: CSMR below \d+% at [\d.]+% coverage, 95% confidence", said) and \
        not said.endswith(" at 0.0% coverage, 95% confidence") or said.startswith("not certified: no threshold "), said
    assert any(line.startswith(said.split(":")[0] + ": ") for line in result.stdout.splitlines())  # the demo says it too


def _run_page_certificate(env: dict) -> str:
    """The run page's certificate sentence, as demo-trainer sees it on the demo's database."""
    code = ("import re; from django.contrib.auth.models import User; from django.test import Client; "
            "from datasets.models import ModelRun; client = Client(); "
            "client.force_login(User.objects.get(username='demo-trainer')); "
            "html = client.get(f'/runs/{ModelRun.objects.get().pk}/').content.decode(); "
            "print(re.search(r'<p id=\"certified\"[^>]*><strong>([^<]*)</strong>', html).group(1))")
    result = _manage("shell", "--no-imports", "-c", code, env_extra=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


def test_demo_refuses_outside_demo_mode(tmp_path):
    result = _manage("demo", "--no-serve", env_extra={"RADCURATE_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0 and "RADCURATE_DEMO=1" in result.stderr


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_through_redis(celery_worker):
    result = healthcheck.delay()
    assert result.get(timeout=60) == {"database": "postgresql", "ok": True}
    assert result.id in celery_worker["log"].read_text()
