"""Failures in the site's own look and words: 403 and 404 pages with the top bar, /favicon.ico, a bad rules JSON that
names the problem and keeps the curator on the same trait with the text as typed, a non-zip run upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from reports_nlp.models import MappingSet
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_forbidden_page_is_the_sites_own_with_its_navigation_and_the_reason(users):
    response = _client(users["radiologist"]).get("/runs/")
    html = response.content.decode()
    assert response.status_code == 403
    assert 'class="topbar"' in html and 'href="/reading/">Worklist</a>' in html  # the bar, with this user's links
    assert "You may not open this page" in html and "This page needs one of the roles: trainer, curator." in html
    assert "radiologist (radiologist)" in html  # who is signed in, so the user knows why


@pytest.mark.parametrize("path", ["/no-such-page/", "/runs/999999/", "/datasets/999999/"])
def test_a_missing_page_is_the_sites_own_with_its_navigation(users, path):
    response = _client(users["trainer"]).get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert 'class="topbar"' in html and 'href="/runs/">Runs</a>' in html
    assert "Nothing here" in html and path in html
    assert "matches the given query" not in html  # the ORM's words are not the user's


def test_an_anonymous_visitor_gets_the_404_page_too(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "Nothing here" in response.content.decode()
    assert 'class="brand"' in response.content.decode()


def test_favicon_exists(db):
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200 and b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header


def test_a_bad_rules_json_names_the_problem_and_keeps_the_trait_and_the_text(users):
    curator = _client(users["curator"])
    curator.post("/reports/mappings/1/clone/")
    before = MappingSet.objects.get(version=2).context_rules
    typed = '[{"phrase": "sans", "category": "negated",}]'
    response = curator.post("/reports/mappings/2/rules/save/", {"context_rules": typed, "trait": "hydrocephalus"})
    html = response.content.decode()
    assert response.status_code == 400
    assert ("Nothing was saved: the assertion rules are not valid JSON: expecting property name enclosed in double "
            "quotes at line 1, column 43.") in html
    assert "<h2>Hydrocephalus" in html  # still on the trait the curator was editing
    assert "[{&quot;phrase&quot;: &quot;sans&quot;, &quot;category&quot;: &quot;negated&quot;,}]" in html  # as typed
    assert MappingSet.objects.get(version=2).context_rules == before

    not_a_list = curator.post("/reports/mappings/2/rules/save/", {"context_rules": '{"phrase": "x"}',
                                                                  "trait": "hydrocephalus"})
    assert "must be a JSON list of objects" in not_a_list.content.decode()
    saved = curator.post("/reports/mappings/2/rules/save/", {"context_rules": "[]", "trait": "hydrocephalus"})
    assert saved.status_code == 302 and saved["Location"] == "/reports/mappings/2/?trait=hydrocephalus"


@pytest.mark.parametrize("name, expected", [
    ("run.zip", "run.zip: not a zip file (or a damaged one)"),
    ("run.tar.gz", "run.tar.gz: not a tar archive (or a damaged one)"),
    ("run.bin", "run.bin: not a zip file or a tar archive"),
])
def test_a_run_upload_that_is_no_archive_says_so_in_plain_words(users, name, expected):
    trainer = _client(users["trainer"])
    response = trainer.post("/runs/", {"file": SimpleUploadedFile(name, b"these bytes are no archive")}, follow=True)
    html = response.content.decode()
    assert expected in html
    assert "method gz" not in html and "ReadError" not in html  # no decompressor internals
