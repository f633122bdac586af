"""The versioned trait taxonomy: what readers label, what reports are mined for, what models predict."""

from django.core.exceptions import ValidationError
from django.db import models

from core.immutable import FrozenWithParent, Publishable, PublishedError


class TaxonomyPublishedError(PublishedError):
    """Raised on any attempt to change a published taxonomy version."""

    def __init__(self, taxonomy):
        super().__init__(
            f"Taxonomy '{taxonomy.name}' v{taxonomy.version} is published and immutable; "
            "clone it into a new draft version to make changes.",
            code="taxonomy_published",
        )


class Significance(models.TextChoices):
    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"


class Taxonomy(Publishable):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = Publishable.PUBLISHED, "Published"

    published_error = TaxonomyPublishedError

    name = models.CharField(max_length=100)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "taxonomies"
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="taxonomy_name_version_unique")]

    def __str__(self):
        return f"{self.name} v{self.version} ({self.status})"


class _TaxonomyMember(FrozenWithParent):
    """Rows that belong to one taxonomy version and freeze with it."""

    frozen_parent = "taxonomy"

    class Meta:
        abstract = True


class TraitGroup(_TaxonomyMember):
    class Kind(models.TextChoices):
        SIGNIFICANCE = "significance", "Clinical significance"
        LOCATION = "location", "Location"
        TYPE = "type", "Type"

    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=64)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "kind", "name"], name="traitgroup_unique_per_taxonomy")
        ]

    def __str__(self):
        return f"{self.kind}: {self.name}"


class Trait(_TaxonomyMember):
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="traits")
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    significance = models.CharField(max_length=16, choices=Significance.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    display_order = models.PositiveIntegerField(default=0)
    hotkey = models.CharField(max_length=16, blank=True)
    prevalence = models.FloatField(default=0.0, help_text="Expected percent of studies (for sampling and loss weights).")
    groups = models.ManyToManyField(TraitGroup, blank=True, related_name="traits")

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="trait_code_unique_per_taxonomy"),
        ]

    def __str__(self):
        return self.code

    def clean(self):
        self._clean_hotkey()
        self._clean_parent()

    def _clean_hotkey(self):
        if self.hotkey and (
            Trait.objects.filter(taxonomy_id=self.taxonomy_id, hotkey=self.hotkey).exclude(pk=self.pk).exists()
        ):
            raise ValidationError({"hotkey": f"Hotkey '{self.hotkey}' is already used in this taxonomy."})

    def _clean_parent(self):
        if self.parent_id is None:
            return
        parent = self.parent
        if parent.taxonomy_id != self.taxonomy_id:
            raise ValidationError({"parent": f"Parent '{parent.code}' belongs to another taxonomy version."})
        seen = {self.pk} if self.pk else set()
        node = parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": f"Setting parent '{parent.code}' on '{self.code}' makes a cycle."})
            seen.add(node.pk)
            node = node.parent
