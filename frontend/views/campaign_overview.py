"""The campaign overview for curators: progress, agreement per trait as a forest plot, studies awaiting
adjudication, and the studies with their consensus, one page at a time and filtered by status or trait."""

from django.shortcuts import get_object_or_404, render

from annotation.models import Campaign, CampaignStudy
from annotation.selectors.agreement import FOREST_STATISTICS as METRICS
from annotation.selectors.agreement import agreement_forest
from annotation.selectors.campaigns import campaign_list, campaign_progress, campaign_study_page
from core.decorators import role_required
from core.roles import CURATOR
from frontend.forest_plot import forest_plot
from frontend.views.params import page_int

# Fewer bootstrap replicates than the API's default keep the first view after a read quick; the API gives the full
# figures. The table is cached until the next read.
PAGE_BOOTSTRAP = 300
PAGE_SIZE = 50
WAITING_SHOWN = 20


def _agreement_rows(campaign: Campaign) -> tuple[list[dict], int]:
    """Traits some reader called present or uncertain, with three agreement figures; the all-absent ones are counted."""
    table = agreement_forest(campaign=campaign, n_boot=PAGE_BOOTSTRAP)
    names = dict(campaign.taxonomy.traits.values_list("code", "name"))
    rows = [{"code": t["trait"], "name": names.get(t["trait"], t["trait"]), "n": t["krippendorff_alpha"]["n_studies"],
             "metrics": [{"value": t[m]["value"], "low": t[m]["ci_low"], "high": t[m]["ci_high"]} for m in METRICS]}
            for t in table["traits"]]
    return rows, table["quiet"]


def _filters(request, campaign: Campaign) -> dict:
    """The table's filters from the query: a known status, a trait code of the campaign's taxonomy (else none)."""
    status = request.GET.get("status") or ""
    trait = request.GET.get("trait") or ""
    codes = list(campaign.taxonomy.traits.order_by("display_order", "code").values_list("code", flat=True))
    return {"status": status if status in CampaignStudy.Status.values else "",
            "trait": trait if trait in codes else "", "codes": codes}


@role_required(CURATOR)
def campaign_index(request):
    campaigns = [(c, campaign_progress(campaign=c)) for c in campaign_list(user=request.user)]
    return render(request, "frontend/reading/campaigns.html", {"campaigns": campaigns})


@role_required(CURATOR)
def campaign_overview(request, campaign_id: int):
    campaign = get_object_or_404(Campaign.objects.select_related("taxonomy"), pk=campaign_id)
    filters = _filters(request, campaign)
    page = page_int(request.GET, "page") or 1
    studies, total = campaign_study_page(campaign=campaign, status=filters["status"] or None,
                                         trait=filters["trait"] or None, limit=PAGE_SIZE,
                                         offset=(page - 1) * PAGE_SIZE)
    waiting, n_waiting = campaign_study_page(campaign=campaign, status=CampaignStudy.Status.ADJUDICATION,
                                             limit=WAITING_SHOWN)
    agreement, quiet = _agreement_rows(campaign)
    return render(request, "frontend/reading/campaign.html", {
        "agreement": agreement,
        "agreement_quiet": quiet,
        "forest": forest_plot(agreement) if agreement else None,
        "campaign": campaign,
        "progress": campaign_progress(campaign=campaign),
        "waiting": waiting, "n_waiting": n_waiting,
        "studies": studies, "total": total, "filters": filters,
        "page": page, "pages": max(1, -(-total // PAGE_SIZE)), "statuses": CampaignStudy.Status.values,
    })
