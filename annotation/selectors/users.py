"""The people a request names by username: a campaign's readers and adjudicators."""

from django.contrib.auth import get_user_model

from core.roles import RADIOLOGIST


def users_by_username(*, usernames) -> tuple[list, list[str]]:
    """(the users with these usernames, the usernames no user has, sorted)."""
    usernames = set(usernames)
    users = list(get_user_model().objects.filter(username__in=usernames))
    return users, sorted(usernames - {u.username for u in users})


def radiologists():
    """Who the campaign form offers as readers and adjudicators: users with the radiologist role, by username."""
    return get_user_model().objects.filter(groups__name=RADIOLOGIST).order_by("username").distinct()
