"""`manage.py hl7_listener --port 2575`: the HL7 v2 ORU^R01 listener (MLLP) in front of report import.

Binds 127.0.0.1 unless `--host 0.0.0.0` (all interfaces) or an interface address is given. Only known report
senders (admin: report senders, by MSH-3 and MSH-4) are imported; each message is acknowledged AA, AE or AR.
"""

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from reports_nlp.intake.mllp import HL7Listener
from reports_nlp.services.report_feeds import hl7_message_receive


def close_connection() -> None:
    """A listener worker thread ends: close its own database connection (not the main thread's)."""
    connection.close()


def handle_message(raw: str) -> tuple[str, str]:
    """The listener's handler, run in its worker threads (each keeps its own database connection)."""
    close_old_connections()
    reply, outcome = hl7_message_receive(raw=raw)
    return reply, outcome.kind


class Command(BaseCommand):
    help = "Run the HL7 v2 listener (MLLP): ORU^R01 reports from known senders, acknowledged per message."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=2575)
        parser.add_argument("--host", default="127.0.0.1",
                            help="Address to bind (default 127.0.0.1, this machine only; 0.0.0.0: all interfaces).")
        parser.add_argument("--workers", type=int, default=4, help="Messages imported at once (threads).")

    def handle(self, *args, port, host, workers, **options):
        self.stdout.write(self.style.SUCCESS(f"HL7 listener on {host}:{port} (MLLP, known senders only; Ctrl-C or SIGTERM stops)."))
        listener = HL7Listener(handle=handle_message, host=host, port=port, workers=workers,
                               on_worker_exit=close_connection)
        listener.serve_forever()  # until SIGINT or SIGTERM
        self.stdout.write(f"Stopped; messages by outcome: {dict(listener.counts)}")
