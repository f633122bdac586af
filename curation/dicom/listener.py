"""The C-STORE listener: a pynetdicom storage SCP for CT and secondary capture, with C-ECHO.

Each association gets its own sink (the archive service behind it); every instance is answered with the
sink's status, so a PACS pushing a study sees success (or the reason for failure) per instance.

Only known nodes get in: `admit(calling AE title, peer address)` decides on every association request, before
negotiation. An unknown node is answered A-ASSOCIATE-RJ (rejected-permanent, service-user, "calling AE title not
recognised"); a known node that may not store may still associate and echo, and each of its C-STORE requests is
answered 0x0124 "Refused: Not Authorised" (PS3.7 Annex C: a per-operation refusal, so the PACS sees why, per
instance, while C-ECHO keeps working). Without `admit` (RADCURATE_DICOM_ACCEPT_ANY_NODE) every peer is let in.
"""

import logging
import socket
import ssl
import threading
from collections.abc import Callable
from typing import Protocol

from pydicom.dataset import Dataset
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, evt
from pynetdicom.sop_class import Verification
from pynetdicom.transport import AssociationServer

from . import handoff
from .validate import ACCEPTED_SOP_CLASSES

logger = logging.getLogger(__name__)

SUCCESS = 0x0000
CANNOT_UNDERSTAND = 0xC000
OUT_OF_RESOURCES = 0xA700
NOT_AUTHORISED = 0x0124

# A-ASSOCIATE-RJ fields (PS3.8 9.3.4)
REJECTED_PERMANENT, REJECTED_TRANSIENT = 0x01, 0x02
SOURCE_SERVICE_USER = 0x01
CALLING_AE_NOT_RECOGNISED, NO_REASON_GIVEN = 0x03, 0x01


class NodeAdmission(Protocol):
    known: bool  # may associate (and echo)
    may_store: bool  # may push instances


Admit = Callable[[str, str], NodeAdmission]  # (calling AE title, peer IP address) -> admission


class Refusals:
    """Associations refused since the listener started; each refusal is logged with the running count."""

    def __init__(self):
        self._lock = threading.Lock()
        self.count = 0

    def add(self, ae_title: str, address: str, why: str) -> None:
        with self._lock:
            self.count += 1
            count = self.count
        # AE title and address only: an association request carries no patient data.
        logger.warning("Refused association from AE %r at %s: %s (%d refused since start)", ae_title, address, why,
                       count)


class StoreSink(Protocol):
    def store(self, raw: bytes, name: str) -> tuple[int, str]:
        """Ingest one encoded instance (file format bytes); return (DIMSE status, error comment)."""

    def close(self) -> None:
        """The association ended: finish its work."""


def _nodelay(sock: socket.socket) -> None:
    # C-STORE is a request/response exchange of small PDUs: Nagle's delay would stall every instance.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _reject(assoc, result: int, diagnostic: int) -> None:
    # As pynetdicom's own negotiation rejects: send A-ASSOCIATE-RJ, then end the association once it went out.
    assoc.acse.send_reject(result, SOURCE_SERVICE_USER, diagnostic)
    assoc.kill()


class _Associations:
    def __init__(self, sink_factory: Callable[[str], StoreSink], admit: Admit | None):
        self.sink_factory = sink_factory
        self.admit = admit
        self.refusals = Refusals()
        self.sinks: dict[int, StoreSink] = {}
        self.counts: dict[int, int] = {}
        self.store_refused: set[int] = set()

    def on_conn_open(self, event) -> None:
        _nodelay(event.assoc.dul.socket.socket)

    def on_requested(self, event) -> None:
        """Reject an association request from an unknown node before anything is negotiated."""
        if self.admit is None:
            return
        assoc = event.assoc
        ae_title = str(assoc.requestor.primitive.calling_ae_title).strip()
        address = assoc.requestor.address
        try:
            admission = self.admit(ae_title, address)
        except Exception:  # fail closed: a node we cannot check does not get in, but may retry
            logger.exception("Checking DICOM node %r at %s failed", ae_title, address)
            self.refusals.add(ae_title, address, "the node check failed")
            _reject(assoc, REJECTED_TRANSIENT, NO_REASON_GIVEN)
            return
        if not admission.known:
            self.refusals.add(ae_title, address, "not a known DICOM node")
            _reject(assoc, REJECTED_PERMANENT, CALLING_AE_NOT_RECOGNISED)
            return
        if not admission.may_store:
            self.store_refused.add(id(assoc))

    def on_accepted(self, event) -> None:
        requestor = event.assoc.requestor
        self.sinks[id(event.assoc)] = self.sink_factory(f"{requestor.ae_title}@{requestor.address}")
        self.counts[id(event.assoc)] = 0

    def on_store(self, event) -> Dataset | int:
        key = id(event.assoc)
        if key in self.store_refused:
            requestor = event.assoc.requestor
            logger.warning("Refused C-STORE from AE %r at %s: the node may not store", requestor.ae_title.strip(),
                           requestor.address)
            reply = Dataset()
            reply.Status = NOT_AUTHORISED
            reply.ErrorComment = "This DICOM node may not store here."
            return reply
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
        self.store_refused.discard(id(event.assoc))
        if sink is not None:
            sink.close()


class HandedServer(AssociationServer):
    """An association server that accepts nothing itself: its process's connections are handed to it over
    `channel` by the parent (`handoff.Handoff`), which picks the least busy of several listener processes. Each
    process has its own interpreter (its own GIL), so associations arriving at once parse, de-identify and hash on
    as many cores as there are processes; the threads of one process share one core's worth of Python."""

    channel: socket.socket

    def server_bind(self) -> None:  # the parent holds the port
        pass

    def server_activate(self) -> None:
        pass

    def fileno(self) -> int:
        return self.channel.fileno()

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        client_socket, address = handoff.receive(self.channel)
        if self.ssl_context:
            try:
                client_socket = self.ssl_context.wrap_socket(client_socket, server_side=True)
            except OSError:  # a failed handshake never becomes an association: it closes here
                client_socket.close()
                handoff.report_closed(self.channel)
                raise
        return client_socket, address


def build_ae(ae_title: str) -> AE:
    ae = AE(ae_title=ae_title)
    ae.maximum_pdu_size = 0  # no limit: fewer, larger PDUs for 512 KB slices
    for sop_class in sorted(ACCEPTED_SOP_CLASSES):
        ae.add_supported_context(sop_class, ALL_TRANSFER_SYNTAXES)
    ae.add_supported_context(Verification)
    return ae


def tls_context(*, cert: str, key: str, ca: str | None = None) -> ssl.SSLContext:
    """The listener's TLS: its certificate and key; with `ca`, peers must present a certificate signed by it."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile=cert, keyfile=key)
    if ca:
        context.load_verify_locations(cafile=ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def start_listener(*, port: int, ae_title: str, sink_factory: Callable[[str], StoreSink], admit: Admit | None,
                   host: str = "127.0.0.1", ssl_context: ssl.SSLContext | None = None, block: bool = True,
                   channel: socket.socket | None = None):
    """Serve until interrupted (block=True) or return the running server (block=False; call .shutdown()).

    `admit` lets in known nodes only (None: any peer). The server's `.refusals.count` counts refused associations.
    `channel` (blocking only): serve the connections a parent process hands over on it (`handoff`), beside other
    listener processes, instead of binding the port.
    """
    associations = _Associations(sink_factory, admit)
    handlers = [
        (evt.EVT_CONN_OPEN, associations.on_conn_open),
        (evt.EVT_REQUESTED, associations.on_requested),
        (evt.EVT_ACCEPTED, associations.on_accepted),
        (evt.EVT_C_STORE, associations.on_store),
        (evt.EVT_RELEASED, associations.on_end),
        (evt.EVT_ABORTED, associations.on_end),
        (evt.EVT_CONN_CLOSE, associations.on_end),  # peers that drop the connection without a release
    ]
    ae = build_ae(ae_title)
    logger.info("DICOM listener %s on %s:%s (%s, %s)", ae_title, host, port,
                "known nodes only" if admit else "ANY node", "TLS" if ssl_context else "no TLS")
    if block and channel is not None:
        handlers.append((evt.EVT_CONN_CLOSE, lambda event: handoff.report_closed(channel)))
        server = ae.make_server((host, port), evt_handlers=handlers, ssl_context=ssl_context,
                                server_class=HandedServer)
        server.channel = channel
        try:
            server.serve_forever()  # until interrupted, as AE.start_server serves
        except KeyboardInterrupt:
            server.shutdown()
        return None
    if block:
        # until interrupted
        ae.start_server((host, port), block=True, evt_handlers=handlers, ssl_context=ssl_context)
        return None
    server = ae.start_server((host, port), block=False, evt_handlers=handlers, ssl_context=ssl_context)
    server.refusals = associations.refusals
    return server
