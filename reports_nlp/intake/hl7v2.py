"""HL7 v2 ORU^R01 results: the report fields from a message, and the acknowledgement to send back.

Parsing is python-hl7's (`hl7.parse`): a lenient parser of the pipe-and-hat encoding that real RIS feeds
deviate from in small ways (trailing separators, missing optional segments), where hl7apy's validating
parser would refuse them; we check the fields we need ourselves and say which one failed.
"""

import datetime as dt

import hl7

from reports_nlp.intake.errors import IntakeError
from reports_nlp.intake.message import IncomingReport

# OBR-25 (result status), HL7 table 0123 -> ResultStatus. An addendum comes as a correction of the whole report.
RESULT_STATUS = {"P": "preliminary", "F": "final", "C": "corrected", "X": "cancelled", "A": "preliminary",
                 "R": "preliminary", "S": "preliminary", "I": "preliminary"}
# OBX-11 (observation result status, table 0085) when OBR-25 is empty.
OBSERVATION_STATUS = {"P": "preliminary", "F": "final", "C": "corrected", "X": "cancelled", "D": "cancelled",
                      "R": "preliminary", "S": "preliminary", "I": "preliminary"}
TEXT_VALUE_TYPES = {"TX", "FT", "ST", "CE", "CWE", ""}


def parse_message(raw: str) -> hl7.Message:
    """The parsed message; raises IntakeError('unparseable') when it is not HL7 v2 at all."""
    raw = raw.replace("\r\n", "\r").replace("\n", "\r").strip()
    if not raw.startswith("MSH"):
        raise IntakeError("unparseable", "the message does not begin with an MSH segment")
    try:
        return hl7.parse(raw)
    except Exception as exc:  # python-hl7 raises several types on broken encoding characters
        raise IntakeError("unparseable", f"python-hl7 could not parse it ({type(exc).__name__})") from None


def _field(segment, index: int) -> str:
    try:
        return str(segment[index]).strip()
    except (IndexError, KeyError):
        return ""


def _encoding(message: hl7.Message) -> tuple[str, str]:
    """The component and repetition separators the sender declared in MSH-2 (usually ^ and ~)."""
    characters = _field(message.segment("MSH"), 2)
    return (characters[0], characters[1]) if len(characters) >= 2 else ("^", "~")


def _component(message: hl7.Message, segment, index: int) -> str:
    """The first repetition's first component, e.g. PID-3.1 (the patient id without its assigning authority)."""
    component, repetition = _encoding(message)
    return _field(segment, index).split(repetition)[0].split(component)[0].strip()


def _segments(message: hl7.Message, name: str) -> list:
    try:
        return list(message.segments(name))
    except KeyError:
        return []


def message_header(message: hl7.Message) -> dict:
    """Who sent it and what it is: MSH-3, MSH-4, MSH-9 and MSH-10 (no PHI)."""
    msh = message.segment("MSH")
    return {
        "sending_application": _component(message, msh, 3),
        "sending_facility": _component(message, msh, 4),
        "message_type": _field(msh, 9),
        "control_id": _field(msh, 10),
    }


def _segment(message: hl7.Message, name: str):
    try:
        return message.segment(name)
    except KeyError:
        raise IntakeError(f"no-{name.lower()}", f"the message has no {name} segment") from None


def _date(value: str, where: str) -> dt.date:
    digits = value[:8]
    try:
        return dt.datetime.strptime(digits, "%Y%m%d").date()
    except ValueError:
        raise IntakeError("bad-date", f"{where} is not an HL7 date (YYYYMMDD[HHMM...])") from None


def _obx_text(message: hl7.Message) -> str:
    """The report text: every text OBX's value (OBX-5), repetitions as lines, HL7 escapes decoded."""
    _, repetition = _encoding(message)
    lines = []
    for obx in _segments(message, "OBX"):
        if _field(obx, 2).upper() not in TEXT_VALUE_TYPES:
            continue
        for line in _field(obx, 5).split(repetition):
            lines.append(message.unescape(line))
    return "\n".join(lines).strip()


def _status(obr, message: hl7.Message) -> str:
    code = _field(obr, 25).upper()[:1]
    if code:
        if code not in RESULT_STATUS:
            raise IntakeError("bad-status", f"OBR-25 result status {code!r} is not one of {sorted(RESULT_STATUS)}")
        return RESULT_STATUS[code]
    for obx in _segments(message, "OBX"):
        code = _field(obx, 11).upper()[:1]
        if code in OBSERVATION_STATUS:
            return OBSERVATION_STATUS[code]
    raise IntakeError("no-status", "neither OBR-25 nor OBX-11 gives a result status")


def oru_report(message: hl7.Message) -> IncomingReport:
    """The report of an ORU^R01: accession OBR-3 (else OBR-2), patient PID-3, date OBR-7, status OBR-25, OBX text."""
    header = message_header(message)
    if not header["message_type"].startswith("ORU"):
        raise IntakeError("not-oru", f"MSH-9 is {header['message_type'] or 'empty'}, expected ORU^R01")
    pid = _segment(message, "PID")
    obr = _segment(message, "OBR")
    accession = _component(message, obr, 3) or _component(message, obr, 2)
    if not accession:
        raise IntakeError("no-accession", "OBR-3 (filler order number) and OBR-2 are empty")
    status = _status(obr, message)
    observed = _field(obr, 7) or _field(obr, 22)
    if not observed:
        raise IntakeError("no-date", "OBR-7 (observation date) and OBR-22 are empty")
    text = _obx_text(message)
    if not text and status != "cancelled":
        raise IntakeError("empty-text", "no OBX segment carries report text (OBX-2 TX/FT/ST)")
    return IncomingReport(
        accession_number=accession, patient_id=_component(message, pid, 3), observation_date=_date(observed, "OBR-7"),
        status=status, text=text, control_id=header["control_id"],
    )


def ack(message: hl7.Message | None, code: str, reason: str = "", control_id: str = "") -> str:
    """An ACK (MSA-1 AA, AE or AR) for `message`; when the message could not be parsed, a minimal ACK by hand."""
    reason = reason.replace("|", "/").replace("^", " ").replace("~", " ").replace("&", "+").replace("\\", "/")[:80]
    if message is not None:
        try:
            reply = message.create_ack(ack_code=code, message_id=f"ACK{control_id}"[:20])
            if reason:
                reply.segment("MSA").assign_field(reason, 3)
            return str(reply)
        except Exception:  # noqa: BLE001  (a header too broken to mirror gets the minimal ACK below)
            pass
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    msa = f"MSA|{code}|{control_id}" + (f"|{reason}" if reason else "")
    return f"MSH|^~\\&|RADCURATE|RADCURATE|||{now}||ACK|ACK{control_id}"[:200] + f"|P|2.5\r{msa}"
