"""The count of findings is said one way: 30 findings, 35 traits with the 5 hemorrhage subtypes (pages and docs)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD

SAID = "30 findings (35 traits with the 5 subtypes)"


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "url"), [("curator", "/"), ("curator", "/taxonomy/")])
def test_the_taxonomy_tables_count_findings_and_their_subtypes(users, role, url):
    client = Client()
    assert client.login(username=users[role].username, password=PASSWORD)
    html = client.get(url).content.decode()
    assert "<th>Findings</th>" in html and SAID in html


def test_readme_and_docs_count_the_findings_the_same_way():
    said = "30 findings (35 traits with the 5 hemorrhage subtypes)"
    root = settings.BASE_DIR
    for path in (root / "README.md", root / "docs" / "reading-room.md", root / "docs" / "report-mining.md"):
        assert said in " ".join(path.read_text().split()), path.name
    for path in (root / "README.md", *sorted((root / "docs").glob("*.md"))):
        flat = " ".join(path.read_text().split())
        # the other ways it was said: '35-trait form', '35 hierarchical traits', '30 traits' (benches count
        # their own synthetic traits, 'x 30 traits', and stay)
        assert not re.search(r"35-trait|35 hierarchical traits|(?<!x )\b30 traits\b", flat), path.name
