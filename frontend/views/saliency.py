"""Saliency overlays: the slice images under a model's Grad-CAM maps, for the second-opinion and adjudication pages.

Each image is gated like the page it belongs to (a reader's submitted read in a campaign that shows predictions; an
open adjudication of the user's): the maps and the images under them are never served before.
"""

import io

import numpy as np
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from PIL import Image

from annotation.selectors.adjudication import adjudication_queue
from curation.selectors.archive import series_slice_hu
from datasets.selectors.model_runs import model_run_latest
from datasets.selectors.saliency import study_saliency
from datasets.selectors.second_opinion import reader_assignment, second_opinion_check

BRAIN_WINDOW = (40.0, 80.0)  # level, width in HU: where the findings the maps point at are read


def saliency_config(*, study, slice_url: str) -> dict:
    """What the overlay script draws: the latest run's maps for the study and where its slice images are."""
    run = model_run_latest()
    return {"run": run.pk if run else None, "traits": study_saliency(run=run, study_id=study.pk),
            "slice_url": slice_url}


def _png(hu: np.ndarray) -> bytes:
    level, width = BRAIN_WINDOW
    grey = np.clip((hu.astype(np.float32) - (level - width / 2)) / width * 255.0, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(grey, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def _slice_response(study, position: int) -> HttpResponse:
    series = study.primary_series
    hu = series_slice_hu(series, position) if series is not None else None
    if hu is None:
        raise Http404(f"The study has no axial slice {position}.")
    response = HttpResponse(_png(hu), content_type="image/png")
    response["Cache-Control"] = "private, no-store"  # gated per user: no shared cache may keep it
    return response


@login_required
def second_opinion_slice(request, assignment_id: int, position: int):
    assignment = reader_assignment(assignment_id=assignment_id, reader=request.user)
    second_opinion_check(assignment=assignment, user=request.user)  # PermissionDenied -> 403
    return _slice_response(assignment.campaign_study.study, position)


@login_required
def adjudication_slice(request, task_id: int, position: int):
    task = adjudication_queue(user=request.user).filter(pk=task_id).select_related("campaign_study__study").first()
    if task is None:
        raise Http404("No open adjudication of yours with that number.")
    return _slice_response(task.campaign_study.study, position)
