"""The pages' role decorator: anonymous visitors are sent to sign in, other roles get 403, the role (or an admin)
gets the page."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from core.decorators import role_required
from core.roles import CURATOR, TRAINER


@role_required(TRAINER, CURATOR)
def datasets_like_page(request):
    return HttpResponse("the page")


def _get(user):
    request = RequestFactory().get("/somewhere/?page=2")
    request.user = user
    return datasets_like_page(request)


def test_an_anonymous_visitor_is_sent_to_the_login_page_and_back():
    response = _get(AnonymousUser())
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/somewhere/%3Fpage%3D2"


@pytest.mark.django_db
def test_a_signed_in_user_without_the_role_is_refused(users):
    with pytest.raises(PermissionDenied, match="trainer, curator"):
        _get(users["radiologist"])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["trainer", "curator", "admin"])
def test_each_named_role_and_an_admin_get_the_page(users, role):
    response = _get(users[role])
    assert response.status_code == 200 and response.content == b"the page"


def test_the_view_keeps_its_name_and_a_role_is_required():
    assert datasets_like_page.__name__ == "datasets_like_page"
    with pytest.raises(ValueError):
        role_required()
