"""The campaign builder for curators: create and edit a campaign (settings, taxonomy, readers, adjudicators, blinding,
what readers may see), add studies from the ranked report-mining candidates or an archive query, gold studies,
activate and close.

Every write is an `annotation.services.campaigns` call, so the page refuses what the API refuses; a refused form is
shown again with what the curator typed and the reason beside the field.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from annotation.models import Campaign
from annotation.selectors.campaigns import campaign_progress, campaign_study_ids
from annotation.services.audit import audit_source_from
from annotation.services.campaigns import (
    campaign_activate,
    campaign_add_filtered,
    campaign_add_selected_candidates,
    campaign_close,
    campaign_create,
    campaign_revise,
    campaign_studies_add,
)
from core.decorators import role_required
from core.roles import CURATOR
from frontend.forms import form_add_refusal
from frontend.forms.campaigns import ArchiveQueryForm, CampaignForm, GoldStudyForm
from reports_nlp.selectors.candidates import study_priorities, study_priority_count
from reports_nlp.selectors.mining import mining_run_latest_done

CANDIDATES_SHOWN = 50


@role_required(CURATOR)
def campaign_new(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(created_by=request.user, source=audit_source_from(request),
                                       **form.campaign_fields())
        except ValidationError as exc:
            form_add_refusal(form, exc)
        else:
            messages.info(request, f"Campaign {campaign.name} created as a draft: add studies, then activate it.")
            return redirect("campaign-edit", campaign_id=campaign.pk)
    return render(request, "frontend/campaigns/edit.html", {"form": form, "campaign": None},
                  status=400 if form.errors else 200)


def _candidates(campaign: Campaign) -> dict:
    """The latest mining run's best studies with their ranking, those already in the campaign marked."""
    run = mining_run_latest_done()
    if run is None:
        return {"run": None, "rows": [], "total": 0}
    present = campaign_study_ids(campaign=campaign)
    rows = [{**row, "in_campaign": row["study_id"] in present, "rank": rank}
            for rank, row in enumerate(study_priorities(run=run, limit=CANDIDATES_SHOWN), start=1)]
    return {"run": run, "rows": rows, "total": study_priority_count(run=run)}


def _trait_codes(campaign: Campaign) -> list[str]:
    return list(campaign.taxonomy.traits.values_list("code", flat=True))


def _edit_page(request, campaign: Campaign, form=None, *, query_form=None, gold_form=None, status: int = 200):
    """The builder; a refused form is passed in bound, so it shows what was typed beside the reason."""
    return render(request, "frontend/campaigns/edit.html", {
        "campaign": campaign, "form": form or CampaignForm(instance=campaign),
        "progress": campaign_progress(campaign=campaign), "candidates": _candidates(campaign),
        "query_form": query_form or ArchiveQueryForm(),
        "gold_form": gold_form or GoldStudyForm(codes=_trait_codes(campaign)),
    }, status=status)


@role_required(CURATOR)
def campaign_edit(request, campaign_id: int):
    campaign = get_object_or_404(Campaign.objects.select_related("taxonomy"), pk=campaign_id)
    if request.method != "POST":
        return _edit_page(request, campaign)
    form = CampaignForm(request.POST, instance=campaign)
    if form.is_valid():
        try:
            campaign_revise(campaign=campaign, actor=request.user, source=audit_source_from(request),
                            **form.campaign_fields())
        except ValidationError as exc:
            form_add_refusal(form, exc)
        else:
            messages.info(request, f"Campaign {campaign.name} saved.")
            return redirect("campaign-edit", campaign_id=campaign.pk)
    campaign.refresh_from_db()  # the page's other parts show the stored campaign, the form what was typed
    return _edit_page(request, campaign, form, status=400)


def _report_added(request, result: dict) -> None:
    added, present = len(result["added"]), len(result["already_in_campaign"])
    messages.info(request, f"{added} stud{'y' if added == 1 else 'ies'} added, {present} already in the campaign."
                  + (f" Not in the archive: {', '.join(result['missing'])}."
                     if result.get("missing") else ""))


def _campaign_write(request, campaign_id: int, write) -> object:
    """Run one write on the campaign; a refusal becomes the page's error message. Back to the builder either way."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    try:
        write(campaign, audit_source_from(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("campaign-edit", campaign_id=campaign.pk)


@role_required(CURATOR)
@require_POST
def campaign_add_candidates_page(request, campaign_id: int):
    run = mining_run_latest_done()
    chosen = [s for s in request.POST.getlist("study") if s.isdigit()]
    if run is None or not chosen:
        messages.error(request, "Select at least one candidate study.")
        return redirect("campaign-edit", campaign_id=campaign_id)
    return _campaign_write(request, campaign_id, lambda campaign, source: _report_added(
        request, campaign_add_selected_candidates(campaign=campaign, run=run, study_ids=chosen, actor=request.user,
                                                  source=source)))


@role_required(CURATOR)
@require_POST
def campaign_add_query(request, campaign_id: int):
    form = ArchiveQueryForm(request.POST)
    if not form.is_valid():
        campaign = get_object_or_404(Campaign.objects.select_related("taxonomy"), pk=campaign_id)
        return _edit_page(request, campaign, query_form=form, status=400)
    return _campaign_write(request, campaign_id, lambda campaign, source: _report_added(
        request, campaign_add_filtered(campaign=campaign, actor=request.user, source=source, **form.cleaned_data)))


@role_required(CURATOR)
@require_POST
def campaign_add_gold(request, campaign_id: int):
    campaign = get_object_or_404(Campaign.objects.select_related("taxonomy"), pk=campaign_id)
    form = GoldStudyForm(request.POST, codes=_trait_codes(campaign))
    if not form.is_valid():
        return _edit_page(request, campaign, gold_form=form, status=400)
    gold = [{"study_uid": form.cleaned_data["study_uid"].strip(), "positives": form.cleaned_data["positives"]}]
    return _campaign_write(request, campaign_id, lambda campaign, source: _report_added(
        request, campaign_studies_add(campaign=campaign, gold=gold, actor=request.user, source=source)))


@role_required(CURATOR)
@require_POST
def campaign_status(request, campaign_id: int, action: str):
    """Activate a draft or close a campaign; the service says why it cannot."""
    change = {"activate": campaign_activate, "close": campaign_close}.get(action)
    if change is None:
        messages.error(request, f"Unknown action '{action}': activate or close.")
        return redirect("campaign-edit", campaign_id=campaign_id)
    return _campaign_write(request, campaign_id, lambda campaign, source: (
        change(campaign=campaign, actor=request.user, source=source),
        messages.info(request, f"Campaign {campaign.name} is {campaign.status}.")))
