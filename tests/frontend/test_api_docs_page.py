"""The API docs (Swagger UI) open on a network without internet access: every script, style and the schema itself
come from this server."""

from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD

from .conftest import log_in

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _open_recording_hosts(page, url: str) -> set[str]:
    """Open `url`; the hosts of every request the page made (data: and blob: URLs have none)."""
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    page.goto(url)
    return hosts


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_lists_the_operations_from_local_files(new_page, live_server, users):
    page = new_page()
    log_in(page, live_server, "curator", PASSWORD)
    hosts = _open_recording_hosts(page, f"{live_server.url}/api/docs/")
    operation = page.locator(".opblock-summary-path", has_text="/api/annotation/campaigns/{campaign_id}/consensus/")
    operation.first.wait_for()
    assert page.locator(".opblock").count() > 50
    assert hosts - {None} <= LOCAL_HOSTS, hosts

