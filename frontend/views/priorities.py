"""Active-learning priorities for trainers: per campaign, the studies a model run would have read first, and why."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from annotation.selectors.campaigns import campaign_list
from core.decorators import role_required
from core.roles import CURATOR, TRAINER, has_role
from datasets.models import ModelRun
from datasets.selectors.model_runs import model_run_latest, model_run_list
from datasets.selectors.priorities import campaign_priorities_preview
from datasets.services.active_learning import campaign_priorities_push
from frontend.views.params import page_int

PUSH_ROLES = (TRAINER, CURATOR)  # as the active-learning policy API: trainers own runs, curators own campaigns


def _run_param(params) -> ModelRun | None:
    """The `run` named by a query or form (None when absent); a malformed or unknown id is a 404."""
    run_id = page_int(params, "run")
    return get_object_or_404(ModelRun, pk=run_id) if run_id else None


@role_required(TRAINER, CURATOR)
def priorities_index(request):
    return render(request, "frontend/priorities/index.html", {
        "campaigns": campaign_list(user=request.user).order_by("-created_at"), "latest_run": model_run_latest(),
    })


@role_required(TRAINER, CURATOR)
def campaign_priorities(request, campaign_id: int):
    campaign = get_object_or_404(campaign_list(user=request.user), pk=campaign_id)
    preview = campaign_priorities_preview(campaign=campaign, run=_run_param(request.GET))
    return render(request, "frontend/priorities/campaign.html", {
        "preview": preview, "runs": model_run_list().order_by("-imported_at")[:50],
        "can_push": has_role(request.user, *PUSH_ROLES) and campaign.status != campaign.Status.CLOSED,
    })


@role_required(TRAINER, CURATOR)
def campaign_priorities_push_view(request, campaign_id: int):
    if request.method != "POST":
        return redirect("priorities-campaign", campaign_id=campaign_id)
    if not has_role(request.user, *PUSH_ROLES):
        raise PermissionDenied("Only trainers and curators change a campaign's worklist.")
    campaign = get_object_or_404(campaign_list(user=request.user), pk=campaign_id)
    run = _run_param(request.POST)
    if run is None:
        raise Http404("Choose the run whose priorities to push.")
    try:
        updated = campaign_priorities_push(campaign=campaign, run=run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Pushed the priorities of {run} into the worklist of '{campaign.name}': "
                                  f"{updated} studies re-ranked.")
    return redirect(f"{reverse('priorities-campaign', args=[campaign.pk])}?run={run.pk}")
