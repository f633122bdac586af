"""Where a model run's ensemble looked: one study's Grad-CAM maps for one trait (docs/run-format.md, saliency)."""

from django.db import models


class StudySaliency(models.Model):
    """float16 maps (positions, rows, cols) of one trait in one study, with the slice each map belongs to."""

    run = models.ForeignKey("datasets.ModelRun", on_delete=models.CASCADE, related_name="saliency")
    study = models.ForeignKey("curation.Study", on_delete=models.CASCADE, related_name="+")
    trait = models.CharField(max_length=64)
    probability = models.FloatField()
    n_slices = models.PositiveIntegerField(help_text="Slices of the study's primary axial series.")
    positions = models.JSONField(help_text="In-study slice index of each map, inferior to superior.")
    rows = models.PositiveSmallIntegerField()
    cols = models.PositiveSmallIntegerField()
    maps = models.BinaryField(help_text="float16 little-endian, C order (positions, rows, cols), each in [0, 1].")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "study", "trait"], name="studysaliency_one_per_trait")]

    def __str__(self):
        return f"run {self.run_id} study {self.study_id} {self.trait}"
