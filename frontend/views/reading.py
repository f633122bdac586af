"""The reading room's pages for radiologists: the worklist, "start reading" (next study) and the blinded reading page.

The pages compose `annotation`'s selectors and services; drafts and submissions go from the browser to the
annotation REST API, so the page and any other client follow the same rules.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from annotation.models import Assignment, Campaign, Read
from annotation.selectors.campaigns import campaign_progress
from annotation.selectors.reads import read_labels, reads_amendable, with_labels
from annotation.selectors.worklist import assignment_context, assignments_for_reader, worklist_summary
from annotation.services.audit import audit_source_from
from annotation.services.worklist import worklist_next
from core.decorators import role_required
from core.roles import RADIOLOGIST
from curation.selectors.archive import study_axial_series
from datasets.selectors.second_opinion import second_opinions_ready
from frontend.views.adjudication import adjudications_for
from frontend.views.series_source import early_pixel_urls, series_config


@role_required(RADIOLOGIST)
def worklist(request):
    campaigns = [
        {**row, "done": row["submitted"], "remaining": row["available"], "reserved": row["current_assignment_id"]}
        for row in worklist_summary(reader=request.user)
    ]
    return render(request, "frontend/reading/worklist.html", {
        "campaigns": campaigns,
        "recent_reads": _recent_reads(request.user),
        "adjudications": adjudications_for(request.user),
        "second_opinions": second_opinions_ready(user=request.user),
    })


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


RECENT_READS = 15


def _recent_reads(reader) -> list[Read]:
    return list(reads_amendable(reader=reader).order_by("-submitted_at", "-id")[:RECENT_READS])


@role_required(RADIOLOGIST)
@require_POST
def reading_next(request, campaign_id: int):
    """Reserve the reader's next study of the campaign and open it; back to the worklist when none is left.

    Asked for JSON (the reading page after a submit), it answers where to go and, for a study, the page's data,
    so the page opens the next study in place: no new page, no second start of the viewer.
    """
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    try:
        assignment = worklist_next(reader=request.user, campaign=campaign, source=audit_source_from(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        assignment = None
    else:
        if assignment is None:
            messages.info(request, f"Nothing left for you to read in {campaign.name}. Thank you.")
    if assignment is None:
        return JsonResponse({"url": reverse("reading-worklist")}) if _wants_json(request) else redirect("reading-worklist")
    if not _wants_json(request):
        return redirect("reading-read", assignment_id=assignment.pk)
    page = _reading_page(request, assignment)
    return JsonResponse({
        "url": reverse("reading-read", args=[assignment.pk]),
        # A page that shows other reads, or a study that cannot be read here, is rendered by the server.
        "page": None if page is None or page["other_reads"] or page["mined_verdicts"] else {
            k: page[k] for k in ("study_label", "progress", "config")
        },
    })


def _reading_config(request, ctx: dict, campaign: Campaign) -> dict:
    assignment_id = ctx["assignment_id"]
    return {
        "assignment_id": assignment_id,
        "taxonomy_url": reverse("curation:taxonomy-detail", args=[ctx["taxonomy_id"]]),
        "series": series_config(study_uid=ctx["study_uid"], series_uid=ctx["primary_series_uid"]),
        "axial_series": study_axial_series(study_id=ctx["study_id"]),
        "draft_url": reverse("annotation:assignment-draft", args=[assignment_id]),
        "submit_url": reverse("annotation:assignment-submit", args=[assignment_id]),
        "next_url": reverse("reading-next", args=[campaign.pk]),
        "slice_ranges": ctx["slice_ranges"],
        "n_slices": ctx["n_slices"],
        # Labels, note and time only: the draft's ids and timestamps stay on the server.
        "draft": None if ctx["draft"] is None else {
            k: ctx["draft"][k] for k in ("labels", "note", "time_spent_s")
        },
        # Per reader and assignment, so two readers on one browser never restore each other's work.
        "storage_key": f"radcurate-draft-{request.user.pk}-{assignment_id}",
    }


def _reading_page(request, assignment: Assignment) -> dict | None:
    """What the reading page shows for one reserved assignment; None when the study has no series to read."""
    ctx = assignment_context(assignment=assignment)
    if not ctx["primary_series_uid"]:
        return None
    campaign = assignment.campaign
    # Aggregates only: this page is on the submit-and-next path, so it avoids the per-study worklist summary.
    done = assignments_for_reader(reader=request.user, campaign=campaign, status=Assignment.Status.SUBMITTED).count()
    return {
        "assignment": assignment,
        "campaign": campaign,
        "study_label": assignment.campaign_study_id,
        "progress": {"done": done, "outstanding": campaign_progress(campaign=campaign)["reads_outstanding"]},
        "config": _reading_config(request, ctx, campaign),
        # Only when the campaign allows it (the selector gives None otherwise): the other readers, names hidden.
        "other_reads": [
            {"reader": r["reader"], "called": sorted(c for c, state in r["labels"].items() if state != "absent"),
             "note": r["note"]}
            for r in ctx["other_reads"] or []
        ],
        "mined_verdicts": ctx["mined_verdicts"],
        **early_pixel_urls(study_uid=ctx["study_uid"], series_uid=ctx["primary_series_uid"]),
    }


@role_required(RADIOLOGIST)
def reading_read(request, assignment_id: int):
    """The blinded reading page: the study's primary axial series and the form; nothing of other reads."""
    assignment = Assignment.objects.select_related("campaign", "campaign_study__study__primary_series").filter(
        pk=assignment_id, reader=request.user
    ).first()
    if assignment is None:
        raise Http404("No such assignment of yours.")
    if assignment.status == Assignment.Status.SUBMITTED:
        messages.info(request, "That study is already submitted.")
        return redirect("reading-worklist")
    page = _reading_page(request, assignment)
    if page is None:
        messages.error(request, "This study has no axial series to read; please tell a curator.")
        return redirect("reading-worklist")
    return render(request, "frontend/reading/read.html", page)


def _amend_config(ctx: dict, read: Read) -> dict:
    return {
        "mode": "amend",
        "read_id": read.pk,
        "version": read.version,
        "amend_url": reverse("annotation:read-amend", args=[read.pk]),
        "done_url": reverse("reading-worklist"),
        "taxonomy_url": reverse("curation:taxonomy-detail", args=[ctx["taxonomy_id"]]),
        "series": series_config(study_uid=ctx["study_uid"], series_uid=ctx["primary_series_uid"]),
        "axial_series": study_axial_series(study_id=ctx["study_id"]),
        "slice_ranges": ctx["slice_ranges"],
        "n_slices": ctx["n_slices"],
        "read": {"labels": read_labels(read), "note": read.note},
    }


@role_required(RADIOLOGIST)
def reading_amend(request, read_id: int):
    """One of the reader's own submitted reads, reopened in the reading page; saving it adds a new version."""
    read = with_labels(reads_amendable(reader=request.user)).filter(pk=read_id).first()
    if read is None:
        messages.info(request, "Only the latest version of one of your submitted reads can be amended.")
        return redirect("reading-worklist")
    ctx = assignment_context(assignment=read.assignment)
    return render(request, "frontend/reading/read.html", {
        "assignment": read.assignment,
        "campaign": read.assignment.campaign,
        "study_label": read.assignment.campaign_study_id,
        "amending": read,
        "config": _amend_config(ctx, read),
        **early_pixel_urls(study_uid=ctx["study_uid"], series_uid=ctx["primary_series_uid"]),
    })
