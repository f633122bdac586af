"""Writes of the known DICOM nodes (admins only): register, change, remove."""

from django.core.exceptions import ValidationError
from django.db import transaction

from curation.models import DicomNode


def _save(node: DicomNode) -> DicomNode:
    node.full_clean()  # the host must be an IP address or CIDR; (AE title, host) is unique
    node.save()
    return node


@transaction.atomic
def node_create(*, ae_title: str, host: str, description: str = "", may_store: bool = True,
                enabled: bool = True) -> DicomNode:
    return _save(DicomNode(ae_title=ae_title.strip(), host=host.strip(), description=description,
                           may_store=may_store, enabled=enabled))


@transaction.atomic
def node_update(*, node: DicomNode, **fields) -> DicomNode:
    unknown = set(fields) - {"ae_title", "host", "description", "may_store", "enabled"}
    if unknown:
        raise ValidationError(f"Unknown DICOM node fields: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(node, name, value.strip() if name in ("ae_title", "host") else value)
    return _save(node)


@transaction.atomic
def node_delete(*, node: DicomNode) -> None:
    node.delete()
