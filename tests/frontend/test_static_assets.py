"""The viewer's scripts reach a remote reader compressed, and once: Brotli or gzip as the browser accepts, and
kept for good (Vite names each asset after its content)."""

import json
from pathlib import Path

import pytest
from django.conf import settings

MANIFEST = Path(settings.BASE_DIR) / "frontend" / "static" / "dist" / ".vite" / "manifest.json"


@pytest.fixture
def reading_script() -> str:
    if not MANIFEST.exists():
        pytest.fail("The frontend bundle is missing: make test builds it (scripts/build-frontend.sh).")
    entry = json.loads(MANIFEST.read_text())["src/pages/reading.js"]
    return f"{settings.STATIC_URL}dist/{entry['file']}"


@pytest.mark.parametrize("accept, encoding", [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("", None)])
def test_the_reading_page_script_is_served_compressed_as_accepted(client, reading_script, accept, encoding):
    response = client.get(reading_script, HTTP_ACCEPT_ENCODING=accept)
    assert response.status_code == 200
    assert response.get("Content-Encoding") == encoding
    body = b"".join(response.streaming_content)
    plain = (Path(settings.BASE_DIR) / "frontend" / "static" / reading_script.split("/static/", 1)[1]).read_bytes()
    assert (len(body) < len(plain)) if encoding else body == plain


def test_content_named_assets_are_kept_for_good(client, reading_script):
    asset = client.get(reading_script)
    assert "immutable" in asset["Cache-Control"]
    assert "max-age=315360000" in asset["Cache-Control"]
