"""Model run pages for trainers: runs, one run's evaluation report with plots, two runs side by side."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from core.decorators import role_required
from core.roles import CURATOR, TRAINER, has_role, is_admin
from datasets.models import ModelRun
from datasets.selectors.model_runs import model_run_list, model_runs_to_compare
from datasets.selectors.readers_roc import run_reader_roc
from datasets.selectors.run_report import (
    ROC_SIZE,
    certified_sentence,
    roc_overlays,
    run_compare_rows,
    run_plots,
    run_report,
)
from datasets.selectors.subgroups import run_subgroups
from datasets.services.model_runs import model_run_import_archive


@role_required(TRAINER, CURATOR)
def runs(request):
    if request.method == "POST" and request.FILES.get("file"):
        if not has_role(request.user, TRAINER):
            raise PermissionDenied("Only trainers import model runs.")
        try:
            run = model_run_import_archive(upload=request.FILES["file"], user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("runs")
        messages.success(request, f"Imported {run}; priorities are being recomputed.")
        return redirect("run", run_id=run.pk)
    all_runs = list(model_run_list())
    return render(request, "frontend/runs/runs.html", {"runs": all_runs})


@role_required(TRAINER, CURATOR)
def run_detail(request, run_id):
    run = get_object_or_404(ModelRun.objects.select_related("dataset_version"), pk=run_id)
    return render(request, "frontend/runs/run.html", {
        "run": run, **run_report(run), "others": model_runs_to_compare(run=run),
        "subgroups": run_subgroups(run),
        "reader_roc": run_reader_roc(run=run, show_identities=is_admin(request.user)),
    })


@role_required(TRAINER, CURATOR)
def run_compare(request, run_id, other_id):
    run_a = get_object_or_404(ModelRun.objects.select_related("dataset_version"), pk=run_id)
    run_b = get_object_or_404(ModelRun.objects.select_related("dataset_version"), pk=other_id)
    return render(request, "frontend/runs/compare.html", {
        "a": run_a, "b": run_b, "rows": run_compare_rows(run_a=run_a, run_b=run_b),
        "certified_a": certified_sentence(run_a.report.get("operating_point") or {}),
        "certified_b": certified_sentence(run_b.report.get("operating_point") or {}),
        "rocs": roc_overlays(run_a=run_a, run_b=run_b), "roc_size": ROC_SIZE,
        "plots_a": run_plots(run_a), "plots_b": run_plots(run_b),
    })


@role_required(TRAINER, CURATOR)
def run_plot(request, run_id, name):
    run = get_object_or_404(ModelRun, pk=run_id)
    stored = f"runs/{run.pk}/{name}"
    if stored not in run.plots or not default_storage.exists(stored):
        raise Http404("No such plot in this run.")
    return FileResponse(default_storage.open(stored), content_type="image/png")
