"""`manage.py dicom_listener --port 11112 --ae-title RADCURATE`: the C-STORE SCP in front of the archive."""

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from curation.dicom.listener import CANNOT_UNDERSTAND, SUCCESS, start_listener
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


class Command(BaseCommand):
    help = "Run the DICOM C-STORE listener (CT and secondary capture storage, C-ECHO)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=11112)
        parser.add_argument("--ae-title", default="RADCURATE")
        parser.add_argument("--host", default="0.0.0.0")

    def handle(self, *args, port, ae_title, host, **options):
        finished = series_refresh_pending()
        if finished:
            self.stdout.write(f"Finished {finished} series left unclassified by an earlier run.")
        self.stdout.write(self.style.SUCCESS(f"Listening as {ae_title} on {host}:{port} (Ctrl-C stops)."))
        start_listener(port=port, ae_title=ae_title, host=host, sink_factory=ArchiveSink)
