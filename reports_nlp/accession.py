"""Pseudonyms of accession numbers and patient ids, with the archive's de-identification key.

Reports and studies meet only through these pseudonyms, so both sides must use the archive's
function and key; the original numbers are never stored.
"""

from django.conf import settings


def _pseudonymize(value: str, kind: str) -> str:
    from curation.dicom.deidentify import pseudonymize

    return pseudonymize(value, key=settings.RADCURATE_DEID_KEY, kind=kind)


def accession_pseudonym(accession_number: str) -> str:
    return _pseudonymize(accession_number.strip(), "accession")


def patient_pseudonym(patient_id: str) -> str:
    return _pseudonymize(patient_id.strip(), "patient") if patient_id and patient_id.strip() else ""
