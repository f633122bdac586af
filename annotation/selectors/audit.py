"""Audit trail queries (admins only at the API)."""

from django.db.models import QuerySet

from annotation.models import AuditEvent


def audit_events(*, campaign_id: int | None = None, actor_id: int | None = None, action: str | None = None) -> QuerySet:
    events = AuditEvent.objects.select_related("actor")
    if campaign_id is not None:
        events = events.filter(campaign_id=campaign_id)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action=action)
    return events.order_by("-at", "-id")
