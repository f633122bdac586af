"""Taxonomy reads: lists and the nested tree that pages, the API and exports show."""

from django.db.models import Count, Prefetch, QuerySet

from curation.models import Taxonomy, Trait, TraitGroup


def taxonomy_list() -> QuerySet[Taxonomy]:
    return Taxonomy.objects.annotate(trait_count=Count("traits")).order_by("name", "-version")


def taxonomy_latest_published(*, name: str) -> Taxonomy | None:
    return Taxonomy.objects.filter(name=name, status=Taxonomy.Status.PUBLISHED).order_by("-version").first()


def taxonomy_traits(*, taxonomy: Taxonomy) -> list[Trait]:
    return list(
        taxonomy.traits.select_related("parent").prefetch_related(
            Prefetch("groups", queryset=TraitGroup.objects.order_by("kind", "name"))
        )
    )


def _trait_node(trait: Trait, children: dict[int | None, list[Trait]]) -> dict:
    return {
        "id": trait.pk,
        "code": trait.code,
        "name": trait.name,
        "description": trait.description,
        "significance": trait.significance,
        "hotkey": trait.hotkey,
        "prevalence": trait.prevalence,
        "display_order": trait.display_order,
        "groups": [{"kind": g.kind, "name": g.name} for g in trait.groups.all()],
        "children": [_trait_node(c, children) for c in children.get(trait.pk, [])],
    }


def taxonomy_tree(*, taxonomy: Taxonomy) -> dict:
    """The taxonomy as nested traits (children under their parent), with its groups."""
    traits = taxonomy_traits(taxonomy=taxonomy)
    children: dict[int | None, list[Trait]] = {}
    for trait in traits:
        children.setdefault(trait.parent_id, []).append(trait)
    return {
        "id": taxonomy.pk,
        "name": taxonomy.name,
        "version": taxonomy.version,
        "status": taxonomy.status,
        "published_at": taxonomy.published_at,
        "groups": [{"kind": g.kind, "name": g.name} for g in taxonomy.groups.order_by("kind", "name")],
        "traits": [_trait_node(t, children) for t in children.get(None, [])],
    }
