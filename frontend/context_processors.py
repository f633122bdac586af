"""Template context: the signed-in user's roles and the navigation links they may follow."""

from core.roles import ADMIN, user_roles
from frontend.navigation import nav_links


def roles(request):
    user = getattr(request, "user", None)
    held = user_roles(user)
    return {"user_roles": held, "is_admin_role": ADMIN in held, "nav_links": nav_links(user)}
