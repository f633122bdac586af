"""Reads of the known DICOM nodes: the admin list, and the listener's admission check."""

from dataclasses import dataclass

from django.db.models import QuerySet

from curation.models import DicomNode


def node_list() -> QuerySet[DicomNode]:
    return DicomNode.objects.order_by("ae_title", "host", "pk")


@dataclass(frozen=True)
class Admission:
    known: bool  # an enabled node matches the calling AE title and the address: associate (C-ECHO works)
    may_store: bool  # ...and one of the matching nodes may push instances


def node_admission(*, ae_title: str, address: str) -> Admission:
    """Whether a peer calling as `ae_title` from `address` is a known node, and whether it may store."""
    nodes = [node for node in DicomNode.objects.filter(enabled=True, ae_title=ae_title.strip())
             if node.matches(ae_title, address)]
    return Admission(known=bool(nodes), may_store=any(node.may_store for node in nodes))
