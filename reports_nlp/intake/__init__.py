"""Reports as hospitals send them: HL7 v2 ORU^R01 messages and FHIR R4 DiagnosticReports, read into one shape."""

from .errors import IntakeError
from .message import IncomingReport

__all__ = ["IncomingReport", "IntakeError"]
