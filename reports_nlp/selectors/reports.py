"""Report reads. Every caller of these is behind the curator/admin rule: the text is PHI."""

from django.db.models import QuerySet

from reports_nlp.models import Report


def report_list(*, current_only: bool = True, linked: bool | None = None) -> QuerySet[Report]:
    reports = Report.objects.all()
    if current_only:
        reports = reports.filter(is_current=True)
    if linked is not None:
        reports = reports.filter(study__isnull=not linked)
    return reports.order_by("-id")


def report_revisions(*, report: Report) -> QuerySet[Report]:
    return Report.objects.filter(accession_pseudonym=report.accession_pseudonym).order_by("revision")


def report_counts() -> dict:
    current = Report.objects.filter(is_current=True)
    return {
        "reports": current.count(),
        "linked": current.filter(study__isnull=False).count(),
        "revisions": Report.objects.count(),
    }
