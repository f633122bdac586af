"""The campaign overview for curators: progress, agreement per trait, studies awaiting adjudication, consensus."""

from django.shortcuts import get_object_or_404, render

from annotation.models import Campaign
from annotation.selectors.agreement import agreement_table
from annotation.selectors.campaigns import campaign_list, campaign_progress
from annotation.selectors.consensus import consensus_labels
from core.decorators import role_required
from core.roles import CURATOR

# Fewer bootstrap replicates than the API's default keep the page quick; the API gives the full figures.
PAGE_BOOTSTRAP = 300
METRICS = ("fleiss_kappa", "krippendorff_alpha", "gwet_ac1")


def _study_rows(campaign: Campaign) -> list[dict]:
    """Per study: status and the consensus, positives first (with how each was reached), pending traits apart."""
    rows = []
    for study in consensus_labels(campaign=campaign, include_incomplete=True):
        traits = study["traits"]
        rows.append({
            "study_id": study["study_id"],
            "status": study["status"],
            "is_gold": study["is_gold"],
            "n_reads": len(study["reads"]),
            "positive": [(code, t["method"]) for code, t in traits.items() if t["label"] == "present"],
            "pending": [code for code, t in traits.items() if t["method"] == "pending"],
        })
    return rows


def _agreement_rows(campaign: Campaign) -> tuple[list[dict], int]:
    """Traits some reader called present or uncertain, with three agreement figures; the all-absent ones are counted."""
    table = agreement_table(campaign=campaign, n_boot=PAGE_BOOTSTRAP)
    names = dict(campaign.taxonomy.traits.values_list("code", "name"))
    rows, quiet = [], 0
    for trait in table["traits"]:
        n = trait["krippendorff_alpha"]["n_studies"]
        if not n:
            continue
        if not trait["positive_rate"] and all(trait[m]["value"] in (None, 1.0) for m in METRICS):
            quiet += 1
            continue
        rows.append({
            "code": trait["trait"], "name": names.get(trait["trait"], trait["trait"]), "n": n,
            "metrics": [{"value": trait[m]["value"], "low": trait[m]["ci_low"], "high": trait[m]["ci_high"]}
                        for m in METRICS],
        })
    return rows, quiet


@role_required(CURATOR)
def campaign_index(request):
    campaigns = [(c, campaign_progress(campaign=c)) for c in campaign_list(user=request.user)]
    return render(request, "frontend/reading/campaigns.html", {"campaigns": campaigns})


@role_required(CURATOR)
def campaign_overview(request, campaign_id: int):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    studies = _study_rows(campaign)
    agreement, quiet = _agreement_rows(campaign)
    return render(request, "frontend/reading/campaign.html", {
        "agreement": agreement,
        "agreement_quiet": quiet,
        "campaign": campaign,
        "progress": campaign_progress(campaign=campaign),
        "waiting": [s for s in studies if s["status"] == "adjudication"],
        "studies": studies,
    })
