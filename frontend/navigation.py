"""The top bar's links and who sees each: the one place the navigation is defined."""

from dataclasses import dataclass

from core.roles import ADMIN, CURATOR, RADIOLOGIST, TRAINER, has_role


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    roles: tuple[str, ...] = ()  # empty: every signed-in user


# The same roles as the pages' `role_required`, so a link is shown exactly where its page opens.
NAVIGATION = (
    NavLink("Worklist", "reading-worklist", (RADIOLOGIST,)),
    NavLink("Archive", "archive-studies", (CURATOR,)),
    NavLink("Campaigns", "reading-campaigns", (CURATOR,)),
    NavLink("Taxonomy", "taxonomy-versions", (CURATOR,)),
    NavLink("Reports", "reports-mining", (CURATOR,)),
    NavLink("Datasets", "datasets-versions", (TRAINER, CURATOR)),
    NavLink("Runs", "runs", (TRAINER, CURATOR)),
    NavLink("Priorities", "priorities", (TRAINER, CURATOR)),
    NavLink("Admin", "admin:index", (ADMIN,)),
    NavLink("API", "api-docs"),
)


def nav_links(user) -> list[NavLink]:
    """The links `user` may follow, in bar order; none for an anonymous visitor."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [link for link in NAVIGATION if not link.roles or has_role(user, *link.roles)]
