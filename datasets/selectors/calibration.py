"""How many studies at consensus could a model report without a miss: those with no high-significance finding."""

from annotation.models import CampaignStudy, Consensus


def campaigns_reportable(*, campaign_ids: list[int]) -> tuple[int, int]:
    """(studies at consensus in the campaigns, those of them without any high-significance positive)."""
    entries = CampaignStudy.objects.filter(campaign_id__in=campaign_ids, status=CampaignStudy.Status.COMPLETE,
                                           is_gold=False)
    n_studies = entries.values("study_id").distinct().count()
    positive = (Consensus.objects.filter(campaign_study__in=entries, trait__significance="high", label="present")
                .values("campaign_study__study_id").distinct().count())
    return n_studies, n_studies - positive
