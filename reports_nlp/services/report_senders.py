"""Writes of the known report senders (admins only): register, change, remove."""

from django.core.exceptions import ValidationError
from django.db import transaction

from reports_nlp.models import ReportSender

FIELDS = ("sending_application", "sending_facility", "description", "enabled")


def _save(sender: ReportSender) -> ReportSender:
    sender.full_clean()  # (application, facility) is unique
    sender.save()
    return sender


@transaction.atomic
def sender_create(*, sending_application: str, sending_facility: str, description: str = "",
                  enabled: bool = True) -> ReportSender:
    return _save(ReportSender(sending_application=sending_application.strip(),
                              sending_facility=sending_facility.strip(), description=description, enabled=enabled))


@transaction.atomic
def sender_update(*, sender: ReportSender, **fields) -> ReportSender:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(f"Unknown report sender fields: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(sender, name, value.strip() if isinstance(value, str) else value)
    return _save(sender)


@transaction.atomic
def sender_delete(*, sender: ReportSender) -> None:
    sender.delete()
