"""The top bar and the pages agree per role: a link is shown exactly where its page opens; anonymous visitors
are sent to sign in."""

import re

import pytest
from django.test import Client

from frontend.navigation import NAVIGATION, nav_links
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# What each role saw in the bar before the navigation moved out of base.html.
EXPECTED_NAV = {
    "radiologist": ["Worklist", "API"],
    "curator": ["Archive", "Campaigns", "Taxonomy", "Reports", "Datasets", "Runs", "Priorities", "API"],
    "trainer": ["Datasets", "Runs", "Priorities", "API"],
    "admin": ["Worklist", "Archive", "Campaigns", "Taxonomy", "Reports", "Datasets", "Runs", "Priorities", "Admin", "API"],
}

# The landing page of every area behind a role, and who may open it.
PAGES = {
    "/reading/": {"radiologist"},
    "/archive/": {"curator"},
    "/campaigns/": {"curator"},
    "/taxonomy/": {"curator"},
    "/reports/": {"curator"},
    "/datasets/": {"trainer", "curator"},
    "/runs/": {"trainer", "curator"},
    "/priorities/": {"trainer", "curator"},
}


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _bar(html: str) -> list[tuple[str, str]]:
    nav = re.search(r"<nav>(.*?)</nav>", html, re.S).group(1)
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)


@pytest.mark.parametrize("role", sorted(EXPECTED_NAV))
def test_each_role_sees_its_links_in_the_bar(users, role):
    bar = _bar(_client(users[role]).get("/").content.decode())
    assert [label for _, label in bar] == EXPECTED_NAV[role]
    assert [link.label for link in nav_links(users[role])] == EXPECTED_NAV[role]


@pytest.mark.parametrize("role", sorted(EXPECTED_NAV))
def test_a_link_is_shown_exactly_where_its_page_opens(users, role):
    client = _client(users[role])
    shown = {url for url, _ in _bar(client.get("/").content.decode())}
    for url, allowed in PAGES.items():
        opens = role == "admin" or role in allowed
        assert client.get(url).status_code == (200 if opens else 403), (role, url)
        assert (url in shown) == opens, (role, url)


def test_anonymous_visitors_get_no_bar_and_are_sent_to_sign_in(client):
    assert nav_links(None) == []
    assert "<nav>" not in client.get("/login/").content.decode()
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == f"/login/?next={url}", url


def test_every_link_names_a_page():
    from django.urls import reverse

    assert all(reverse(link.url_name) for link in NAVIGATION)
