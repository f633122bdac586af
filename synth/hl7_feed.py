"""The synthetic hospital's RIS: its reports as HL7 v2.5 ORU^R01 messages and FHIR R4 DiagnosticReports.

Plain Python (no Django): the demo, the tests and the bench send these to the platform with real clients.
A report goes out as a RIS sends it: preliminary, then final, sometimes corrected. Names and birth dates
here are invented, like everything in the synthetic hospital, and stand for the PHI a real feed carries.
"""

import base64
import datetime as dt

SENDING_APPLICATION = "SYNTH_RIS"
SENDING_FACILITY = "SYNTH_HOSP"
STATUS_CODES = {"preliminary": "P", "final": "F", "corrected": "C", "cancelled": "X"}
FHIR_STATUS = {"preliminary": "preliminary", "final": "final", "corrected": "corrected", "addendum": "appended",
               "cancelled": "cancelled"}

# HL7 v2 escape sequences (2.7.4): the escape character first, so the others' backslashes survive.
_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"))


def escape(text: str) -> str:
    for char, sequence in _ESCAPES:
        text = text.replace(char, sequence)
    return text


def oru_r01(*, accession_number: str, patient_id: str, report_date: dt.date, text: str, status: str = "final",
            control_id: str, patient_name: str = "SYNTHETIC^PATIENT", birth_date: str = "19700101",
            sending_application: str = SENDING_APPLICATION, sending_facility: str = SENDING_FACILITY) -> str:
    """One ORU^R01 message: PID-3 patient id, OBR-3 accession, OBR-7 date, OBR-25 status, one OBX per line."""
    code = STATUS_CODES[status]
    observed = report_date.strftime("%Y%m%d") + "0900"
    obr = ["OBR", "1", f"P{accession_number}", accession_number, "CTHEAD^CT HEAD WO CONTRAST", "", "", observed]
    obr += [""] * (25 - len(obr)) + [code]
    segments = [
        (f"MSH|^~\\&|{sending_application}|{sending_facility}|RADCURATE|RADCURATE|{observed}||ORU^R01^ORU_R01|"
         f"{control_id}|P|2.5"),
        f"PID|1||{escape(patient_id)}^^^{sending_facility}^MR||{patient_name}||{birth_date}|U",
        "|".join(obr),
    ]
    segments += [f"OBX|{i}|TX|REPORT^Radiology report||{escape(line)}||||||{code}"
                 for i, line in enumerate(text.split("\n"), 1)]
    return "\r".join(segments)


def diagnostic_report(*, accession_number: str, patient_id: str, report_date: dt.date, text: str,
                      status: str = "final", resource_id: str, in_conclusion: bool = False) -> dict:
    """One FHIR R4 DiagnosticReport: identifier (type ACSN), subject, effectiveDateTime, status, presentedForm."""
    resource = {
        "resourceType": "DiagnosticReport", "id": resource_id, "status": FHIR_STATUS[status],
        "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                              "code": "ACSN"}]}, "value": accession_number}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "30799-1", "display": "CT Head WO contrast"}]},
        "subject": {"reference": f"Patient/{resource_id}-patient", "identifier": {"value": patient_id}},
        "effectiveDateTime": report_date.isoformat(),
    }
    if in_conclusion:
        resource["conclusion"] = text
    else:
        resource["presentedForm"] = [{"contentType": "text/plain; charset=utf-8",
                                      "data": base64.b64encode(text.encode()).decode()}]
    return resource


def bundle(resources: list[dict]) -> dict:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}
