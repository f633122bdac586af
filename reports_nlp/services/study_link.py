"""Linking reports to studies by accession pseudonym, whichever of the two arrives first."""

from curation.models import Study
from reports_nlp.models import Report


def study_ids_by_accession(accession_pseudonyms) -> dict[str, int]:
    """{accession pseudonym: study id} for the studies already in the archive."""
    pairs = Study.objects.filter(accession_pseudonym__in=list(accession_pseudonyms)).values_list(
        "accession_pseudonym", "pk"
    )
    return dict(pairs)


def reports_link_study(*, study: Study) -> int:
    """Attach the reports waiting for this study (called when the archive ingests it); returns how many."""
    if not study.accession_pseudonym:
        return 0
    return Report.objects.filter(accession_pseudonym=study.accession_pseudonym, study__isnull=True).update(
        study=study
    )
