"""Archive use cases: every ingest path (CLI, upload, STOW-RS, C-STORE, demo) ends in an `IngestSession`.

The session runs each instance through `curation.dicom.pipeline`, quarantines rejects with their reason,
indexes accepted instances in batches, and refreshes the series they touched (classification, slice order,
QC flags, precomputed metadata) and their studies (counts, primary axial series).
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.aggregates import JSONBAgg
from django.db import connection, transaction
from django.db.models import JSONField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from curation.dicom.classify import InstanceGeometry, classify_series, primary_axial
from curation.dicom.errors import InstanceRejected, StudyMismatch
from curation.dicom.pipeline import PreparedInstance, process_instance
from curation.dicom.sources import Source, iter_sources
from curation.dicom.store import sha256_hex, store_quarantine
from curation.models import IdentityLink, IngestJob, Instance, Patient, Rejection, Series, Study
from curation.signals import study_ingested

logger = logging.getLogger(__name__)

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
SOURCES = ("cli", "upload", "stow", "cstore", "demo", "api")

Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    """What happened to one instance; STOW-RS and C-STORE answer per instance from it."""

    status: str
    name: str
    sop_uid: str = ""
    sop_class_uid: str = ""
    study_uid: str = ""
    series_uid: str = ""
    rule: str = ""
    reason: str = ""


@dataclass
class IngestSummary:
    accepted: int = 0
    duplicate: int = 0
    rejected: Counter = field(default_factory=Counter)
    study_uids: set[str] = field(default_factory=set)

    @property
    def n_rejected(self) -> int:
        return sum(self.rejected.values())

    @property
    def total(self) -> int:
        return self.accepted + self.duplicate + self.n_rejected

    def count(self, outcome: Outcome) -> None:
        if outcome.status == ACCEPTED:
            self.accepted += 1
        elif outcome.status == DUPLICATE:
            self.duplicate += 1
        else:
            self.rejected[outcome.rule] += 1
        if outcome.study_uid:
            self.study_uids.add(outcome.study_uid)

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "rejected": self.n_rejected,
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "studies": len(self.study_uids),
        }

    def __str__(self) -> str:
        reasons = ", ".join(f"{rule} {n}" for rule, n in sorted(self.rejected.items()))
        return (
            f"accepted {self.accepted}, duplicate {self.duplicate}, rejected {self.n_rejected}"
            + (f" ({reasons})" if reasons else "")
            + f"; {len(self.study_uids)} studies"
        )


class IngestSession:
    """Ingest instances one by one, index them in batches; close (or leave the `with` block) to finish.

    `batch_size=1` indexes each instance before `add` returns (C-STORE answers success only for stored
    and indexed instances); `refresh="flush"` reclassifies touched series at every batch, `refresh="close"`
    only at the end (a listener association receiving a series slice by slice).
    """

    def __init__(self, *, source: str, job: IngestJob | None = None, batch_size: int = 200, refresh: str = "flush",
                 target_study: str | None = None):
        if source not in SOURCES:
            raise ValueError(f"Unknown ingest source '{source}'; one of {', '.join(SOURCES)}.")
        self.source = source
        self.job = job
        self.batch_size = batch_size
        self.refresh = refresh
        self.target_study = target_study
        self.summary = IngestSummary()
        self._pending: list[PreparedInstance] = []
        self._pending_sops: set[str] = set()
        self._dirty_series: set[int] = set()
        self._known: dict[str, set[str]] = {}  # series UID -> its stored SOP UIDs, one query per series
        self._key = settings.RADCURATE_DEID_KEY
        self._public_url = settings.RADCURATE_PUBLIC_URL

    def __enter__(self) -> "IngestSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add(self, raw: bytes, *, name: str) -> Outcome:
        try:
            prepared = process_instance(
                raw, name=name, key=self._key, public_url=self._public_url, is_duplicate=self._is_duplicate,
                target_study=self.target_study,
            )
        except StudyMismatch as exc:  # the sender's addressing error, not a bad file: nothing is kept
            outcome = Outcome(REJECTED, name, exc.sop_uid, exc.sop_class_uid, rule=exc.rule, reason=exc.message)
        except InstanceRejected as exc:
            outcome = self._reject(raw, name, exc)
        else:
            outcome = self._accept(prepared, name)
        self.summary.count(outcome)
        return outcome

    def reject(self, raw: bytes, *, name: str, rule: str, reason: str) -> Outcome:
        """Record an item that never reached the pipeline (unreadable file, bad multipart part)."""
        outcome = self._reject(raw, name, InstanceRejected(rule, reason))
        self.summary.count(outcome)
        return outcome

    def flush(self) -> None:
        if self._pending:
            with transaction.atomic():  # index and refresh commit together: one commit (one WAL flush) a batch
                new_studies = _index_batch(self._pending, self._dirty_series)
                self._pending, self._pending_sops, self._known = [], set(), {}
                if self.refresh == "flush":
                    self._refresh()
            for study in new_studies:
                study_ingested.send(sender=Study, study=study)

    def close(self) -> None:
        self.flush()
        self._refresh()

    def _refresh(self) -> None:
        if self._dirty_series:
            series_refresh(series_ids=sorted(self._dirty_series))
            self._dirty_series.clear()

    def _is_duplicate(self, series_uid: str, sop_uid: str) -> bool:
        if sop_uid in self._pending_sops:
            return True
        if series_uid not in self._known:
            stored = Instance.objects.filter(series__series_uid=series_uid).values_list("sop_uid", flat=True)
            self._known[series_uid] = set(stored)
        # A SOP UID already stored under another series is a conflicting object, not a re-send: the unique
        # constraint keeps the first one (bulk_create ignores the conflict).
        return sop_uid in self._known[series_uid]

    def _accept(self, prepared: PreparedInstance, name: str) -> Outcome:
        status = DUPLICATE if prepared.duplicate else ACCEPTED
        outcome = Outcome(status, name, prepared.sop_uid, prepared.sop_class_uid, prepared.study_uid,
                          prepared.series_uid)
        if prepared.duplicate:
            outcome.sop_class_uid = (
                Instance.objects.filter(sop_uid=prepared.sop_uid).values_list("sop_class_uid", flat=True).first()
                or ""
            )
            return outcome
        self._pending.append(prepared)
        self._pending_sops.add(prepared.sop_uid)
        if len(self._pending) >= self.batch_size:
            self.flush()
        return outcome

    def _reject(self, raw: bytes, name: str, exc: InstanceRejected) -> Outcome:
        logger.info("ingest rejected (%s): %s", exc.rule, exc.message)
        digest = sha256_hex(raw)
        # The same bad file ingested again is one quarantine entry, not two.
        if not Rejection.objects.filter(sha256=digest, rule=exc.rule, name=name[:512]).exists():
            Rejection.objects.create(
                source=self.source,
                name=name[:512],
                rule=exc.rule,
                tag=exc.tag[:64],
                reason=exc.message,
                sha256=digest,
                quarantine_path=store_quarantine(raw) if raw else "",
                job=self.job,
            )
        return Outcome(REJECTED, name, rule=exc.rule, reason=exc.message)


def _ids_by(model, field_name: str, values: Iterable[str]) -> dict[str, int]:
    return dict(model.objects.filter(**{f"{field_name}__in": list(values)}).values_list(field_name, "id"))


def _create_missing(model, field_name: str, rows: dict[str, dict]) -> tuple[dict[str, int], set[str]]:
    """Insert rows whose key is not stored yet (a concurrent ingest may win the race: ignore conflicts)."""
    existing = _ids_by(model, field_name, rows)
    missing = [key for key in rows if key not in existing]
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
    }


def _instance(p: PreparedInstance, series_id: int) -> Instance:
    g: InstanceGeometry = p.geometry
    return Instance(
        sop_uid=p.sop_uid,
        series_id=series_id,
        sop_class_uid=p.sop_class_uid,
        instance_number=g.instance_number,
        storage_path=p.storage_path,
        transfer_syntax=p.transfer_syntax,
        sha256=p.sha256,
        size=p.size,
        rows=p.rows,
        columns=p.columns,
        n_frames=p.n_frames,
        pixel_offset=p.pixel_offset,
        frame_length=p.frame_length,
        image_type="\\".join(g.image_type)[:128],
        orientation=list(g.orientation) if g.orientation else None,
        position=list(g.position) if g.position else None,
        gantry_tilt=g.gantry_tilt,
        # As an expression the insert takes one parameter per document: PostgreSQL's bulk insert would
        # otherwise pass all documents as one jsonb[] literal, which psycopg escapes character by character.
        dicom_json=Value(p.dicom_json, output_field=JSONField()),
    )


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


@transaction.atomic
def _index_batch(batch: list[PreparedInstance], dirty_series: set[int]) -> list[Study]:
    """Insert patients, studies, series and instances of a batch; return the studies it created."""
    first_of_study = {p.study_uid: p for p in reversed(batch)}
    first_of_series = {p.series_uid: p for p in reversed(batch)}
    patient_ids, _ = _create_missing(Patient, "pseudonym", {p.deid.patient_pseudonym: {} for p in batch})
    study_rows = {uid: _study_row(p, patient_ids[p.deid.patient_pseudonym]) for uid, p in first_of_study.items()}
    study_ids, new_studies = _create_missing(Study, "study_uid", study_rows)
    IdentityLink.objects.bulk_create(
        [_identity_link(first_of_study[uid], study_ids[uid]) for uid in new_studies], ignore_conflicts=True
    )
    series_rows = {
        uid: {"study_id": study_ids[p.study_uid], "modality": p.modality, "series_number": p.series_number,
              "rows": p.rows, "columns": p.columns}
        for uid, p in first_of_series.items()
    }
    series_ids, _ = _create_missing(Series, "series_uid", series_rows)
    Instance.objects.bulk_create([_instance(p, series_ids[p.series_uid]) for p in batch], ignore_conflicts=True)
    Series.objects.filter(pk__in=series_ids.values()).update(needs_refresh=True)
    dirty_series.update(series_ids.values())
    return list(Study.objects.filter(study_uid__in=new_studies))


def _geometry(row: dict) -> InstanceGeometry:
    return InstanceGeometry(
        sop_uid=row["sop_uid"],
        image_type=tuple(v for v in row["image_type"].split("\\") if v),
        orientation=tuple(row["orientation"]) if row["orientation"] else None,
        position=tuple(row["position"]) if row["position"] else None,
        instance_number=row["instance_number"],
        gantry_tilt=row["gantry_tilt"],
    )


@transaction.atomic
def series_classify(*, series: Series) -> Series:
    """Classify a series from its indexed instances, store slice order, QC flags and the metadata JSON."""
    rows = list(
        series.instances.values("id", "sop_uid", "image_type", "orientation", "position", "instance_number",
                                "gantry_tilt", "slice_index")
    )
    result = classify_series([_geometry(r) for r in rows])
    index = {sop: i for i, sop in enumerate(result.order)}
    changed = [Instance(pk=r["id"], slice_index=index[r["sop_uid"]]) for r in rows
               if r["slice_index"] != index[r["sop_uid"]]]
    Instance.objects.bulk_update(changed, ["slice_index"], batch_size=500)
    series.kind = result.kind
    series.qc_flags = result.qc_flags
    series.slice_spacing = result.spacing
    series.normal = list(result.normal) if result.normal else None
    series.n_instances = len(rows)
    series.needs_refresh = False
    if connection.vendor == "postgresql":
        series.save(update_fields=[f for f in _CLASSIFIED_FIELDS if f != "metadata_json"])
        _series_metadata_in_database(series)
    else:
        documents = dict(series.instances.values_list("sop_uid", "dicom_json"))
        series.metadata_json = [documents[sop] for sop in result.order]
        series.save(update_fields=_CLASSIFIED_FIELDS)
    return series


_CLASSIFIED_FIELDS = ["kind", "qc_flags", "slice_spacing", "normal", "n_instances", "needs_refresh",
                      "metadata_json", "updated_at"]


def _series_metadata_in_database(series: Series) -> None:
    """The series' metadata document, assembled by PostgreSQL from its instances in slice order.

    The instance documents never travel to Python and back: a 40-slice series is ~400 kB of JSON.
    """
    documents = (
        Instance.objects.filter(series=OuterRef("pk"))
        .order_by()
        .values("series")
        .annotate(documents=JSONBAgg("dicom_json", order_by=("slice_index", "instance_number", "sop_uid")))
        .values("documents")
    )
    Series.objects.filter(pk=series.pk).update(metadata_json=Coalesce(Subquery(documents), Value([], JSONField())))
    series.__dict__.pop("metadata_json", None)  # now a deferred field: loaded from the database if read


@transaction.atomic
def study_refresh(*, study: Study) -> Study:
    """Counts, modality and the primary axial series of a study from its series."""
    series = list(study.series.defer("metadata_json"))
    pick = primary_axial([(s, s.kind, s.qc_flags, s.n_instances) for s in series])
    modalities = Counter(s.modality for s in series if s.modality)
    study.primary_series = pick
    study.n_series = len(series)
    study.n_instances = sum(s.n_instances for s in series)
    study.modality = "CT" if "CT" in modalities else (modalities.most_common(1)[0][0] if modalities else "")
    study.save()
    return study


@transaction.atomic
def series_refresh(*, series_ids: Iterable[int]) -> None:
    """Reclassify the given series and refresh their studies (readers see both changes at once)."""
    study_ids = set()
    # Never load the metadata documents (hundreds of kB a series) just to classify or count.
    for series in Series.objects.filter(pk__in=list(series_ids)).defer("metadata_json"):
        series_classify(series=series)
        study_ids.add(series.study_id)
    for study in Study.objects.filter(pk__in=study_ids):
        study_refresh(study=study)


def series_refresh_pending() -> int:
    """Finish series left unclassified by an interrupted ingest (a listener that stopped mid-association)."""
    ids = list(Series.objects.filter(needs_refresh=True).values_list("id", flat=True))
    series_refresh(series_ids=ids)
    return len(ids)


def ingest_sources(
    sources: Iterable[Source],
    *,
    source: str,
    total: int | None = None,
    progress: Progress | None = None,
    job: IngestJob | None = None,
) -> IngestSummary:
    """Ingest (name, loader) pairs; one unreadable item is rejected with its reason and the batch goes on."""
    sources = list(sources)
    total = len(sources) if total is None else total
    with IngestSession(source=source, job=job) as session:
        for done, (name, load) in enumerate(sources, start=1):
            try:
                raw = load()
            except (OSError, ValueError, RuntimeError) as exc:  # zipfile raises BadZipFile (ValueError) etc.
                session.reject(b"", name=name, rule="unreadable", reason=f"{name}: cannot be read ({exc}).")
            else:
                session.add(raw, name=name)
            if progress is not None:
                progress(done, total)
    return session.summary


def ingest_paths(paths, *, source: str = "cli", progress: Progress | None = None,
                 job: IngestJob | None = None) -> IngestSummary:
    """Ingest files, folders and zip files; the function the CLI and the demo call."""
    return ingest_sources(iter_sources(list(paths)), source=source, progress=progress, job=job)


def ingest_bytes(items: Iterable[tuple[str, bytes]], *, source: str,
                 target_study: str | None = None) -> tuple[IngestSummary, list[Outcome]]:
    """Ingest in-memory instances (STOW-RS parts); return the summary and each instance's outcome in order.

    With `target_study`, instances of any other study are refused (rule "study_mismatch") and not stored.
    """
    outcomes = []
    with IngestSession(source=source, target_study=target_study) as session:
        for name, raw in items:
            outcomes.append(session.add(raw, name=name))
    return session.summary, outcomes
