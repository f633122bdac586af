"""manage.py probe: the readiness checks of /readyz from the command line, for processes with no HTTP port
(worker, beat, the DICOM and HL7 listeners) and their container health checks. Exit status 1 when anything is down."""

import json
import socket

from django.core.management.base import BaseCommand, CommandError

from core.health.checks import CHECKS, readiness


class Command(BaseCommand):
    help = "Check that the database, Redis and storage take writes (and optionally that a local port listens)."

    def add_arguments(self, parser):
        parser.add_argument("--checks", default=",".join(CHECKS),
                            help=f"Comma-separated subset of: {', '.join(CHECKS)} (default: all).")
        parser.add_argument("--port", type=int,
                            help="Also require a listener on 127.0.0.1:PORT (the DICOM or HL7 port).")

    def handle(self, *args, checks, port, **options):
        names = [name.strip() for name in checks.split(",") if name.strip()]
        unknown = sorted(set(names) - set(CHECKS))
        if unknown:
            raise CommandError(f"--checks: unknown {', '.join(unknown)}; known: {', '.join(CHECKS)}")
        report = readiness(only=names)
        if port is not None:
            report = _with_port(report, port)
        self.stdout.write(json.dumps(report))
        if not report["ready"]:
            raise CommandError(f"not ready: {', '.join(report['down'])} down")


def _with_port(report: dict, port: int) -> dict:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=3).close()
        check = {"ok": True, "detail": f"127.0.0.1:{port} accepts connections"}
    except OSError as exc:
        check = {"ok": False, "error": f"127.0.0.1:{port}: {exc}"}
    down = report["down"] + ([] if check["ok"] else ["port"])
    return {"ready": not down, "down": down, "checks": {**report["checks"], "port": check}}
