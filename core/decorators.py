"""Page view decorators built on the roles (the APIs use `core.permissions` instead)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import has_role


def role_required(*roles: str):
    """Anonymous users go to the login page; signed-in users without one of `roles` get 403 (admins hold all)."""
    if not roles:
        raise ValueError("role_required needs at least one role.")
    message = f"This page needs one of the roles: {', '.join(roles)}."

    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        # login_required outside: an anonymous visitor is asked to sign in, never told the page is forbidden.
        return login_required(checked)

    return decorator
