"""The demo pipeline: every capability adds one step here, run in data-flow order by `manage.py demo`.

A step is a function `step(ctx) -> None` that prints what it did; `ctx` carries the data dir, the
demo users and anything a later step needs from an earlier one.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from curation.roles import ADMIN, CURATOR, RADIOLOGIST, ROLES, TRAINER
from curation.selectors.taxonomy import taxonomy_list


@dataclass
class DemoContext:
    data_dir: Path
    out: Callable[[str], None] = print
    users: dict[str, User] = field(default_factory=dict)
    state: dict = field(default_factory=dict)


DEMO_USERS = {
    "demo-admin": ADMIN,
    "demo-curator": CURATOR,
    "demo-trainer": TRAINER,
    "demo-radiologist": RADIOLOGIST,
}


def step_migrate(ctx: DemoContext) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    ctx.out("database migrated")


def step_users(ctx: DemoContext) -> None:
    """Demo users, one per role; a new user's password is printed once, here."""
    for username, role in DEMO_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(
                username=username, password=password, is_staff=role == ADMIN, is_superuser=role == ADMIN
            )
            ctx.out(f"user {username:18} role {role:12} password {password}   (shown once)")
        else:
            ctx.out(f"user {username:18} role {role:12} exists (reset: manage.py changepassword {username})")
        user.groups.add(Group.objects.get(name=role))
        ctx.users[role] = user


def step_taxonomy(ctx: DemoContext) -> None:
    for taxonomy in taxonomy_list():
        ctx.out(f"taxonomy {taxonomy.name} v{taxonomy.version}: {taxonomy.status}, {taxonomy.trait_count} traits")


STEPS: list[Callable[[DemoContext], None]] = [step_migrate, step_users, step_taxonomy]


def run_demo(*, out: Callable[[str], None] = print) -> DemoContext:
    ctx = DemoContext(data_dir=Path(settings.DATA_DIR) / "demo", out=out)
    ctx.data_dir.mkdir(parents=True, exist_ok=True)
    for step in STEPS:
        name = step.__name__.removeprefix("step_")
        out(f"== {name}")
        step(ctx)
    assert set(ctx.users) == set(ROLES)
    return ctx
