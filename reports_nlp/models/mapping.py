"""Keyword mappings: per taxonomy trait, the phrases that assert it, versioned together as a mapping set.

A mapping set also carries the ConText assertion rules (triggers, direction, scope, terminators,
pseudo-triggers) as data, so curators extend them the same way they edit phrases. A published set
is immutable: a mining run records which set it used, and that must stay reproducible.
"""

from django.db import models

from core.immutable import FrozenWithParent, Publishable, PublishedError


class MappingSetPublishedError(PublishedError):
    """Raised on any attempt to change a published mapping set."""

    def __init__(self, mapping_set):
        super().__init__(
            f"Mapping set v{mapping_set.version} is published and immutable; clone it into a new draft to change it.",
            code="mapping_set_published",
        )


class MappingSet(Publishable):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = Publishable.PUBLISHED, "Published"

    published_error = MappingSetPublishedError

    version = models.PositiveIntegerField(unique=True)
    taxonomy = models.ForeignKey("curation.Taxonomy", on_delete=models.PROTECT, related_name="mapping_sets")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(blank=True)
    context_rules = models.JSONField(default=list, blank=True, help_text="ConText assertion rules, as data.")
    cloned_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="clones")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"mapping set v{self.version} ({self.status})"



class KeywordMapping(FrozenWithParent):
    frozen_parent = "mapping_set"

    mapping_set = models.ForeignKey(MappingSet, on_delete=models.CASCADE, related_name="mappings")
    trait = models.ForeignKey("curation.Trait", on_delete=models.PROTECT, related_name="keyword_mappings")
    phrases = models.JSONField(default=list, help_text="Phrases that assert the trait (lowercase matching).")
    exclusions = models.JSONField(default=list, blank=True, help_text="Phrases that veto a match they contain.")
    sections = models.JSONField(default=list, blank=True, help_text="Sections it applies to; empty: all.")
    weight = models.FloatField(default=1.0)
    normal_phrases = models.JSONField(
        default=list, blank=True, help_text="Normal statements that say the trait is absent ('ventricles are normal').")
    implies = models.JSONField(default=list, blank=True, help_text="Trait codes a match also asserts.")
    chronic = models.BooleanField(default=False, help_text="A chronic trait: 'old'/'remote' cues still assert it.")

    class Meta:
        ordering = ["trait__display_order", "trait__code"]
        constraints = [
            models.UniqueConstraint(fields=["mapping_set", "trait"], name="keywordmapping_trait_unique_per_set"),
        ]

    def __str__(self):
        return f"{self.trait.code} in v{self.mapping_set.version}"
