"""The OpenAPI schema tells the truth: schemathesis fuzzes every operation of /api/schema/ as each role (and as no
one) against the app itself, and every answer, error statuses included, must be documented and match its schema.

The calls go through Django's WSGI handler inside the test's transaction (rolled back at the end), so mutating
operations are fuzzed too without leaving anything behind; nothing in the API talks to another host. Examples are
few and seeded (deterministic): the file runs in about a minute or two.
"""

import json

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from core.roles import ROLES
from radcurate.celery import app as celery_app

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
CONFIG = schemathesis.Config.from_dict({
    "seed": 20261206,
    "generation": {"max-examples": 5, "deterministic": True, "database": "none"},
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
})
# What cannot run under fuzzing, one reason each (DICOMweb is standard-defined and not in the schema at all).
EXCLUDED = {
    ("POST", "/api/auth/token/"): "takes a username and password, not a token: its answers are tested in test_auth",
}


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler runs without its per-request connection closing, which would end the test's
    transaction (Django's own test client leaves it out too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


FUZZ_USERS = {role: f"fuzz-{role}" for role in ROLES}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Real objects of every kind, committed once for the module (and flushed after it), so that fuzzed requests
    also reach existing campaigns, reads, runs and versions rather than only 404s: {path parameter: id} and tokens."""
    from annotation.services.campaigns import campaign_activate, campaign_add_studies, campaign_create
    from annotation.services.reads import read_submit
    from annotation.services.worklist import worklist_next
    from curation.models import IngestJob, Study, Taxonomy
    from datasets.services.model_runs import model_run_import
    from datasets.services.versions import dataset_version_create_and_export
    from reports_nlp.models import KeywordMapping, Report
    from reports_nlp.selectors.mapping_sets import mapping_set_get
    from reports_nlp.services.mining import mining_run_create
    from reports_nlp.services.mining_local import mining_run_process_locally
    from reports_nlp.services.report_import import report_import_file
    from tests.conftest import make_user, restore_migration_data
    from tests.datasets.platform_cohort import ingest_cohort, read_campaign, readers, truth_by_study_pk
    from tests.datasets.test_model_runs import write_run
    from tests.reports_nlp.conftest import csv_bytes, report_rows

    root = tmp_path_factory.mktemp("fuzz")
    overrides = override_settings(
        RADCURATE_DATASETS_DIR=str(root / "datasets"),
        STORAGES={**settings.STORAGES, "default": {**settings.STORAGES["default"],
                                                   "OPTIONS": {"location": str(root / "storage")}}},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    eager = celery_app.conf.task_always_eager
    with django_db_blocker.unblock(), overrides:
        celery_app.conf.task_always_eager = True
        try:
            restore_migration_data()
            users = {role: make_user(name, role) for role, name in FUZZ_USERS.items()}
            tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
            truth = ingest_cohort(root / "cohort", studies=4)
            studies = list(Study.objects.order_by("study_uid"))
            done = read_campaign("fuzz-read", studies, truth_by_study_pk(truth))
            taxonomy = Taxonomy.objects.get(name="head-ct", version=1)
            open_campaign = campaign_create(name="fuzz-open", taxonomy=taxonomy, readers=[users["radiologist"], *readers()],
                                            min_reads=2, max_reads=2, gold_every=0)
            campaign_add_studies(campaign=open_campaign, study_ids=[s.pk for s in studies])
            campaign_activate(campaign=open_campaign)
            submitted = worklist_next(reader=users["radiologist"], campaign=open_campaign)
            read = read_submit(reader=users["radiologist"], assignment=submitted, no_findings=True)
            reserved = worklist_next(reader=users["radiologist"], campaign=open_campaign)
            report_import_file(data=csv_bytes(report_rows()), name="fuzz.csv")
            mining = mining_run_process_locally(run=mining_run_create(mapping_set=mapping_set_get(), chunk_size=2))
            version = dataset_version_create_and_export(name="fuzz", campaign_ids=[done.pk])
            model_run = model_run_import(run_dir=write_run(root / "run", [s.study_uid for s in studies]))
            ids = {
                "campaign_id": open_campaign.pk, "study_id": studies[0].pk, "study_uid": studies[0].study_uid,
                "assignment_id": reserved.pk, "read_id": read.pk, "task_id": 0,
                "taxonomy_id": taxonomy.pk, "trait_id": taxonomy.traits.order_by("pk").first().pk,
                "job_id": IngestJob.objects.order_by("pk").values_list("pk", flat=True).first() or 0,
                "rejection_id": 0, "report_id": Report.objects.order_by("pk").first().pk,
                "version": mapping_set_get().version, "mapping_id": KeywordMapping.objects.order_by("pk").first().pk,
                "version_id": version.pk, "path": "manifest.json",
                "datasets_run_id": model_run.pk, "reports_run_id": mining.pk,
            }
            yield {"ids": ids, "tokens": {None: None, **tokens}}
        finally:
            celery_app.conf.task_always_eager = eager
            call_command("flush", interactive=False, verbosity=0)
            restore_migration_data()


def _seeded_path_parameters(case, ids: dict) -> dict:
    """The case's path parameters pointed at the seeded objects (`run_id`/`other_id` by the path's app)."""
    app_ids = {**ids, "run_id": ids["reports_run_id" if case.path.startswith("/api/reports/") else "datasets_run_id"]}
    app_ids["other_id"] = app_ids["version_id" if "/versions/" in case.path else "run_id"]
    return {name: app_ids.get(name, value) for name, value in case.path_parameters.items()}


def _schema():
    """The schema /api/schema/ serves, built once at collection (one test per operation follows from it)."""
    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(raw, config=CONFIG)
    loaded.app = WSGIHandler()
    for method, path in EXCLUDED:
        loaded = loaded.exclude(method=method, path=path)
    return loaded


# Built at import rather than through schemathesis.pytest.from_fixture, whose lazy loader does not run on pytest 9.
schema = _schema()


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_every_answer_is_documented(case, db, wsgi_app, seeded):
    """Each case as generated (mostly unknown ids) and, where the path names objects, aimed at the seeded ones,
    as each role and as no one."""
    variants = [dict(case.path_parameters)]
    if case.path_parameters:
        variants.append(_seeded_path_parameters(case, seeded["ids"]))
    for path_parameters in variants:
        case.path_parameters = path_parameters
        for token in seeded["tokens"].values():
            headers = {"Authorization": f"Token {token}"} if token else {}
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)
