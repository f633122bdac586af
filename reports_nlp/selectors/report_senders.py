"""Reads of the known report senders: the admin list, and the HL7 listener's check of each message."""

from django.db.models import QuerySet

from reports_nlp.models import ReportSender


def sender_list() -> QuerySet[ReportSender]:
    return ReportSender.objects.order_by("sending_facility", "sending_application", "pk")


def sender_is_known(*, sending_application: str, sending_facility: str) -> bool:
    """Whether an enabled sender matches MSH-3 and MSH-4 exactly."""
    return ReportSender.objects.filter(enabled=True, sending_application=sending_application.strip(),
                                       sending_facility=sending_facility.strip()).exists()
