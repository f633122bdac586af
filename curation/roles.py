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
    roles = _role_groups(user.pk)
    if user.is_superuser:
        roles.add(ADMIN)
    return roles


def _role_groups(user_id: int) -> set[str]:
    """The RadCurate groups a user is in, in one plain query: it runs on every DICOMweb request (a viewer
    fetches frames one request per slice), and building it through the ORM cost several times the query."""
    from django.contrib.auth.models import Group
    from django.db import connection

    membership = Group.user_set.through._meta
    quote = connection.ops.quote_name
    group_id, member_id = (quote(membership.get_field(f).column) for f in ("group", "user"))
    roles = ", ".join(["%s"] * len(ROLES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g.name FROM {quote(Group._meta.db_table)} g JOIN {quote(membership.db_table)} m"
            f" ON m.{group_id} = g.id WHERE m.{member_id} = %s AND g.name IN ({roles})",
            [user_id, *ROLES],
        )
        return {name for (name,) in cursor.fetchall()}


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
