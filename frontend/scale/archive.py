"""The archive at scale: patients, studies, series and instances generated inside PostgreSQL.

Why inside the database (INSERT ... SELECT over generate_series) rather than COPY from Python: the 4.8 million
instance documents (~4 kB of DICOM JSON each) would cost more to build and send from Python than PostgreSQL takes
to store them. Each document is a real one written by ingest for the seed study, cut into text pieces around the
attributes that differ per instance (UIDs, instance number, position, dates, accession, patient, scanner); SQL joins
the pieces with this instance's values and parses the text once (merging jsonb objects cost three times as much),
so the rows hold the same columns and documents ingest writes. Every instance points at one of the seed's stored
files (same sha256 and storage path): pixel reads work, disk use stays small.
"""

import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.db import connection

from curation.dicom.age_band import BAND_LABELS
from curation.models import Instance, Study

# Instances per study: one localizer, the axial series, three sagittal reformats (as the synthetic cohort).
AXIAL, LOCALIZER, REFORMAT = "axial", "localizer", "reformat"
SERIES_LAYOUT = ((1, LOCALIZER, 1), (2, AXIAL, 156), (3, REFORMAT, 3))  # number, kind, instances
INSTANCES_PER_STUDY = sum(n for _, _, n in SERIES_LAYOUT)
N_SITES, N_MODELS = 80, 50
STUDY_BATCH = 500  # studies per instance statement (78,000 rows): progress shows, one statement stays short

_MAKES = ("SIEMENS", "GE MEDICAL SYSTEMS", "CANON", "PHILIPS", "TOSHIBA")
_MODELS = ("SOMATOM Definition AS+", "SOMATOM Force", "SOMATOM go.Top", "SOMATOM Perspective", "SOMATOM Edge",
           "Revolution CT", "Optima CT660", "LightSpeed VCT", "Discovery CT750 HD", "BrightSpeed",
           "Aquilion Prime SP", "Aquilion ONE", "Aquilion Lightning", "Aquilion CXL", "Aquilion 64",
           "Ingenuity CT", "iCT 256", "Brilliance 64", "IQon Spectral CT", "Incisive CT")


def scanner_models() -> list[tuple[str, str]]:
    """Fifty (make, model) pairs: each make with its own models, then every make with the rest in turn."""
    pairs = [(make, model) for i, make in enumerate(_MAKES) for model in _MODELS[4 * i: 4 * i + 4]]
    extra = [(make, f"{model} ({k})") for k in range(2, 4) for make, model in pairs[:15]]
    return (pairs + extra)[:N_MODELS]


def ingest_seed(progress: Callable[[str], None]) -> None:
    """One real synthetic study through the real ingest: its files and documents are the templates."""
    from curation.services.archive import ingest_paths
    from synth.cohort import generate_cohort

    with tempfile.TemporaryDirectory(prefix="scale-seed-") as tmp:
        generate_cohort(tmp, studies=1, seed=7, size=256, slices=32, broken_fraction=0.0, overwrite=True)
        summary = ingest_paths([Path(tmp) / "dicom"], source="cli")
    progress(f"seed study ingested: {summary.accepted} instances")


# The attributes that differ per instance, in tag order (a document's keys are sorted): each becomes a slot.
SLOTS = ("00080012", "00080018", "00080020", "00080021", "00080022", "00080023", "00080050", "00080070", "00081090",
         "00100010", "00100020", "0020000D", "0020000E", "00200013", "00200032", "00201041", "7FE00010")
_SLOT = re.compile(r'"@@(\w+)@@"')


def _pieces(instance: Instance) -> tuple[list[str], str, str, str]:
    """The stored document as text pieces around the slots; also the pixel URI's base (the public URL) and the
    seed's own position and slice location elements (kept for the localizer and reformats)."""
    doc = dict(instance.dicom_json)
    base = doc.get("7FE00010", {}).get("BulkDataURI", "").split("/studies/")[0] + "/studies/"
    own = [json.dumps(doc.get(tag, {"vr": "DS"}), separators=(",", ":")) for tag in ("00200032", "00201041")]
    doc.update({tag: f"@@{tag}@@" for tag in SLOTS})
    text = json.dumps(dict(sorted(doc.items())), separators=(",", ":"))
    parts = _SLOT.split(text)
    if tuple(parts[1::2]) != SLOTS:
        raise ValueError("seed document slots out of order")
    return parts[0::2], base, *own


def seed_rows() -> list[tuple]:
    """(kind, k, count, instance fields..., template) for every seed instance, in slice order per kind."""
    study = Study.objects.select_related("patient").order_by("id").first()
    rows = []
    for series in study.series.all():
        instances = list(series.instances.order_by("slice_index", "instance_number"))
        for k, inst in enumerate(instances):
            rows.append((series.kind, k, len(instances), inst.sop_class_uid, inst.storage_path, inst.transfer_syntax,
                         inst.sha256, inst.size, inst.rows, inst.columns, inst.pixel_offset, inst.frame_length,
                         inst.image_type, json.dumps(inst.orientation), json.dumps(inst.position),
                         *_pieces(inst)))
    return rows


_SEED_TABLE = """
    CREATE TEMP TABLE scale_seed (kind text, k int, count int, sop_class_uid text, storage_path text,
        transfer_syntax text, sha256 text, size bigint, rows int, columns int, pixel_offset bigint,
        frame_length bigint, image_type text, orientation jsonb, position jsonb, parts text[], bulk_base text, position_element text,
        location_element text)"""


def _hash_sql(expr: str) -> str:
    """A stable pseudo-random 16-character pseudonym from an SQL text expression (as ingest's HMAC pseudonyms)."""
    return f"upper(substr(md5({expr}), 1, 16))"


def study_uid_sql(i: str) -> str:
    return f"'2.25.9' || lpad(({i})::text, 8, '0')"


def insert_patients_and_studies(n_studies: int, n_patients: int) -> None:
    models = scanner_models()
    stations = [f"{make} {model}" for make, model in models]
    sites = [f"S{i:02d}" for i in range(N_SITES)]
    patient = _hash_sql("'patient-' || p")
    accession, patient_of_study = _hash_sql("'acc-' || i"), _hash_sql("'patient-' || (i %% %s)")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO curation_patient (pseudonym, created_at) SELECT {patient}, now()"
                       " FROM generate_series(0, %s) p", [n_patients - 1])
        # Sites follow a skewed volume (a few large hospitals, many small ones); dates span ten years.
        cursor.execute(
            "INSERT INTO curation_study (study_uid, patient_id, accession_pseudonym, study_date, study_time, modality,"
            " site, station, age_band, n_series, n_instances, created_at, updated_at) "
            f"SELECT {study_uid_sql('i')}, p.id, {accession},"
            " date '2008-01-01' + (i * 7919 %% 3650), lpad((i * 37 %% 24)::text, 2, '0') || '1500', 'CT',"
            " (%s::text[])[1 + floor(%s * power((i::bigint * 104729 %% 10007) / 10007.0, 2))::int],"
            " (%s::text[])[1 + i %% %s], (%s::text[])[1 + i * 31 %% %s], %s, %s, now(), now() "
            "FROM generate_series(0, %s) i "
            f"JOIN curation_patient p ON p.pseudonym = {patient_of_study}",
            [sites, N_SITES, stations, N_MODELS, list(BAND_LABELS), len(BAND_LABELS), len(SERIES_LAYOUT),
             INSTANCES_PER_STUDY, n_studies - 1, n_patients])


def insert_series(first_study: int) -> None:
    with connection.cursor() as cursor:
        for number, kind, count in SERIES_LAYOUT:
            flags = {"single_image": True} if count == 1 else {}
            cursor.execute(
                "INSERT INTO curation_series (series_uid, study_id, modality, series_number, kind, n_instances,"
                " qc_flags, slice_spacing, normal, rows, columns, needs_refresh, created_at, updated_at) "
                "SELECT st.study_uid || '.' || %s, st.id, 'CT', %s, %s, %s, %s, %s, %s, 256, 256, false, now(), now()"
                " FROM curation_study st WHERE st.id >= %s",
                [number, number, kind, count, json.dumps(flags), 4.6875 if kind == AXIAL else None,
                 json.dumps([0.0, 0.0, 1.0] if kind == AXIAL else [1.0, 0.0, 0.0]), first_study])
        cursor.execute(
            "UPDATE curation_study st SET primary_series_id = s.id FROM curation_series s"
            " WHERE s.study_id = st.id AND s.kind = %s AND st.id >= %s", [AXIAL, first_study])


def _element(vr: str, values: str, *, string: bool = True) -> str:
    """An SQL text expression of one attribute's DICOM JSON (`values`: SQL text of the values, comma-joined)."""
    quote = "\"" if string else ""
    return f"""'{{"vr":"{vr}","Value":[{quote}' || {values} || '{quote}]}}'"""


def _slot_values() -> dict[str, str]:
    date = _element("DA", "to_char(st.study_date, 'YYYYMMDD')")
    pixel_uri = "f.bulk_base || st.study_uid || '/series/' || s.series_uid || '/instances/' || uid || '/frames/1'"
    axial = f"s.kind = '{AXIAL}'"
    position = _element("DS", "'-109.57,-109.57,' || z", string=False)
    return {
        "00080012": date, "00080018": _element("UI", "uid"), "00080020": date, "00080021": date, "00080022": date,
        "00080023": date, "00080050": _element("SH", "st.accession_pseudonym"),
        "00080070": _element("LO", "split_part(st.station, ' ', 1)"),
        "00081090": _element("LO", "substr(st.station, strpos(st.station, ' ') + 1)"),
        "00100010": """'{"vr":"PN","Value":[{"Alphabetic":"' || p.pseudonym || '"}]}'""",
        "00100020": _element("LO", "p.pseudonym"), "0020000D": _element("UI", "st.study_uid"),
        "0020000E": _element("UI", "s.series_uid"), "00200013": _element("IS", "(n + 1)::text", string=False),
        "00200032": f"CASE WHEN {axial} THEN {position}"
                    " ELSE f.position_element END",
        "00201041": f"CASE WHEN {axial} THEN {_element('DS', 'z::text', string=False)} ELSE f.location_element END",
        "7FE00010": f"""'{{"vr":"OW","BulkDataURI":"' || {pixel_uri} || '"}}'""",
    }


def _document_sql() -> str:
    """The instance document: the seed's text pieces around this instance's attributes, parsed once."""
    values = _slot_values()
    text = " || ".join(f"f.parts[{i + 1}] || {values[tag]}" for i, tag in enumerate(SLOTS))
    return f"({text} || f.parts[{len(SLOTS) + 1}])::jsonb"


_INSTANCES_SQL = f"""
    INSERT INTO curation_instance (sop_uid, series_id, sop_class_uid, instance_number, slice_index, storage_path,
        transfer_syntax, sha256, size, rows, columns, n_frames, pixel_offset, frame_length, image_type, orientation,
        position, gantry_tilt, dicom_json, created_at)
    SELECT uid, s.id, f.sop_class_uid, n + 1, n, f.storage_path, f.transfer_syntax, f.sha256, f.size, f.rows,
        f.columns, 1, f.pixel_offset, f.frame_length, f.image_type, f.orientation,
        CASE WHEN s.kind = '{AXIAL}' THEN jsonb_build_array(-109.57, -109.57, z) ELSE f.position END,
        0.0, {_document_sql()}, now()
    FROM curation_study st
    JOIN curation_patient p ON p.id = st.patient_id
    JOIN curation_series s ON s.study_id = st.id
    CROSS JOIN LATERAL generate_series(0, s.n_instances - 1) n
    CROSS JOIN LATERAL (SELECT s.series_uid || '.' || (n + 1) AS uid, round(-150 + n * 1.25, 3) AS z) v
    JOIN scale_seed f ON f.kind = s.kind AND f.k = n %% f.count
    WHERE st.id BETWEEN %s AND %s"""


def insert_instances(first_study: int, last_study: int, progress: Callable[[int], None]) -> None:
    seeds = seed_rows()  # before the COPY: the connection runs nothing else while it lasts
    with connection.cursor() as cursor:
        cursor.execute(_SEED_TABLE)
        with cursor.copy("COPY scale_seed FROM STDIN") as copy:
            for row in seeds:
                copy.write_row(row)
        for start in range(first_study, last_study + 1, STUDY_BATCH):
            end = min(start + STUDY_BATCH - 1, last_study)
            cursor.execute(_INSTANCES_SQL, [start, end])
            progress(end - start + 1)
        cursor.execute("DROP TABLE scale_seed")
