"""Who may call what: every API operation in the OpenAPI schema, called as each role, answers as the role matrix
says (docs/annotation.md, "Who may call what"). A role left out is refused (401/403) before anything is looked up; a
role let in is never refused by role (it may get 400, 404 or 405 for the made-up ids and empty bodies used here);
no answer is a 5xx.

Ids in paths are ones that do not exist, so a refusal can only come from the role check, and an answer for a role
that is let in says nothing about any row.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from core.roles import ADMIN, CURATOR, RADIOLOGIST, TRAINER
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", RADIOLOGIST, CURATOR, TRAINER, ADMIN)
_LETTER = {"R": RADIOLOGIST, "C": CURATOR, "T": TRAINER, "A": ADMIN}

# (method, path) -> the roles let in besides admins (who hold every role): R radiologist, C curator, T trainer;
# "" admins only; "*" every role; "public" anyone, signed in or not. docs/annotation.md holds the same table for
# people, and the last test here keeps the two the same.
MATRIX = {
    ("POST", "/api/auth/token/"): "public",
    ("GET", "/api/annotation/adjudications/"): "R",
    ("GET", "/api/annotation/adjudications/{task_id}/"): "R",
    ("POST", "/api/annotation/adjudications/{task_id}/decide/"): "R",
    ("GET", "/api/annotation/assignments/"): "R",
    ("GET", "/api/annotation/assignments/{assignment_id}/"): "R",
    ("PUT", "/api/annotation/assignments/{assignment_id}/draft/"): "R",
    ("POST", "/api/annotation/assignments/{assignment_id}/release/"): "R",
    ("POST", "/api/annotation/assignments/{assignment_id}/submit/"): "R",
    ("GET", "/api/annotation/audit/"): "",
    ("GET", "/api/annotation/campaigns/"): "*",
    ("POST", "/api/annotation/campaigns/"): "C",
    ("GET", "/api/annotation/campaigns/{campaign_id}/"): "*",
    ("PATCH", "/api/annotation/campaigns/{campaign_id}/"): "C",
    ("POST", "/api/annotation/campaigns/{campaign_id}/activate/"): "C",
    ("GET", "/api/annotation/campaigns/{campaign_id}/agreement/"): "CT",
    ("GET", "/api/annotation/campaigns/{campaign_id}/assignments/"): "C",
    ("POST", "/api/annotation/campaigns/{campaign_id}/close/"): "C",
    ("GET", "/api/annotation/campaigns/{campaign_id}/consensus/"): "CT",
    ("GET", "/api/annotation/campaigns/{campaign_id}/dawid-skene/"): "C",
    ("POST", "/api/annotation/campaigns/{campaign_id}/dawid-skene/"): "C",
    ("GET", "/api/annotation/campaigns/{campaign_id}/dawid-skene/{run_id}/"): "C",
    ("POST", "/api/annotation/campaigns/{campaign_id}/next/"): "R",
    ("PUT", "/api/annotation/campaigns/{campaign_id}/pool/"): "C",
    ("GET", "/api/annotation/campaigns/{campaign_id}/priorities/"): "CT",
    ("POST", "/api/annotation/campaigns/{campaign_id}/priorities/"): "CT",
    ("GET", "/api/annotation/campaigns/{campaign_id}/progress/"): "*",
    ("GET", "/api/annotation/campaigns/{campaign_id}/readers/"): "C",
    ("GET", "/api/annotation/campaigns/{campaign_id}/studies/"): "CT",
    ("POST", "/api/annotation/campaigns/{campaign_id}/studies/"): "C",
    ("GET", "/api/annotation/campaigns/{campaign_id}/studies/{study_id}/consensus/"): "CT",
    ("GET", "/api/annotation/reads/"): "R",
    ("GET", "/api/annotation/reads/{read_id}/"): "RC",
    ("POST", "/api/annotation/reads/{read_id}/amend/"): "R",
    ("GET", "/api/annotation/worklist/"): "R",
    ("GET", "/api/archive/identity-links/"): "",
    ("GET", "/api/archive/jobs/"): "C",
    ("GET", "/api/archive/jobs/{job_id}/"): "C",
    ("GET", "/api/archive/nodes/"): "",
    ("POST", "/api/archive/nodes/"): "",
    ("DELETE", "/api/archive/nodes/{node_id}/"): "",
    ("PATCH", "/api/archive/nodes/{node_id}/"): "",
    ("GET", "/api/archive/rejections/"): "C",
    ("GET", "/api/archive/rejections/{rejection_id}/file/"): "",
    ("GET", "/api/archive/studies/"): "*",
    ("GET", "/api/archive/studies/{study_uid}/"): "*",
    ("POST", "/api/archive/uploads/"): "C",
    ("PUT", "/api/datasets/campaigns/{campaign_id}/active-learning/"): "CT",
    ("GET", "/api/datasets/runs/"): "CT",
    ("POST", "/api/datasets/runs/"): "T",
    ("GET", "/api/datasets/runs/{run_id}/"): "CT",
    ("GET", "/api/datasets/runs/{run_id}/compare/{other_id}/"): "CT",
    ("GET", "/api/datasets/runs/{run_id}/recompute/"): "CT",
    ("POST", "/api/datasets/runs/{run_id}/recompute/"): "CT",
    ("GET", "/api/datasets/second-opinion/{assignment_id}/"): "R",
    ("GET", "/api/datasets/versions/"): "CT",
    ("POST", "/api/datasets/versions/"): "T",
    ("GET", "/api/datasets/versions/{version_id}/"): "CT",
    ("GET", "/api/datasets/versions/{version_id}/archive.tar"): "CT",
    ("GET", "/api/datasets/versions/{version_id}/diff/{other_id}/"): "CT",
    ("POST", "/api/datasets/versions/{version_id}/export/"): "T",
    ("GET", "/api/datasets/versions/{version_id}/files/"): "CT",
    ("GET", "/api/datasets/versions/{version_id}/files/{path}"): "CT",
    ("GET", "/api/me/"): "*",
    ("GET", "/api/reports/"): "C",
    ("GET", "/api/reports/{report_id}/"): "C",
    ("GET", "/api/reports/candidates/"): "C",
    ("GET", "/api/reports/candidates/counts/"): "C",
    ("GET", "/api/reports/candidates/studies/"): "C",
    ("POST", "/api/reports/import/"): "C",
    ("POST", "/api/reports/fhir/"): "C",
    ("GET", "/api/reports/senders/"): "",
    ("POST", "/api/reports/senders/"): "",
    ("DELETE", "/api/reports/senders/{sender_id}/"): "",
    ("PATCH", "/api/reports/senders/{sender_id}/"): "",
    ("GET", "/api/reports/mapping-sets/"): "*",
    ("GET", "/api/reports/mapping-sets/{version}/"): "*",
    ("POST", "/api/reports/mapping-sets/{version}/clone/"): "C",
    ("POST", "/api/reports/mapping-sets/{version}/mappings/"): "C",
    ("POST", "/api/reports/mapping-sets/{version}/preview/"): "C",
    ("POST", "/api/reports/mapping-sets/{version}/publish/"): "C",
    ("PUT", "/api/reports/mapping-sets/{version}/rules/"): "C",
    ("PATCH", "/api/reports/mappings/{mapping_id}/"): "C",
    ("POST", "/api/reports/mine-text/"): "C",
    ("GET", "/api/reports/mining-runs/"): "C",
    ("POST", "/api/reports/mining-runs/"): "C",
    ("GET", "/api/reports/mining-runs/{run_id}/"): "C",
    ("POST", "/api/reports/mining-runs/{run_id}/quality/"): "C",
    ("GET", "/api/reports/mining-runs/{run_id}/reports/{report_id}/findings/"): "C",
    ("POST", "/api/reports/mining-runs/{run_id}/resume/"): "C",
    ("GET", "/api/taxonomies/"): "*",
    ("GET", "/api/taxonomies/{taxonomy_id}/"): "*",
    ("POST", "/api/taxonomies/{taxonomy_id}/clone/"): "C",
    ("POST", "/api/taxonomies/{taxonomy_id}/publish/"): "C",
    ("POST", "/api/taxonomies/{taxonomy_id}/traits/"): "C",
    ("PATCH", "/api/traits/{trait_id}/"): "C",
    ("DELETE", "/api/traits/{trait_id}/"): "C",
}

_PATH_VALUES = {"study_uid": "2.25.999999999", "path": "no-such-file.csv", "version": "999999"}


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: _PATH_VALUES.get(m.group(1), "999999"), path)


def _allowed(letters: str) -> set[str]:
    if letters == "*":
        return {RADIOLOGIST, CURATOR, TRAINER, ADMIN}
    return {_LETTER[c] for c in letters} | {ADMIN}


@pytest.fixture
def clients(db) -> dict[str, APIClient]:
    out = {"anonymous": APIClient()}
    for role in ROLES[1:]:
        api = APIClient()
        api.force_authenticate(make_user(f"matrix-{role}", role))
        out[role] = api
    return out


def _operations(clients) -> list[tuple[str, str]]:
    schema = clients[ADMIN].get("/api/schema/?format=json").json()
    return [(method.upper(), path) for path, ops in schema["paths"].items()
            for method in ops if method in ("get", "post", "put", "patch", "delete")]


def _observed(clients, method: str, path: str) -> dict[str, int]:
    return {role: getattr(api, method.lower())(_url(path), {}, format="json").status_code
            for role, api in clients.items()}


def test_every_operation_answers_each_role_as_the_matrix_says(clients):
    operations = _operations(clients)
    assert len(operations) > 80
    assert [op for op in operations if op not in MATRIX] == [], "every operation needs a row in the matrix"
    assert [op for op in MATRIX if op not in operations] == [], "the matrix names operations that are gone"
    wrong = {}
    for method, path in operations:
        letters = MATRIX[(method, path)]
        allowed = set(ROLES) if letters == "public" else _allowed(letters)
        for role, status in _observed(clients, method, path).items():
            refused = status in (401, 403)
            if status >= 500 or refused == (role in allowed):
                wrong[(method, path, role)] = status
    assert wrong == {}


def test_reader_quality_is_for_curators_and_admins_only(clients):
    """Reader usernames with each one's sensitivity and specificity: not for trainers, nor for readers."""
    url = "/api/annotation/campaigns/999999/readers/"
    assert {role: api.get(url).status_code in (401, 403) for role, api in clients.items()} == {
        "anonymous": True, RADIOLOGIST: True, TRAINER: True, CURATOR: False, ADMIN: False}


_WHO = {"anyone, signed in or not": "public", "every role": "*", "admin": ""}
_INITIAL = {"radiologist": "R", "curator": "C", "trainer": "T"}


def test_the_documented_table_is_the_tested_matrix():
    text = (Path(settings.BASE_DIR) / "docs" / "annotation.md").read_text()
    documented = {}
    for method, path, who in re.findall(r"^\| `(GET|POST|PUT|PATCH|DELETE) (\S+)` \| ([^|]+) \|$", text, re.M):
        who = who.strip()
        documented[(method, path)] = _WHO.get(who) if who in _WHO else "".join(
            _INITIAL[name] for name in who.split(", ") if name != "admin")
    assert documented == MATRIX
