"""Signals of `curation`: receivers keeping published taxonomies immutable, and the archive's `study_ingested`."""

from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import Signal, receiver

from .models import Taxonomy, TaxonomyPublishedError, Trait


@receiver(pre_save, sender=Trait)
def mark_fixture_loads(sender, instance, raw, **kwargs):
    # loaddata (and tests' serialized rollback) restores rows raw, then sets their m2m on the same object:
    # restoring what was published is not editing it.
    if raw:
        instance._loaded_raw = True


@receiver(m2m_changed, sender=Trait.groups.through)
def refuse_group_changes_on_published(sender, instance, action, **kwargs):
    # instance is a Trait or a TraitGroup depending on which side of the relation was edited.
    if action.startswith("pre_") and not getattr(instance, "_loaded_raw", False):
        taxonomy = Taxonomy.objects.filter(pk=instance.taxonomy_id).first()
        if taxonomy is not None and taxonomy.is_published:
            raise TaxonomyPublishedError(taxonomy)


# Sent with `study=` when ingest creates a new study (after its batch is committed), so later layers
# (reports linking by accession pseudonym) can react without curation importing them.
study_ingested = Signal()
