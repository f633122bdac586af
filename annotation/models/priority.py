"""Priority scores per study and source (report mining, active learning), blended into the worklist order."""

from django.db import models


class PriorityScore(models.Model):
    campaign = models.ForeignKey("annotation.Campaign", on_delete=models.CASCADE, related_name="priority_scores")
    study = models.ForeignKey("curation.Study", on_delete=models.CASCADE, related_name="+")
    source = models.SlugField(max_length=64)
    score = models.FloatField()
    reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "study", "source"], name="priorityscore_one_per_source")
        ]

    def __str__(self):
        return f"{self.source}:{self.study_id}={self.score:.3f}"
