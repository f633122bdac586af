"""Template context: the signed-in user's roles, so the navigation shows only their pages."""

from core.roles import user_roles


def roles(request):
    held = user_roles(getattr(request, "user", None))
    return {"user_roles": held, "is_admin_role": "admin" in held}
