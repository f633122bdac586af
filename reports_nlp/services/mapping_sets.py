"""Mapping set use cases: clone into a draft, edit a trait's mapping or the assertion rules, publish.

Every edit is validated by the pipeline's own loaders, so a draft that saves is a draft that mines.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from curation.models import Taxonomy
from reports_nlp.models import KeywordMapping, MappingSet
from reports_nlp.pipeline.mapping import MappingError, trait_mapping_from_dict
from reports_nlp.pipeline.rules import RuleError, load_rules
from reports_nlp.selectors.mapping_sets import mapping_set_spec

MAPPING_FIELDS = ("phrases", "exclusions", "sections", "weight", "normal_phrases", "implies", "chronic")


def _next_version() -> int:
    return (MappingSet.objects.aggregate(v=Max("version"))["v"] or 0) + 1


@transaction.atomic
def mapping_set_clone(*, mapping_set: MappingSet, description: str = "", taxonomy: Taxonomy | None = None) -> MappingSet:
    """A new draft with the next version, the same rules and mappings; `taxonomy` re-targets them by trait code."""
    taxonomy = taxonomy or mapping_set.taxonomy
    draft = MappingSet(
        version=_next_version(), taxonomy=taxonomy, description=description or mapping_set.description,
        context_rules=mapping_set.context_rules, cloned_from=mapping_set,
    )
    draft.full_clean()
    draft.save()
    traits = {t.code: t for t in taxonomy.traits.all()}
    KeywordMapping.objects.bulk_create([
        KeywordMapping(mapping_set=draft, trait=traits[m.trait.code], **{f: getattr(m, f) for f in MAPPING_FIELDS})
        for m in mapping_set.mappings.select_related("trait")
        if m.trait.code in traits
    ])
    return draft


def _validated(trait_code: str, values: dict) -> dict:
    try:
        checked = trait_mapping_from_dict(trait_code, values)
    except MappingError as exc:
        raise ValidationError(str(exc)) from exc
    return {
        "phrases": list(checked.phrases), "exclusions": list(checked.exclusions),
        "sections": list(checked.sections), "weight": checked.weight,
        "normal_phrases": list(checked.normal_phrases), "implies": list(checked.implies), "chronic": checked.chronic,
    }


@transaction.atomic
def keyword_mapping_update(*, mapping: KeywordMapping, **fields) -> KeywordMapping:
    """Change phrases, exclusions, sections, weight, normal phrases, implied traits or chronicity of a draft's mapping."""
    unknown = set(fields) - set(MAPPING_FIELDS)
    if unknown:
        raise ValidationError(f"Mapping field(s) {sorted(unknown)} cannot be edited; editable: {MAPPING_FIELDS}.")
    values = {f: getattr(mapping, f) for f in MAPPING_FIELDS} | fields
    for name, value in _validated(mapping.trait.code, values).items():
        setattr(mapping, name, value)
    mapping.full_clean()
    mapping.save()
    return mapping


@transaction.atomic
def keyword_mapping_create(*, mapping_set: MappingSet, trait_code: str, **fields) -> KeywordMapping:
    trait = mapping_set.taxonomy.traits.filter(code=trait_code).first()
    if trait is None:
        raise ValidationError({"trait": f"No trait '{trait_code}' in {mapping_set.taxonomy}."})
    mapping = KeywordMapping(mapping_set=mapping_set, trait=trait, **_validated(trait_code, fields))
    mapping.full_clean()
    mapping.save()
    return mapping


@transaction.atomic
def mapping_set_rules_update(*, mapping_set: MappingSet, rules: list[dict]) -> MappingSet:
    """Replace the draft's ConText rules (curators add triggers, pseudo-triggers, terminators)."""
    try:
        load_rules(rules)
    except RuleError as exc:
        raise ValidationError({"context_rules": str(exc)}) from exc
    mapping_set.context_rules = rules
    mapping_set.full_clean()
    mapping_set.save()
    return mapping_set


@transaction.atomic
def mapping_set_publish(*, mapping_set: MappingSet) -> MappingSet:
    """Freeze a draft after checking that it builds: every phrase list, section and rule valid."""
    try:
        mapping_set_spec(mapping_set)
        load_rules(mapping_set.context_rules)
    except (MappingError, RuleError) as exc:
        raise ValidationError(f"Mapping set v{mapping_set.version} cannot be published: {exc}") from exc
    mapping_set.status = MappingSet.Status.PUBLISHED
    mapping_set.published_at = timezone.now()
    mapping_set.full_clean()
    mapping_set.save()
    return mapping_set
