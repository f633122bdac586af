"""Dataset pages for trainers: versions with export progress, defining a new version, a version, a diff."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from core.decorators import role_required
from core.roles import CURATOR, TRAINER, has_role
from datasets.models import DatasetVersion
from datasets.selectors.sources import exportable_campaigns
from datasets.selectors.versions import (
    dataset_version_latest_job,
    dataset_version_list,
    version_cooccurrence,
    version_datacard,
    version_diff,
    version_manifest,
    version_siblings,
    version_trait_rows,
)
from datasets.services.export import dataset_export_start
from datasets.services.versions import dataset_version_create_and_export
from frontend.forms import form_error_lines
from frontend.forms.datasets import DatasetVersionForm


@role_required(TRAINER, CURATOR)
def versions(request):
    return _versions_page(request, DatasetVersionForm(campaigns=exportable_campaigns()))


def _versions_page(request, form: DatasetVersionForm, status: int = 200):
    """The versions with their export jobs and the new-version form (bound after a refused submit: input kept)."""
    rows = [(v, dataset_version_latest_job(v)) for v in dataset_version_list()]
    return render(request, "frontend/datasets/versions.html", {
        "rows": rows, "campaigns": form.campaign_rows, "form": form,
        "checked": [str(c) for c in (form["campaigns"].value() or [])],
        "can_export": has_role(request.user, TRAINER),
    }, status=status)


@role_required(TRAINER)
def version_create(request):
    if request.method != "POST":
        return redirect("datasets-versions")
    form = DatasetVersionForm(request.POST, campaigns=exportable_campaigns())
    if not form.is_valid():
        for line in form_error_lines(form):
            messages.error(request, line)
        return _versions_page(request, form, status=400)
    try:
        version = dataset_version_create_and_export(created_by=request.user, **form.version_fields())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _versions_page(request, form, status=400)
    return redirect("datasets-version", version_id=version.pk)


@role_required(TRAINER, CURATOR)
def version_detail(request, version_id: int):
    version = get_object_or_404(DatasetVersion, pk=version_id)
    manifest = version_manifest(version)
    return render(request, "frontend/datasets/version.html", {
        "version": version, "job": dataset_version_latest_job(version), "manifest": manifest,
        "traits": version_trait_rows(manifest) if manifest else [], "datacard": version_datacard(version),
        "siblings": version_siblings(version), "can_export": has_role(request.user, TRAINER),
        "cooccurrence": version_cooccurrence(manifest) if manifest else [],
    })


@role_required(TRAINER)
def version_resume(request, version_id: int):
    if request.method == "POST":
        try:
            dataset_export_start(version=get_object_or_404(DatasetVersion, pk=version_id), user=request.user,
                                 supersede=True)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("datasets-version", version_id=version_id)


@role_required(TRAINER, CURATOR)
def version_compare(request, version_id: int, other_id: int):
    old = get_object_or_404(DatasetVersion, pk=version_id)
    new = get_object_or_404(DatasetVersion, pk=other_id)
    try:
        diff = version_diff(old, new)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("datasets-version", version_id=version_id)
    return render(request, "frontend/datasets/diff.html", {"diff": diff, "old": old, "new": new})
