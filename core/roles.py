"""The four roles of the design's user table, as auth groups, and the checks the APIs use.

Later layers grant their own model permissions to these groups from their migrations with
`grant_permissions`, so each app owns the permissions on its own models.
"""

RADIOLOGIST = "radiologist"
CURATOR = "curator"
TRAINER = "trainer"
ADMIN = "admin"
ROLES = (RADIOLOGIST, CURATOR, TRAINER, ADMIN)


def user_roles(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    loaded = getattr(user, LOADED_ROLES, None)  # loaded with a session's user by core.backends
    roles = set(loaded) if loaded is not None else _role_groups(user.pk)
    if user.is_superuser:
        roles.add(ADMIN)
    return roles


# The attribute on a request's user holding the roles loaded with it (the user object lives one request).
LOADED_ROLES = "_radcurate_roles"


def _with_role_groups(columns: str) -> str:
    """SQL: `columns` of a user (u) with each of its RadCurate groups (g.name; NULL for none), one query.

    Plain SQL: it runs on every DICOMweb request (a viewer fetches frames one request per slice), and
    building it through the ORM cost several times the query. Parameters: the roles, then the user id.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    user = get_user_model()._meta
    membership = Group.user_set.through._meta
    quote = connection.ops.quote_name
    group_id, member_id = (quote(membership.get_field(f).column) for f in ("group", "user"))
    user_pk, roles = quote(user.pk.column), ", ".join(["%s"] * len(ROLES))
    return (
        f"SELECT {columns} FROM {quote(user.db_table)} u"
        f" LEFT JOIN {quote(membership.db_table)} m ON m.{member_id} = u.{user_pk}"
        f" LEFT JOIN {quote(Group._meta.db_table)} g ON g.id = m.{group_id} AND g.name IN ({roles})"
        f" WHERE u.{user_pk} = %s"
    )


def _role_groups(user_id: int) -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_with_role_groups("g.name"), [*ROLES, user_id])
        return {name for (name,) in cursor.fetchall() if name}


def user_with_roles(user_id):
    """The user with its roles loaded (LOADED_ROLES), in one query; None when there is no such user."""
    from django.contrib.auth import get_user_model

    rows = list(get_user_model().objects.raw(_with_role_groups("u.*, g.name AS radcurate_role"), [*ROLES, user_id]))
    if not rows:
        return None
    user = rows[0]
    setattr(user, LOADED_ROLES, frozenset(r.radcurate_role for r in rows if r.radcurate_role))
    return user


def has_role(user, *roles: str) -> bool:
    """True when the user holds any of `roles`; admins hold every role."""
    held = user_roles(user)
    return ADMIN in held or bool(held.intersection(roles))


def is_admin(user) -> bool:
    return ADMIN in user_roles(user)


def grant_permissions(apps, app_label: str, grants: dict[str, list[str]]) -> None:
    """Data-migration helper: create the app's permissions now and give them to the role groups.

    `grants` maps a role to codenames of `app_label` (e.g. {"curator": ["add_trait", ...]}); the admin
    group receives every permission of the app.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    if getattr(app_config, "models_module", None) is None:
        app_config.models_module = True  # historical app configs have none; create_permissions needs one
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_perms = Permission.objects.filter(content_type__app_label=app_label)
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role == ADMIN:
            group.permissions.add(*app_perms)
        else:
            group.permissions.add(*app_perms.filter(codename__in=grants.get(role, [])))
