"""The known DICOM nodes API (admins only): register, list, change and remove; bad input says what was wrong."""

import pytest

from curation.models import DicomNode
from curation.selectors.nodes import node_admission

pytestmark = pytest.mark.django_db

URL = "/api/archive/nodes/"


def test_admin_registers_lists_changes_and_removes_a_node(api_for):
    api = api_for("admin")
    created = api.post(URL, {"ae_title": "PACS", "host": "10.1.2.0/24", "description": "Main PACS"}, format="json")
    assert created.status_code == 201, created.content
    node = created.json()
    assert node["ae_title"] == "PACS" and node["host"] == "10.1.2.0/24" and node["may_store"] and node["enabled"]
    listed = api.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [node["id"]]
    changed = api.patch(f"{URL}{node['id']}/", {"may_store": False}, format="json")
    assert changed.status_code == 200 and changed.json()["may_store"] is False
    assert changed.json()["host"] == "10.1.2.0/24"
    assert api.delete(f"{URL}{node['id']}/").status_code == 204
    assert not DicomNode.objects.exists()


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"ae_title": "PACS", "host": "pacs.example.org"}, "host", "not an IP address or CIDR"),
    ({"ae_title": "PACS", "host": "10.1.2.0/33"}, "host", "not an IP address or CIDR"),
    ({"ae_title": "PA\\CS", "host": "10.1.2.3"}, "ae_title", "no backslash"),
    ({"ae_title": "A" * 17, "host": "10.1.2.3"}, "ae_title", "16"),
    ({"host": "10.1.2.3"}, "ae_title", "required"),
])
def test_bad_input_names_the_field(api_for, body, field, words):
    answer = api_for("admin").post(URL, body, format="json")
    assert answer.status_code == 400, answer.content
    assert words in str(answer.json()) and field in str(answer.json())
    assert not DicomNode.objects.exists()


def test_the_same_node_twice_is_refused(api_for):
    api = api_for("admin")
    assert api.post(URL, {"ae_title": "PACS", "host": "10.1.2.3"}, format="json").status_code == 201
    again = api.post(URL, {"ae_title": "PACS", "host": "10.1.2.3"}, format="json")
    assert again.status_code == 400 and "already exists" in str(again.json())


def test_curators_may_not_see_nodes(api_for):
    assert api_for("curator").get(URL).status_code == 403


def test_admission_matches_ae_title_address_and_network():
    DicomNode.objects.create(ae_title="PACS", host="10.1.2.0/24", may_store=False)
    DicomNode.objects.create(ae_title="PACS", host="10.1.2.7")
    DicomNode.objects.create(ae_title="CT1", host="::1")
    DicomNode.objects.create(ae_title="OLD", host="127.0.0.1", enabled=False)
    assert node_admission(ae_title="PACS", address="10.1.2.9").known
    assert not node_admission(ae_title="PACS", address="10.1.2.9").may_store
    assert node_admission(ae_title="PACS", address="10.1.2.7").may_store  # one matching node may store
    assert not node_admission(ae_title="PACS", address="10.1.3.1").known
    assert not node_admission(ae_title="OTHER", address="10.1.2.7").known
    assert node_admission(ae_title="CT1 ", address="::1").known  # AE titles arrive padded with spaces
    assert not node_admission(ae_title="OLD", address="127.0.0.1").known  # disabled
    assert not node_admission(ae_title="PACS", address="not-an-address").known
