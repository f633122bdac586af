"""The audit trail's one writer: every service that changes annotation data records who, what and from where."""

from dataclasses import dataclass, field

from annotation.models import AuditEvent


@dataclass(frozen=True)
class AuditSource:
    """Where a change came from: the client's address and user agent (empty for CLI and tasks)."""

    ip: str | None = None
    user_agent: str = ""


SYSTEM = AuditSource(ip=None, user_agent="system")


def audit_source_from(request) -> AuditSource:
    """Where a web request (a page or an API call) came from."""
    # REMOTE_ADDR is the peer (the proxy, behind one); the proxy's own log holds the rest of the chain.
    return AuditSource(ip=request.META.get("REMOTE_ADDR") or None, user_agent=request.META.get("HTTP_USER_AGENT", ""))


def audit_event(
    *, actor, action: str, obj=None, campaign_id: int | None = None, data: dict | None = None,
    source: AuditSource | None = None,
) -> AuditEvent:
    """An unsaved event; `audit_record` writes one, an `AuditBatch` several at once."""
    source = source or SYSTEM
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "pk", None),
        campaign_id=campaign_id,
        data=data or {},
        ip=source.ip or None,
        user_agent=(source.user_agent or "")[:512],
    )


def audit_record(
    *, actor, action: str, obj=None, campaign_id: int | None = None, data: dict | None = None,
    source: AuditSource | None = None,
) -> AuditEvent:
    event = audit_event(actor=actor, action=action, obj=obj, campaign_id=campaign_id, data=data, source=source)
    event.save()
    return event


@dataclass
class AuditBatch:
    """The events of one use case, written in one INSERT at its end: a submit that completes a study records
    the read and the consensus (and an adjudication) and is on the reader's critical path."""

    events: list[AuditEvent] = field(default_factory=list)

    def record(self, **kwargs) -> None:
        self.events.append(audit_event(**kwargs))

    def write(self) -> list[AuditEvent]:
        written = AuditEvent.objects.bulk_create(self.events)
        self.events = []
        return written
