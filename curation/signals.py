"""Signal receivers that keep published taxonomies immutable where save() is bypassed (m2m edits)."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import Taxonomy, TaxonomyPublishedError, Trait


@receiver(m2m_changed, sender=Trait.groups.through)
def refuse_group_changes_on_published(sender, instance, action, **kwargs):
    # instance is a Trait or a TraitGroup depending on which side of the relation was edited.
    if action.startswith("pre_"):
        taxonomy = Taxonomy.objects.filter(pk=instance.taxonomy_id).first()
        if taxonomy is not None and taxonomy.is_published:
            raise TaxonomyPublishedError(taxonomy)
