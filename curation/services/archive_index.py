"""Indexing one batch of prepared instances: patients, studies, identity links, series and instance rows.

Rows that exist already are kept (a concurrent ingest may have written them first). Two ingests of one study
at once (two STOW-RS requests, a C-STORE association beside a folder ingest) take their locks in one order:
keys sorted within each kind of row, kinds in the order patient, study, series, instance, series flags; a new
study's UID is held by an advisory lock until the commit, so only one of them creates (and announces) it. On PostgreSQL the
instance rows, ~10 kB of DICOM JSON each, travel by COPY: building and compiling a 200-row INSERT through
the ORM cost more than PostgreSQL's work on the rows.
"""

from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField, Value
from django.utils import timezone

from core.db.bulk import copy_rows
from core.db.locks import advisory_xact_lock
from curation.dicom.classify import InstanceGeometry
from curation.dicom.pipeline import PreparedInstance
from curation.models import IdentityLink, Instance, Patient, Series, Study


def _ids_by(model, field_name: str, values: Iterable[str]) -> dict[str, int]:
    return dict(model.objects.filter(**{f"{field_name}__in": list(values)}).values_list(field_name, "id"))


def _create_missing(model, field_name: str, rows: dict[str, dict], *,
                    lock: bool = False) -> tuple[dict[str, int], set[str]]:
    """Insert rows whose key is not stored yet; return every key's id and the keys inserted here.

    A concurrent ingest may insert the same key first: the conflict is ignored, and the unique constraint
    keeps one row. With `lock`, the keys found missing are locked and looked up again, so the keys returned as
    inserted are those this transaction created (a second ingest waits, then finds the first's row).
    Keys are inserted in sorted order: two ingests of one study wait on each other's rows in the same order.
    """
    existing = _ids_by(model, field_name, rows)
    missing = sorted(key for key in rows if key not in existing)
    if missing and lock:
        advisory_xact_lock(model._meta.db_table, missing)
        existing |= _ids_by(model, field_name, missing)
        missing = [key for key in missing if key not in existing]
    if not missing:
        return existing, set()
    model.objects.bulk_create([model(**{field_name: key}, **rows[key]) for key in missing], ignore_conflicts=True)
    return _ids_by(model, field_name, rows), set(missing)


def _study_row(p: PreparedInstance, patient_id: int) -> dict:
    return {
        "patient_id": patient_id,
        "accession_pseudonym": p.deid.accession_pseudonym,
        "study_date": p.study_date,
        "study_time": p.study_time,
        "modality": p.modality,
        "site": p.deid.site_pseudonym,
        "station": p.deid.station,
        "age_band": p.deid.age_band,
    }


def _identity_link(p: PreparedInstance, study_id: int) -> IdentityLink:
    ident = p.deid.identity
    return IdentityLink(
        study_id=study_id,
        original_study_uid=ident.study_uid[:64],
        original_patient_id=ident.patient_id[:64],
        original_patient_name=ident.patient_name[:324],
        original_birth_date=ident.patient_birth_date[:16],
        original_accession=ident.accession_number[:64],
        original_institution=ident.institution[:64],
        date_shift_days=p.deid.date_shift_days,
    )


def _instance_fields(p: PreparedInstance, series_id: int) -> dict:
    g: InstanceGeometry = p.geometry
    return {
        "sop_uid": p.sop_uid,
        "series_id": series_id,
        "sop_class_uid": p.sop_class_uid,
        "instance_number": g.instance_number,
        "storage_path": p.storage_path,
        "transfer_syntax": p.transfer_syntax,
        "sha256": p.sha256,
        "size": p.size,
        "rows": p.rows,
        "columns": p.columns,
        "n_frames": p.n_frames,
        "pixel_offset": p.pixel_offset,
        "frame_length": p.frame_length,
        "image_type": "\\".join(g.image_type)[:128],
        "orientation": list(g.orientation) if g.orientation else None,
        "position": list(g.position) if g.position else None,
        "gantry_tilt": g.gantry_tilt,
        "dicom_json": p.dicom_json,
    }


def _copy_instances(rows: list[dict]) -> None:
    """COPY the rows in; raises IntegrityError when one of them is stored already."""
    now = timezone.now()
    copy_rows(Instance, [*rows[0], "created_at"], [(*row.values(), now) for row in rows])


def _insert_instances(rows: list[dict]) -> None:
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():  # a savepoint: a conflict undoes the COPY alone
                _copy_instances(rows)
            return
        except IntegrityError:
            pass  # a concurrent ingest stored one of them, or a SOP UID lives in another series: keep the first
    instances = [Instance(**row) for row in rows]
    if connection.vendor == "postgresql":
        for instance in instances:
            # As an expression the insert takes one parameter per document: PostgreSQL's bulk insert would
            # otherwise pass all documents as one jsonb[] literal, which psycopg escapes character by character.
            instance.dicom_json = Value(instance.dicom_json, output_field=JSONField())
    Instance.objects.bulk_create(instances, ignore_conflicts=True)


def _mark_for_refresh(series_ids: list[int]) -> None:
    """Flag the series for refresh, their rows locked in id order first (as `series_refresh` locks them)."""
    list(Series.objects.filter(pk__in=series_ids).order_by("pk").select_for_update().values_list("pk"))
    Series.objects.filter(pk__in=series_ids).update(needs_refresh=True)


@transaction.atomic
def index_batch(batch: list[PreparedInstance]) -> tuple[set[int], list[Study]]:
    """Insert patients, studies, series and instances of a batch; return the series it touched and the
    studies it created."""
    first_of_study = {p.study_uid: p for p in reversed(batch)}
    first_of_series = {p.series_uid: p for p in reversed(batch)}
    patient_ids, _ = _create_missing(Patient, "pseudonym", {p.deid.patient_pseudonym: {} for p in batch})
    study_rows = {uid: _study_row(p, patient_ids[p.deid.patient_pseudonym]) for uid, p in first_of_study.items()}
    study_ids, new_studies = _create_missing(Study, "study_uid", study_rows, lock=True)  # announced once
    IdentityLink.objects.bulk_create(
        [_identity_link(first_of_study[uid], study_ids[uid]) for uid in new_studies], ignore_conflicts=True
    )
    series_rows = {
        uid: {"study_id": study_ids[p.study_uid], "modality": p.modality, "series_number": p.series_number,
              "rows": p.rows, "columns": p.columns}
        for uid, p in first_of_series.items()
    }
    series_ids, _ = _create_missing(Series, "series_uid", series_rows)
    ordered = sorted(batch, key=lambda p: p.sop_uid)  # the same lock order as a concurrent ingest of the study
    _insert_instances([_instance_fields(p, series_ids[p.series_uid]) for p in ordered])
    _mark_for_refresh(sorted(series_ids.values()))
    created = list(Study.objects.filter(study_uid__in=new_studies)) if new_studies else []
    return set(series_ids.values()), created
