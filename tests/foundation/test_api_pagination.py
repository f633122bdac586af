"""The OpenAPI schema documents every list endpoint as a page: {count, next, previous, results} with limit/offset."""

import pytest

pytestmark = pytest.mark.django_db

LIST_ENDPOINTS = [
    "/api/taxonomies/",
    "/api/archive/studies/",
    "/api/archive/rejections/",
    "/api/archive/jobs/",
    "/api/archive/identity-links/",
    "/api/reports/",
    "/api/reports/mapping-sets/",
    "/api/reports/mining-runs/",
    "/api/reports/candidates/",
    "/api/reports/candidates/studies/",
    "/api/annotation/campaigns/",
    "/api/annotation/campaigns/{campaign_id}/studies/",
    "/api/annotation/campaigns/{campaign_id}/priorities/",
    "/api/annotation/campaigns/{campaign_id}/assignments/",
    "/api/annotation/campaigns/{campaign_id}/consensus/",
    "/api/annotation/campaigns/{campaign_id}/readers/",
    "/api/annotation/worklist/",
    "/api/annotation/assignments/",
    "/api/annotation/reads/",
    "/api/annotation/adjudications/",
    "/api/annotation/audit/",
    "/api/datasets/versions/",
    "/api/datasets/runs/",
]


@pytest.fixture
def schema(api_for) -> dict:
    response = api_for("trainer").get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _ok_body(schema, path: str) -> dict:
    body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    while "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    return body


def _page_problems(schema, path: str) -> list[str]:
    body = _ok_body(schema, path)
    fields = body.get("properties", {})
    problems = [f"no {name}" for name in ("count", "next", "previous", "results") if name not in fields]
    if not problems:
        if fields["count"].get("type") != "integer":
            problems.append("count is not an integer")
        if (fields["next"].get("format"), fields["next"].get("nullable")) != ("uri", True):
            problems.append("next is not a nullable URL")
        if fields["results"].get("type") != "array":
            problems.append("results is not an array")
    params = {p["name"] for p in schema["paths"][path]["get"].get("parameters", []) if p["in"] == "query"}
    problems += [f"no {name} parameter" for name in ("limit", "offset") if name not in params]
    return problems


def test_every_list_endpoint_is_documented_as_a_page(schema):
    problems = {path: _page_problems(schema, path) for path in LIST_ENDPOINTS}
    assert {path: found for path, found in problems.items() if found} == {}


def test_no_get_answers_a_bare_array(schema):
    """A new list endpoint that forgets to page shows up here rather than in a user's missing rows."""
    bare = [path for path, ops in schema["paths"].items()
            if "get" in ops and _is_array(schema, ops["get"])]
    assert bare == []


def _is_array(schema, operation) -> bool:
    content = operation["responses"].get("200", {}).get("content", {}).get("application/json")
    if content is None:
        return False
    body = content["schema"]
    while "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    return body.get("type") == "array"
