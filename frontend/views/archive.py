"""Archive pages for curators: studies with their series and QC flags, rejections, and uploads with progress."""

from django.contrib import messages
from django.core.exceptions import TooManyFilesSent, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from core.decorators import role_required
from core.roles import CURATOR
from curation.models import IngestJob
from curation.selectors.archive import ingest_job_list, rejection_counts, rejection_list, study_list
from curation.services.ingest_job import ingest_upload_start, too_many_files_message

PAGE_SIZE = 50


@role_required(CURATOR)
def studies(request):
    kind = request.GET.get("kind", "")
    page = Paginator(study_list(patient=request.GET.get("patient", "").strip(), kind=kind), PAGE_SIZE)
    return render(request, "frontend/archive/studies.html", {
        "page": page.get_page(request.GET.get("page")),
        "rejections": rejection_counts(),
        "kind": kind,
        "patient": request.GET.get("patient", ""),
    })


@role_required(CURATOR)
def rejections(request):
    rule = request.GET.get("rule", "")
    page = Paginator(rejection_list(rule=rule), PAGE_SIZE)
    return render(request, "frontend/archive/rejections.html", {
        "page": page.get_page(request.GET.get("page")),
        "counts": rejection_counts(),
        "rule": rule,
    })


@role_required(CURATOR)
def upload(request):
    if request.method == "POST":
        try:
            job = ingest_upload_start(user=request.user, files=request.FILES.getlist("files"))
        except TooManyFilesSent:
            messages.error(request, too_many_files_message())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("archive-job", job_id=job.pk)
    return render(request, "frontend/archive/upload.html", {"jobs": ingest_job_list()[:20]})


@role_required(CURATOR)
def job(request, job_id: int):
    return render(request, "frontend/archive/job.html", {"job": get_object_or_404(IngestJob, pk=job_id)})
