"""Taxonomy reads: lists and the nested tree that pages, the API and exports show."""

from django.db.models import Count, Prefetch, Q, QuerySet

from curation.models import Taxonomy, Trait, TraitGroup


def taxonomy_list() -> QuerySet[Taxonomy]:
    """Every taxonomy version with its counts: traits, findings (top-level traits) and subtypes (children)."""
    return Taxonomy.objects.annotate(
        trait_count=Count("traits"), finding_count=Count("traits", filter=Q(traits__parent__isnull=True)),
        subtype_count=Count("traits", filter=Q(traits__parent__isnull=False)),
    ).order_by("name", "-version")


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


def taxonomy_base(*, taxonomy: Taxonomy) -> Taxonomy | None:
    """The published version a draft is compared with: the newest published one of its name before it."""
    return Taxonomy.objects.filter(
        name=taxonomy.name, status=Taxonomy.Status.PUBLISHED, version__lt=taxonomy.version
    ).order_by("-version").first()


DIFF_FIELDS = ("name", "significance", "parent", "hotkey", "display_order", "prevalence", "description", "groups")


def _diff_rows(taxonomy: Taxonomy) -> dict[str, dict]:
    return {
        t.code: {
            "name": t.name, "significance": t.significance, "parent": t.parent.code if t.parent else None,
            "hotkey": t.hotkey, "display_order": t.display_order, "prevalence": t.prevalence,
            "description": t.description, "groups": ", ".join(f"{g.kind}: {g.name}" for g in t.groups.all()),
        }
        for t in taxonomy_traits(taxonomy=taxonomy)
    }


def taxonomy_diff(*, base: Taxonomy, other: Taxonomy) -> dict:
    """Traits added to and removed from `base`, and per changed trait each field's old and new value (by code)."""
    old, new = _diff_rows(base), _diff_rows(other)
    changed = []
    for code in sorted(set(old) & set(new)):
        fields = [{"field": f, "old": old[code][f], "new": new[code][f]} for f in DIFF_FIELDS
                  if old[code][f] != new[code][f]]
        if fields:
            changed.append({"code": code, "fields": fields})
    return {
        "added": [{"code": c, **new[c]} for c in sorted(set(new) - set(old))],
        "removed": [{"code": c, **old[c]} for c in sorted(set(old) - set(new))],
        "changed": changed,
    }
