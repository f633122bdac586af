"""The audit trail's one writer: every service that changes annotation data records who, what and from where."""

from dataclasses import dataclass

from annotation.models import AuditEvent


@dataclass(frozen=True)
class AuditSource:
    """Where a change came from: the client's address and user agent (empty for CLI and tasks)."""

    ip: str | None = None
    user_agent: str = ""


SYSTEM = AuditSource(ip=None, user_agent="system")


def audit_record(
    *, actor, action: str, obj=None, campaign_id: int | None = None, data: dict | None = None,
    source: AuditSource | None = None,
) -> AuditEvent:
    source = source or SYSTEM
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "pk", None),
        campaign_id=campaign_id,
        data=data or {},
        ip=source.ip or None,
        user_agent=(source.user_agent or "")[:512],
    )
