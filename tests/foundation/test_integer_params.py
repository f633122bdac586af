"""Every integer query parameter of every API goes through one parser (core.params.int_param): a value past
PostgreSQL's bigint, a negative one or a word is a 400 that names the parameter and its range, never a 500."""

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from core.params import BIGINT_MAX, int_param
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

BAD = [str(BIGINT_MAX + 1), "-1", "abc", "1.5", "1_000", "٣", "9" * 5000]


@pytest.mark.parametrize("raw", BAD)
def test_int_param_refuses_with_the_name_and_the_range(raw):
    with pytest.raises(ValidationError) as refused:
        int_param({"offset": raw}, "offset")
    message = str(refused.value.detail["offset"][0])
    assert "offset must be an integer from 0 to 9223372036854775807" in message and len(message) < 200


def test_int_param_reads_what_it_should():
    assert int_param({}, "campaign") is None and int_param({"n": " "}, "n", 7) == 7
    assert int_param({"n": str(BIGINT_MAX)}, "n") == BIGINT_MAX and int_param({"n": "+12"}, "n") == 12
    assert int_param({"n": "-3"}, "n", min_value=-5) == -3


def _integer_params(schema) -> list[tuple[str, str]]:
    """(path, parameter) for every GET's integer query parameter in the OpenAPI schema."""
    found = []
    for path, operations in schema["paths"].items():
        for param in operations.get("get", {}).get("parameters", []):
            if param["in"] == "query" and param.get("schema", {}).get("type") == "integer":
                found.append((path, param["name"]))
    return found


def test_every_documented_integer_query_parameter_refuses_out_of_range_values(api_for, users):
    schema = api_for("admin").get("/api/schema/?format=json").json()
    params = _integer_params(schema)
    assert ("/api/annotation/audit/", "campaign") in params and ("/api/reports/candidates/", "offset") in params
    admin = api_for("admin")
    refused, problems = 0, []
    for path, name in params:
        url = path.replace("{", "").replace("}", "")  # path ids become words: those paths answer 404 first
        if "{" in path:
            continue
        for value in (str(BIGINT_MAX + 1), "-1", "abc"):
            answer = admin.get(url, {name: value})
            if answer.status_code != 400 or name not in answer.json():
                problems.append((url, name, value, answer.status_code))
            refused += 1
    assert problems == [] and refused > 40


@pytest.mark.parametrize("url", ["/api/annotation/reads/", "/api/annotation/assignments/", "/api/datasets/runs/",
                                 "/api/archive/studies/"])
def test_list_pages_refuse_a_limit_past_the_largest_page(url):
    api = APIClient()
    api.force_authenticate(make_user("everyone", "radiologist", "curator", "trainer"))
    for query, name in (({"limit": "1001"}, "limit"), ({"limit": "0"}, "limit"), ({"offset": "-5"}, "offset")):
        answer = api.get(url, query)
        assert answer.status_code == 400 and "must be an integer from" in answer.json()[name][0]
    assert api.get(url, {"limit": "1000", "offset": str(BIGINT_MAX)}).status_code == 200


def test_qido_refuses_an_offset_past_bigint(api_for):
    answer = api_for("curator").get("/dicomweb/studies", {"offset": str(BIGINT_MAX + 1)})
    assert answer.status_code == 400 and "offset must be an integer from 0" in answer.json()["error"]
    assert api_for("curator").get("/dicomweb/studies", {"limit": "100000"}).status_code == 200  # PS3.18: fewer
