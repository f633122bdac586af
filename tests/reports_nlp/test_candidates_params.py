"""The candidates API refuses integer parameters it cannot page by (past PostgreSQL's bigint, negative, not a number)
with a 400 naming the parameter and its range, where an offset past bigint used to reach the database as a 500."""

import pytest

from core.params import BIGINT_MAX

pytestmark = pytest.mark.django_db

HUGE = str(BIGINT_MAX + 1)


@pytest.mark.parametrize("url", ["/api/reports/candidates/", "/api/reports/candidates/studies/",
                                 "/api/reports/candidates/counts/"])
@pytest.mark.parametrize(("name", "value"), [("offset", HUGE), ("offset", "-1"), ("offset", "ten"), ("limit", HUGE),
                                             ("limit", "0"), ("limit", "1001"), ("run", HUGE), ("run", "1e3")])
def test_bad_integers_are_a_400_naming_the_parameter_and_its_range(mined_run, api_for, url, name, value):
    answer = api_for("curator").get(url, {name: value})
    assert answer.status_code == 400, answer.content
    message = " ".join(answer.json()[name])
    assert value in message and "must be an integer from" in message


def test_the_largest_offset_is_an_empty_page(mined_run, api_for):
    answer = api_for("curator").get("/api/reports/candidates/", {"offset": str(BIGINT_MAX), "limit": "5"})
    assert answer.status_code == 200 and answer.json()["results"] == [] and answer.json()["count"] > 0
