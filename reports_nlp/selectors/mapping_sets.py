"""Mapping set reads, and the stored set as the pipeline's plain data."""

from django.db.models import Count, QuerySet

from reports_nlp.models import MappingSet
from reports_nlp.pipeline import mapping as pm


def mapping_set_list() -> QuerySet[MappingSet]:
    return MappingSet.objects.select_related("taxonomy").annotate(mapping_count=Count("mappings"))


def mapping_set_get(*, version: int | None = None) -> MappingSet:
    """The given version, or the latest published one; raises MappingSet.DoesNotExist."""
    if version is not None:
        return MappingSet.objects.get(version=version)
    latest = MappingSet.objects.filter(status=MappingSet.Status.PUBLISHED).order_by("-version").first()
    if latest is None:
        raise MappingSet.DoesNotExist("No published mapping set.")
    return latest


def mapping_set_dict(mapping_set: MappingSet) -> dict:
    """{"version", "traits": {code: {...}}}, the pipeline's plain-data form."""
    mappings = list(mapping_set.mappings.select_related("trait__parent"))
    codes = {m.trait.code for m in mappings}
    traits = {}
    for m in mappings:
        parent = m.trait.parent.code if m.trait.parent_id and m.trait.parent.code in codes else None
        traits[m.trait.code] = {
            "phrases": m.phrases, "exclusions": m.exclusions, "sections": m.sections, "weight": m.weight,
            "parent": parent, "normal_phrases": m.normal_phrases, "implies": m.implies, "chronic": m.chronic,
        }
    return {"version": f"v{mapping_set.version}", "traits": traits}


def mapping_set_spec(mapping_set: MappingSet) -> pm.MappingSpec:
    """The stored set as the pipeline's MappingSpec; raises MappingError naming a bad trait field."""
    return pm.mapping_spec_from_dict(mapping_set_dict(mapping_set))
