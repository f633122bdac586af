"""Taxonomy use cases: clone a version into a draft, publish it, edit traits of a draft."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from curation.models import Taxonomy, Trait, TraitGroup

TRAIT_EDITABLE_FIELDS = ("name", "description", "significance", "display_order", "hotkey", "prevalence")


@transaction.atomic
def taxonomy_clone(*, taxonomy: Taxonomy, description: str = "") -> Taxonomy:
    """Copy a version (usually published) into a new draft with the next version number."""
    next_version = (Taxonomy.objects.filter(name=taxonomy.name).aggregate(v=Max("version"))["v"] or 0) + 1
    draft = Taxonomy(name=taxonomy.name, version=next_version, description=description or taxonomy.description)
    draft.full_clean()
    draft.save()
    group_map = {}
    for group in taxonomy.groups.all():
        group_map[group.pk] = TraitGroup.objects.create(taxonomy=draft, kind=group.kind, name=group.name)
    trait_map = {}
    # Parents first, so children can point at the cloned parent.
    for trait in sorted(taxonomy.traits.all(), key=lambda t: (t.parent_id is not None, t.display_order)):
        clone = Trait.objects.create(
            taxonomy=draft,
            code=trait.code,
            parent=trait_map.get(trait.parent_id),
            **{f: getattr(trait, f) for f in TRAIT_EDITABLE_FIELDS},
        )
        clone.groups.set([group_map[g.pk] for g in trait.groups.all()])
        trait_map[trait.pk] = clone
    return draft


@transaction.atomic
def taxonomy_publish(*, taxonomy: Taxonomy) -> Taxonomy:
    if not taxonomy.traits.exists():
        raise ValidationError(f"Taxonomy '{taxonomy.name}' v{taxonomy.version} has no traits to publish.")
    taxonomy.status = Taxonomy.Status.PUBLISHED
    taxonomy.published_at = timezone.now()
    taxonomy.full_clean()
    taxonomy.save()
    return taxonomy


def _parent_by_code(taxonomy: Taxonomy, parent_code: str | None) -> Trait | None:
    if not parent_code:
        return None
    parent = taxonomy.traits.filter(code=parent_code).first()
    if parent is None:
        raise ValidationError({"parent": f"No trait '{parent_code}' in {taxonomy}."})
    return parent


@transaction.atomic
def trait_create(
    *, taxonomy: Taxonomy, code: str, name: str, significance: str, parent_code: str | None = None, **fields
) -> Trait:
    trait = Trait(taxonomy=taxonomy, code=code, name=name, significance=significance, **fields)
    trait.parent = _parent_by_code(taxonomy, parent_code)
    trait.full_clean()
    trait.save()
    return trait


@transaction.atomic
def trait_update(*, trait: Trait, parent_code: str | None = "", **fields) -> Trait:
    """Change a draft trait; `parent_code=None` detaches it, the default leaves the parent as is."""
    for name, value in fields.items():
        if name not in TRAIT_EDITABLE_FIELDS:
            raise ValueError(f"Trait field '{name}' cannot be edited.")
        setattr(trait, name, value)
    if parent_code != "":
        trait.parent = _parent_by_code(trait.taxonomy, parent_code)
    trait.full_clean()
    trait.save()
    return trait


@transaction.atomic
def trait_delete(*, trait: Trait) -> None:
    trait.delete()
