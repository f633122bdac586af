"""`manage.py dicom_listener --port 11112 --ae-title RADCURATE`: the C-STORE SCP in front of the archive.

Binds 127.0.0.1 unless `--host 0.0.0.0` (all interfaces) or an interface address is given; lets in only known
DICOM nodes (admin: DICOM nodes) unless RADCURATE_DICOM_ACCEPT_ANY_NODE is on; `--tls-cert/--tls-key` serve TLS,
and `--tls-ca` also requires peers to present a certificate signed by that CA. `--processes N` runs N listener
processes behind one port, each new association handed to the least busy, so associations arriving at once use
N cores.
"""

import multiprocessing
import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from curation.dicom.handoff import Handoff, ListenerGone
from curation.dicom.listener import CANNOT_UNDERSTAND, SUCCESS, start_listener, tls_context
from curation.selectors.nodes import Admission, node_admission
from curation.services.archive import REJECTED, IngestSession
from curation.services.archive_refresh import series_refresh_pending


class ArchiveSink:
    """One association's ingest session: each instance indexed before its C-STORE response."""

    def __init__(self, peer: str):
        close_old_connections()
        self.session = IngestSession(source="cstore", batch_size=1, refresh="close")

    def store(self, raw: bytes, name: str) -> tuple[int, str]:
        outcome = self.session.add(raw, name=name)
        if outcome.status == REJECTED:
            return CANNOT_UNDERSTAND, f"Rejected ({outcome.rule}); see the archive's rejections."
        return SUCCESS, ""

    def close(self) -> None:
        try:
            self.session.close()  # classify the series this association brought
        finally:
            connection.close()  # association threads end here; don't leak their database connections


def admit_known_node(ae_title: str, address: str) -> Admission:
    """The listener's check on each association request (its own thread: don't leak its database connection)."""
    close_old_connections()
    try:
        return node_admission(ae_title=ae_title, address=address)
    finally:
        connection.close()


def node_check():
    """The listener's `admit`: known nodes only, or None (any node) when RADCURATE_DICOM_ACCEPT_ANY_NODE is on."""
    return None if settings.RADCURATE_DICOM_ACCEPT_ANY_NODE else admit_known_node


class Command(BaseCommand):
    help = "Run the DICOM C-STORE listener (CT and secondary capture storage, C-ECHO)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=11112)
        parser.add_argument("--ae-title", default="RADCURATE")
        parser.add_argument("--host", default="127.0.0.1",
                            help="Address to bind (default 127.0.0.1, this machine only; 0.0.0.0: all interfaces).")
        parser.add_argument("--tls-cert", help="PEM certificate (chain) of the listener: serve DICOM over TLS.")
        parser.add_argument("--tls-key", help="PEM private key of --tls-cert.")
        parser.add_argument("--tls-ca", help="PEM CA bundle: peers must present a certificate it signed.")
        parser.add_argument("--processes", type=int, default=1,
                            help="Listener processes; each new association goes to the one with the fewest open "
                                 "associations, so associations arriving at once use a core each (default 1: one "
                                 "process, a thread per association).")

    def handle(self, *args, port, ae_title, host, tls_cert, tls_key, tls_ca, processes, **options):
        if bool(tls_cert) != bool(tls_key) or (tls_ca and not tls_cert):
            raise CommandError("TLS needs both --tls-cert and --tls-key (--tls-ca only with them).")
        if processes < 1:
            raise CommandError(f"--processes must be 1 or more, not {processes}.")
        try:
            ssl_context = tls_context(cert=tls_cert, key=tls_key, ca=tls_ca) if tls_cert else None
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot load the TLS certificate, key or CA: {exc}") from exc
        finished = series_refresh_pending()
        if finished:
            self.stdout.write(f"Finished {finished} series left unclassified by an earlier run.")
        admit = node_check()
        accept_any = admit is None
        if accept_any:
            self.stdout.write(self.style.WARNING(
                "RADCURATE_DICOM_ACCEPT_ANY_NODE is on: any DICOM node may store here."))
        who = "any node" if accept_any else "known nodes only"
        tls = "TLS" + (", client certificates required" if tls_ca else "") if ssl_context else "no TLS"
        workers = f", {processes} processes" if processes > 1 else ""
        self.stdout.write(self.style.SUCCESS(
            f"Listening as {ae_title} on {host}:{port} ({who}, {tls}{workers}; Ctrl-C stops)."))
        listen = dict(port=port, ae_title=ae_title, host=host, sink_factory=ArchiveSink, admit=admit,
                      ssl_context=ssl_context)
        if processes == 1:
            start_listener(**listen)
        else:
            serve_processes(processes, listen)


def serve_processes(processes: int, listen: dict) -> None:
    """Fork `processes` listeners and hand each incoming connection to the least busy (`handoff`); stop them all
    when one ends or this process is stopped (a supervisor restarts the command; series an association left
    unclassified are finished at the next start)."""
    connection.close()  # each process opens its own database connections
    spread = Handoff(listen["host"], listen["port"], processes)
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_listener_process, args=(spread, k, listen), daemon=True)
                for k in range(processes)]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # run the finally below: no orphaned listener
    try:
        for child in children:
            child.start()
        spread.forked()
        spread.serve(stop_when=[child.sentinel for child in children])
    except (KeyboardInterrupt, ListenerGone):
        pass
    finally:
        spread.close()
        for child in children:
            child.terminate()
        for child in children:
            child.join(timeout=30)


def _listener_process(spread: Handoff, k: int, listen: dict) -> None:
    channel = spread.child_channels[k]
    spread.close()  # the parent's ends: only the parent accepts and hands over
    for other in spread.child_channels:
        if other is not channel:
            other.close()
    start_listener(**listen, channel=channel)
