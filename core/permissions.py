"""DRF permission classes built from the roles."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import has_role


def role_required(*roles: str, read_roles: tuple[str, ...] | None = None) -> type[BasePermission]:
    """A permission class: `roles` may do anything; `read_roles` (when given) may only read."""

    class RoleRequired(BasePermission):
        message = f"This needs one of the roles: {', '.join(roles)}."

        def has_permission(self, request, view):
            user = request.user
            if not (user and user.is_authenticated):
                return False
            if has_role(user, *roles):
                return True
            return bool(read_roles) and request.method in SAFE_METHODS and has_role(user, *read_roles)

    RoleRequired.__name__ = f"RoleRequired_{'_'.join(roles)}"
    return RoleRequired
