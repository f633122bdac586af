"""The default taxonomy, its immutability once published, cloning, and the tree API."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from curation import default_taxonomy as dt
from curation.models import Taxonomy, TaxonomyPublishedError, Trait, TraitGroup
from curation.selectors.taxonomy import taxonomy_tree
from curation.services.taxonomy import taxonomy_clone, taxonomy_publish, trait_create, trait_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1():
    return Taxonomy.objects.get(name=dt.TAXONOMY_NAME, version=1)


def test_default_taxonomy_has_the_papers_thirty_traits_and_ich_subtypes(v1):
    assert v1.is_published and v1.published_at is not None
    top = v1.traits.filter(parent=None)
    assert top.count() == 30
    assert set(top.values_list("code", flat=True)) == set(dt.TOP_LEVEL_CODES)
    ich = v1.traits.get(code="intracranial_hemorrhage")
    assert set(ich.children.values_list("code", flat=True)) == {
        "epidural_hemorrhage", "subdural_hemorrhage", "subarachnoid_hemorrhage",
        "intraventricular_hemorrhage", "intraparenchymal_hemorrhage",
    }
    high = set(v1.traits.filter(parent=None, significance="high").values_list("code", flat=True))
    assert high == {"intracranial_hemorrhage", "acute_infarct", "depressed_skull_fracture", "intracranial_mass"}
    assert v1.traits.get(code="white_matter_ischemia").prevalence == pytest.approx(17.0)


def test_every_trait_has_significance_location_and_type_groups_and_a_unique_hotkey(v1):
    for trait in v1.traits.prefetch_related("groups"):
        kinds = {g.kind for g in trait.groups.all()}
        assert kinds == {"significance", "location", "type"}, trait.code
        assert trait.groups.get(kind="significance").name == trait.significance
    hotkeys = list(v1.traits.values_list("hotkey", flat=True))
    assert all(hotkeys) and len(set(hotkeys)) == len(hotkeys)


def test_published_taxonomy_refuses_every_kind_of_edit(v1):
    trait = v1.traits.get(code="hydrocephalus")
    with pytest.raises(TaxonomyPublishedError, match="published and immutable"):
        trait_update(trait=trait, name="Ventriculomegaly")
    with pytest.raises(TaxonomyPublishedError):
        trait_create(taxonomy=v1, code="new_trait", name="New", significance="low")
    with pytest.raises(TaxonomyPublishedError):
        trait.delete()
    with pytest.raises(TaxonomyPublishedError), transaction.atomic():  # m2m edits run without a savepoint
        trait.groups.clear()
    with pytest.raises(TaxonomyPublishedError):
        TraitGroup.objects.create(taxonomy=v1, kind="type", name="extra")
    v1.description = "changed"
    with pytest.raises(TaxonomyPublishedError):
        v1.save()
    assert Trait.objects.get(pk=trait.pk).name == "Hydrocephalus"


def test_clone_makes_an_editable_draft_with_the_same_tree(v1):
    draft = taxonomy_clone(taxonomy=v1)
    assert (draft.version, draft.status) == (2, "draft")
    assert taxonomy_tree(taxonomy=draft)["traits"] == _strip_ids(taxonomy_tree(taxonomy=v1)["traits"], draft)
    trait_update(trait=draft.traits.get(code="hydrocephalus"), name="Hydrocephalus (communicating or not)")
    trait_create(taxonomy=draft, code="chronic_sdh", name="Chronic SDH", significance="high",
                 parent_code="intracranial_hemorrhage", hotkey="F1")
    taxonomy_publish(taxonomy=draft)
    assert draft.traits.get(code="chronic_sdh").parent.code == "intracranial_hemorrhage"
    assert v1.traits.count() == 35 and draft.traits.count() == 36


def _strip_ids(nodes, draft):
    # Same tree, but the clone's rows have their own ids.
    ids = dict(draft.traits.values_list("code", "id"))
    return [{**n, "id": ids[n["code"]], "children": _strip_ids(n["children"], draft)} for n in nodes]


def test_a_cycle_in_the_hierarchy_is_refused(v1):
    draft = taxonomy_clone(taxonomy=v1)
    with pytest.raises(ValidationError, match="makes a cycle"):
        trait_update(trait=draft.traits.get(code="intracranial_hemorrhage"), parent_code="subdural_hemorrhage")
    with pytest.raises(ValidationError, match="makes a cycle"):
        trait_update(trait=draft.traits.get(code="fracture"), parent_code="fracture")


def test_a_parent_from_another_version_and_a_duplicate_hotkey_are_refused(v1):
    draft = taxonomy_clone(taxonomy=v1)
    trait = draft.traits.get(code="lipoma")
    trait.parent = v1.traits.get(code="neoplasm")
    with pytest.raises(ValidationError, match="another taxonomy version"):
        trait.full_clean()
    with pytest.raises(ValidationError, match="already used"):
        trait_update(trait=draft.traits.get(code="lipoma"), hotkey=draft.traits.get(code="lacune").hotkey)
