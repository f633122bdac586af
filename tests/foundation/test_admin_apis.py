"""core.admin_apis under the registries built on it (DICOM nodes, report senders): each documents its own
serializers (the methods are shared, their schema is not), an unknown row is a 404, and only admins get in."""

import json

import pytest

pytestmark = pytest.mark.django_db

# list URL, detail URL in the schema, the serializers' component names.
REGISTRIES = [
    ("/api/archive/nodes/", "/api/archive/nodes/{node_id}/", "NodeInput", "NodeOutput"),
    ("/api/reports/senders/", "/api/reports/senders/{sender_id}/", "SenderInput", "SenderOutput"),
]


def _refs(operation: dict) -> set[str]:
    text = json.dumps(operation)
    return {part.split('"')[0] for part in text.split("#/components/schemas/")[1:]}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(("url", "detail", "given", "answered"), REGISTRIES)
def test_each_registry_documents_its_own_serializers(schema, url, detail, given, answered):
    paths = schema["paths"]
    assert _refs(paths[url]["post"]["requestBody"]) == {given}
    assert _refs(paths[url]["post"]["responses"]["201"]) == {answered}
    assert _refs(paths[url]["get"]["responses"]["200"]) == {f"Paginated{answered}List"}
    assert _refs(paths[detail]["patch"]["requestBody"]) == {f"Patched{given}"}
    assert _refs(paths[detail]["patch"]["responses"]["200"]) == {answered}
    assert "204" in paths[detail]["delete"]["responses"]


@pytest.mark.parametrize(("url", "detail", "given", "answered"), REGISTRIES)
def test_an_unknown_row_is_a_404_and_only_admins_get_in(api_for, url, detail, given, answered):
    admin = api_for("admin")
    assert admin.patch(f"{url}999999/", {"enabled": False}, format="json").status_code == 404
    assert admin.delete(f"{url}999999/").status_code == 404
    curator = api_for("curator")
    assert curator.get(url).status_code == 403
    assert curator.patch(f"{url}999999/", {"enabled": False}, format="json").status_code == 403
    assert curator.delete(f"{url}999999/").status_code == 403
