"""One report as a feed delivered it, before pseudonymization: the only place the raw identifiers live, in memory."""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IncomingReport:
    accession_number: str  # PHI: pseudonymized by the import service, never stored or logged
    patient_id: str  # PHI, as above
    observation_date: dt.date
    status: str  # a ResultStatus value
    text: str  # PHI: stored as the report text, like a file import's
    control_id: str  # MSH-10 or the resource id: safe to log
