"""Every API and DICOMweb endpoint refuses anonymous requests: walks the whole URL conf."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Endpoints that must answer anonymous requests, and what they may answer.
PUBLIC = {"api/auth/token/": {400, 405}}


def _walk(patterns, prefix=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def _concrete(route: str) -> str:
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str|slug|uuid|path):?[^>]*>", "1.2.3", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    return "/" + route.replace("\\", "")


def _protected_routes():
    routes = [r for r in _walk(get_resolver().url_patterns) if r.startswith(("api/", "dicomweb/"))]
    assert routes, "no API routes found"
    return sorted(set(routes))


def test_the_walk_finds_the_api():
    assert "api/taxonomies/" in _protected_routes()


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_no_endpoint_answers_an_anonymous_request_with_data(client, method):
    for route in _protected_routes():
        response = getattr(client, method)(_concrete(route))
        allowed = PUBLIC.get(route, {401, 403})
        assert response.status_code in allowed, f"{method.upper()} {route} answered {response.status_code}"


def test_schema_and_docs_need_a_login(client, api_for):
    assert client.get("/api/schema/").status_code in {401, 403}
    schema = api_for("trainer").get("/api/schema/")
    assert schema.status_code == 200 and b"/api/taxonomies/" in schema.content


def test_token_login_gives_a_token_that_authenticates(client, users):
    from tests.conftest import PASSWORD

    token = client.post("/api/auth/token/", {"username": "curator", "password": PASSWORD}).json()["token"]
    me = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert me == {"username": "curator", "roles": ["curator"]}
