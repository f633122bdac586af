"""Dataset pages for trainers: versions with export progress, defining a new version, a version, a diff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from core.roles import CURATOR, TRAINER, has_role
from curation.models import Taxonomy
from datasets.models import ConsensusMethod, DatasetVersion
from datasets.selectors.sources import exportable_campaigns
from datasets.selectors.versions import (
    dataset_version_latest_job,
    dataset_version_list,
    version_datacard,
    version_diff,
    version_manifest,
    version_siblings,
    version_trait_rows,
)
from datasets.services.export import dataset_export_start
from datasets.services.versions import dataset_version_create


def _require_reader(request) -> None:
    if not has_role(request.user, TRAINER, CURATOR):
        raise PermissionDenied("The dataset pages are for trainers and curators.")


def _require_trainer(request) -> None:
    if not has_role(request.user, TRAINER):
        raise PermissionDenied("Only trainers define and export datasets.")


@login_required
def versions(request):
    _require_reader(request)
    rows = [(v, dataset_version_latest_job(v)) for v in dataset_version_list()]
    return render(request, "frontend/datasets/versions.html", {
        "rows": rows, "campaigns": exportable_campaigns(), "methods": ConsensusMethod.choices,
        "can_export": has_role(request.user, TRAINER),
    })


def _form_fields(post) -> dict:
    try:
        fractions = [float(post.get(k, "")) for k in ("train", "calibration", "test")]
        seed, size = int(post.get("seed", "0")), int(post.get("size", "256"))
        campaign_ids = [int(c) for c in post.getlist("campaigns")]
    except ValueError as exc:
        raise ValidationError(f"Check the numbers in the form: {exc}.") from None
    return {"name": post.get("name", "").strip(), "campaign_ids": campaign_ids, "split_seed": seed,
            "split_fractions": fractions, "image_size": (size, size),
            "consensus_method": post.get("method", ConsensusMethod.MAJORITY),
            "description": post.get("description", "")}


@login_required
def version_create(request):
    _require_trainer(request)
    if request.method != "POST":
        return redirect("datasets-versions")
    try:
        fields = _form_fields(request.POST)
        taxonomy = _campaign_taxonomy(fields["campaign_ids"])
        version = dataset_version_create(taxonomy=taxonomy, created_by=request.user, **fields)
        dataset_export_start(version=version, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("datasets-versions")
    return redirect("datasets-version", version_id=version.pk)


def _campaign_taxonomy(campaign_ids: list[int]) -> Taxonomy:
    taxonomy_ids = {c["taxonomy_id"] for c in exportable_campaigns() if c["id"] in campaign_ids}
    if len(taxonomy_ids) != 1:
        raise ValidationError("Choose one or more campaigns of the same taxonomy version.")
    return Taxonomy.objects.get(pk=taxonomy_ids.pop())


@login_required
def version_detail(request, version_id: int):
    _require_reader(request)
    version = get_object_or_404(DatasetVersion, pk=version_id)
    manifest = version_manifest(version)
    return render(request, "frontend/datasets/version.html", {
        "version": version, "job": dataset_version_latest_job(version), "manifest": manifest,
        "traits": version_trait_rows(manifest) if manifest else [], "datacard": version_datacard(version),
        "siblings": version_siblings(version), "can_export": has_role(request.user, TRAINER),
    })


@login_required
def version_resume(request, version_id: int):
    _require_trainer(request)
    if request.method == "POST":
        try:
            dataset_export_start(version=get_object_or_404(DatasetVersion, pk=version_id), user=request.user,
                                 supersede=True)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("datasets-version", version_id=version_id)


@login_required
def version_compare(request, version_id: int, other_id: int):
    _require_reader(request)
    old = get_object_or_404(DatasetVersion, pk=version_id)
    new = get_object_or_404(DatasetVersion, pk=other_id)
    try:
        diff = version_diff(old, new)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("datasets-version", version_id=version_id)
    return render(request, "frontend/datasets/diff.html", {"diff": diff, "old": old, "new": new})
