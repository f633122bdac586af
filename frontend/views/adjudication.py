"""Adjudication pages: a senior reader's queue and one study's reads side by side (reader names hidden) with the image.

The decision is posted by the page to the annotation API; the page itself only composes selectors.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from annotation.selectors.adjudication import adjudication_queue, adjudication_view
from curation.selectors.archive import study_axial_series
from frontend.views.saliency import saliency_config
from frontend.views.series_source import early_pixel_urls, series_config

STATE_ORDER = {"present": 0, "uncertain": 1, "absent": 2, None: 3}


def adjudications_for(user) -> list:
    return list(adjudication_queue(user=user))


def _rows(view: dict) -> list[dict]:
    """Disputed traits first, then any trait a reader called present or uncertain; all-absent traits are left out."""
    rows = []
    for row in view["rows"]:
        called = any(s in ("present", "uncertain") for s in row["states"])
        if not (row["disputed"] or called):
            continue
        rows.append({
            "code": row["trait"],
            "name": row["name"],
            "significance": row["significance"],
            "disputed": bool(row["disputed"]),
            "reason": str(row["disputed"] or "").replace("_", " "),
            "votes": [{"state": s, "slice_ranges": r, "key_images": k}
                      for s, r, k in zip(row["states"], row["slice_ranges"], row["key_images"], strict=True)],
        })
    rows.sort(key=lambda r: (not r["disputed"], r["significance"] != "high"))
    return rows


def _marks(rows: list[dict], readers: list[str]) -> list[dict]:
    """Each read's slice ranges and key images, one lane per reader (names hidden), for the viewer's slice bar."""
    marks = []
    for row in rows:
        for lane, vote in enumerate(row["votes"]):
            label = f"{readers[lane]}: {row['name']}"
            spans = [("range", a, b) for a, b in vote["slice_ranges"]] + [("key", k, k) for k in vote["key_images"]]
            marks += [{"lane": lane, "kind": kind, "from": a, "to": b, "label": label} for kind, a, b in spans]
    return marks


@login_required
def adjudicate(request, task_id: int):
    task = adjudication_queue(user=request.user).filter(pk=task_id).first()
    if task is None:
        raise Http404("No open adjudication of yours with that number.")
    # Names stay hidden on this page for everyone, admins included: the decision must not follow the person.
    view = adjudication_view(task=task, show_identities=False)
    study = task.campaign_study.study
    series = study.primary_series
    rows = _rows(view)
    series_uid = series.series_uid if series else None
    readers = [r["reader"] for r in view["readers"]]
    return render(request, "frontend/reading/adjudicate.html", {
        "task": task,
        "campaign": task.campaign_study.campaign,
        "study_label": task.campaign_study_id,
        "reader_labels": readers,
        "n_readers": len(view["readers"]),
        "rows": rows,
        "disputed_count": sum(r["disputed"] for r in rows),
        "config": {
            "task_id": task.pk,
            "series": series_config(study_uid=study.study_uid, series_uid=series_uid),
            "axial_series": study_axial_series(study_id=study.pk),
            "marks": _marks(rows, readers),
            "decide_url": reverse("annotation:adjudication-decide", args=[task.pk]),
            "next_url": reverse("reading-adjudicate-next"),
        },
        **early_pixel_urls(study_uid=study.study_uid, series_uid=series_uid),
        "saliency": saliency_config(study=study, slice_url=reverse("reading-adjudication-slice", args=[task.pk, 0])
                                    .replace("/0.png", "/__position__.png")),
    })


@login_required
def adjudicate_next(request):
    """The oldest open adjudication for this user, or a page that says nothing is waiting (not a silent bounce)."""
    task = adjudication_queue(user=request.user).first()
    if task is None:
        return render(request, "frontend/reading/adjudicate_none.html")
    return redirect("reading-adjudicate", task_id=task.pk)
