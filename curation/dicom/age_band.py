"""The patient's age band at the study, read from the original header before de-identification removes it.

Subgroup evaluation needs age, but the exact age and the birth date are PHI (and removed by the Annex E profile):
only the band is kept, on the study. PatientAge (0010,1010) is used when it parses; otherwise the completed years
between PatientBirthDate (0010,0030) and StudyDate (0008,0020), both as received (unshifted).
"""

import datetime as dt

# (lowest age in completed years, band label), youngest first; every band spans decades, so no exact age shows.
AGE_BANDS = ((0, "0-17"), (18, "18-39"), (40, "40-64"), (65, "65-79"), (80, "80+"))
BAND_LABELS = tuple(label for _, label in AGE_BANDS)
_YEARS_PER = {"D": 1 / 365.25, "W": 7 / 365.25, "M": 1 / 12, "Y": 1.0}
_OLDEST = 130  # a parsed age beyond this is an error in the header, not a patient


def band_of_years(years: float) -> str:
    """The band of an age in years; "" when the age is not plausible."""
    if not 0 <= years <= _OLDEST:
        return ""
    return next(label for lowest, label in reversed(AGE_BANDS) if years >= lowest)


def years_from_patient_age(value: str) -> float | None:
    """Age in years from an AS value ("045Y", "003M", "012W", "020D"); None when it does not parse."""
    text = (value or "").strip().upper()
    if len(text) < 2 or text[-1] not in _YEARS_PER or not text[:-1].isdigit():
        return None
    return int(text[:-1]) * _YEARS_PER[text[-1]]


def _date(value: str) -> dt.date | None:
    text = (value or "").strip().replace(".", "")[:8]
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 else None
    except ValueError:
        return None


def years_between(birth_date: str, study_date: str) -> float | None:
    """Completed years from a DA birth date to a DA study date; None when either is missing or malformed."""
    born, on = _date(birth_date), _date(study_date)
    if born is None or on is None or on < born:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(*, patient_age: str = "", birth_date: str = "", study_date: str = "") -> str:
    """The study's age band ("0-17" ... "80+"), or "" when the header says nothing usable."""
    years = years_from_patient_age(patient_age)
    if years is None:
        years = years_between(birth_date, study_date)
    return "" if years is None else band_of_years(years)
