"""The C-STORE listener: a pynetdicom storage SCP for CT and secondary capture, with C-ECHO.

Each association gets its own sink (the archive service behind it); every instance is answered with the
sink's status, so a PACS pushing a study sees success (or the reason for failure) per instance.
"""

import logging
import socket
from collections.abc import Callable
from typing import Protocol

from pydicom.dataset import Dataset
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, evt
from pynetdicom.sop_class import Verification

from .validate import ACCEPTED_SOP_CLASSES

logger = logging.getLogger(__name__)

SUCCESS = 0x0000
CANNOT_UNDERSTAND = 0xC000
OUT_OF_RESOURCES = 0xA700


class StoreSink(Protocol):
    def store(self, raw: bytes, name: str) -> tuple[int, str]:
        """Ingest one encoded instance (file format bytes); return (DIMSE status, error comment)."""

    def close(self) -> None:
        """The association ended: finish its work."""


def _nodelay(sock: socket.socket) -> None:
    # C-STORE is a request/response exchange of small PDUs: Nagle's delay would stall every instance.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Associations:
    def __init__(self, sink_factory: Callable[[str], StoreSink]):
        self.sink_factory = sink_factory
        self.sinks: dict[int, StoreSink] = {}
        self.counts: dict[int, int] = {}

    def on_conn_open(self, event) -> None:
        _nodelay(event.assoc.dul.socket.socket)

    def on_accepted(self, event) -> None:
        requestor = event.assoc.requestor
        self.sinks[id(event.assoc)] = self.sink_factory(f"{requestor.ae_title}@{requestor.address}")
        self.counts[id(event.assoc)] = 0

    def on_store(self, event) -> Dataset | int:
        key = id(event.assoc)
        self.counts[key] = self.counts.get(key, 0) + 1
        sink = self.sinks.get(key)
        if sink is None:
            return OUT_OF_RESOURCES
        requestor = event.assoc.requestor
        name = f"C-STORE from {requestor.ae_title}@{requestor.address} #{self.counts[key]}"
        try:
            status, comment = sink.store(event.encoded_dataset(), name)
        except Exception:
            logger.exception("C-STORE %s failed", name)
            status, comment = OUT_OF_RESOURCES, "Archive error while storing; see the listener log."
        if status == SUCCESS:
            return SUCCESS
        reply = Dataset()
        reply.Status = status
        reply.ErrorComment = comment[:64]
        return reply

    def on_end(self, event) -> None:
        sink = self.sinks.pop(id(event.assoc), None)
        self.counts.pop(id(event.assoc), None)
        if sink is not None:
            sink.close()


def build_ae(ae_title: str) -> AE:
    ae = AE(ae_title=ae_title)
    ae.maximum_pdu_size = 0  # no limit: fewer, larger PDUs for 512 KB slices
    for sop_class in sorted(ACCEPTED_SOP_CLASSES):
        ae.add_supported_context(sop_class, ALL_TRANSFER_SYNTAXES)
    ae.add_supported_context(Verification)
    return ae


def start_listener(*, port: int, ae_title: str, sink_factory: Callable[[str], StoreSink], host: str = "0.0.0.0",
                   block: bool = True):
    """Serve until interrupted (block=True) or return the running server (block=False; call .shutdown())."""
    associations = _Associations(sink_factory)
    handlers = [
        (evt.EVT_CONN_OPEN, associations.on_conn_open),
        (evt.EVT_ACCEPTED, associations.on_accepted),
        (evt.EVT_C_STORE, associations.on_store),
        (evt.EVT_RELEASED, associations.on_end),
        (evt.EVT_ABORTED, associations.on_end),
        (evt.EVT_CONN_CLOSE, associations.on_end),  # peers that drop the connection without a release
    ]
    ae = build_ae(ae_title)
    logger.info("DICOM listener %s on %s:%s", ae_title, host, port)
    if block:
        ae.start_server((host, port), block=True, evt_handlers=handlers)  # until interrupted
        return None
    return ae.start_server((host, port), block=False, evt_handlers=handlers)
