"""Mapping sets: the default set, versioning (published is immutable, clone to a draft), rules as data."""

import pytest
from django.core.exceptions import ValidationError

from curation.default_taxonomy import DEFAULT_TRAITS
from reports_nlp.models import KeywordMapping, MappingSet, MappingSetPublishedError
from reports_nlp.pipeline_cache import pipeline_for
from reports_nlp.services.mapping_sets import (
    keyword_mapping_update,
    mapping_set_clone,
    mapping_set_publish,
    mapping_set_rules_update,
)

pytestmark = pytest.mark.django_db


def _v1() -> MappingSet:
    return MappingSet.objects.get(version=1)


def test_the_default_set_is_published_with_every_trait_and_subtype_and_the_rules():
    v1 = _v1()
    assert v1.is_published
    assert {m.trait.code for m in v1.mappings.select_related("trait")} == {t.code for t in DEFAULT_TRAITS}
    hydro = v1.mappings.get(trait__code="hydrocephalus")
    assert "ventriculomegaly" in hydro.phrases
    assert any(r["category"] == "pseudo" for r in v1.context_rules)


def test_editing_a_published_set_is_refused():
    mapping = _v1().mappings.get(trait__code="lacune")
    before = list(mapping.phrases)
    with pytest.raises(MappingSetPublishedError, match="published and immutable"):
        keyword_mapping_update(mapping=mapping, phrases=["small hole"])
    with pytest.raises(MappingSetPublishedError):
        mapping_set_rules_update(mapping_set=_v1(), rules=[])
    assert KeywordMapping.objects.get(pk=mapping.pk).phrases == before
    with pytest.raises(MappingSetPublishedError):
        KeywordMapping.objects.get(pk=mapping.pk).delete()


def test_clone_edit_and_publish_a_new_version_while_v1_is_unchanged():
    draft = mapping_set_clone(mapping_set=_v1(), description="pruned")
    assert (draft.version, draft.status, draft.mappings.count()) == (2, "draft", _v1().mappings.count())
    mapping = draft.mappings.get(trait__code="hydrocephalus")
    keyword_mapping_update(mapping=mapping, phrases=["hydrocephalus", "ventriculomegaly", "Big Ventricles"])
    assert draft.mappings.get(trait__code="hydrocephalus").phrases[-1] == "big ventricles"
    assert "big ventricles" not in _v1().mappings.get(trait__code="hydrocephalus").phrases
    mapping_set_publish(mapping_set=draft)
    assert MappingSet.objects.get(version=2).is_published
    findings = pipeline_for(draft).mine("FINDINGS: Big ventricles.")
    assert [(f.trait, f.assertion) for f in findings] == [("hydrocephalus", "present")]


def test_invalid_edits_name_the_trait_and_field():
    draft = mapping_set_clone(mapping_set=_v1())
    mapping = draft.mappings.get(trait__code="lacune")
    with pytest.raises(ValidationError, match="lacune.*phrases"):
        keyword_mapping_update(mapping=mapping, phrases=[])
    with pytest.raises(ValidationError, match="category"):
        mapping_set_rules_update(mapping_set=draft, rules=[{"phrase": "sans", "category": "nope"}])


def test_curators_extend_the_assertion_rules_as_data():
    draft = mapping_set_clone(mapping_set=_v1())
    text = "FINDINGS: Sans hydrocephalus."
    assert pipeline_for(draft).mine(text)[0].assertion == "present"
    rules = [*draft.context_rules, {"phrase": "sans", "category": "negated", "direction": "forward"}]
    mapping_set_rules_update(mapping_set=draft, rules=rules)
    assert pipeline_for(MappingSet.objects.get(pk=draft.pk)).mine(text)[0].assertion == "absent"
