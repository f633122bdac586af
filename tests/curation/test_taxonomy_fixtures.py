"""A published taxonomy can be dumped and restored (loaddata, tests' serialized rollback) without tripping
its immutability guard, while a live edit of the restored rows is still refused."""

import pytest
from django.core import serializers

from curation.models import Taxonomy, TaxonomyPublishedError, Trait, TraitGroup

pytestmark = pytest.mark.django_db


def test_restoring_a_published_taxonomy_from_a_dump_is_not_an_edit():
    v1 = Taxonomy.objects.get(version=1)
    dump = serializers.serialize("json", [v1, *TraitGroup.objects.filter(taxonomy=v1),
                                          *Trait.objects.filter(taxonomy=v1).order_by("parent_id", "pk")])
    Trait.groups.through.objects.filter(trait__taxonomy=v1).delete()  # as a flush would leave it
    for obj in serializers.deserialize("json", dump):
        obj.save()
    ich = Trait.objects.get(taxonomy=v1, code="intracranial_hemorrhage")
    assert {g.kind for g in ich.groups.all()} == {"significance", "location", "type"}
    with pytest.raises(TaxonomyPublishedError):
        ich.groups.clear()
