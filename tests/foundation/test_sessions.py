"""The session engine (radcurate.sessions): Django's database sessions, loaded with a plain query; a
logged-out or expired session is anonymous on the next request."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ACCOUNT = "/api/me/"


def _me(client) -> int:
    return client.get(ACCOUNT).status_code


def test_a_session_authenticates_until_logout_or_expiry(client):
    client.force_login(make_user("reader", "radiologist"))
    assert _me(client) == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert _me(client) == 403  # expired: the lookup finds no session, the request is anonymous
    client.force_login(make_user("other", "radiologist"))
    assert _me(client) == 200
    key = client.session.session_key
    client.logout()
    assert _me(client) == 403 and not Session.objects.filter(session_key=key).exists()


def test_an_unknown_session_key_is_anonymous(client):
    client.cookies["sessionid"] = "x" * 32
    assert _me(client) == 403
