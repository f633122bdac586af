"""Signal receivers: a study arriving in the archive picks up the reports that were waiting for it."""

from django.dispatch import receiver

from curation.signals import study_ingested
from reports_nlp.services.study_link import reports_link_study


@receiver(study_ingested, dispatch_uid="reports_nlp.link_reports_to_study")
def link_waiting_reports(sender, study, **kwargs):
    reports_link_study(study=study)
