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

from curation.dicom.errors import InstanceRejected, StudyMismatch
from curation.dicom.pipeline import PreparedInstance, process_instance
from curation.dicom.sources import Source, SourceRefused, iter_sources
from curation.dicom.store import BackgroundStore, sha256_hex, store_quarantine, sync_stored
from curation.models import IngestJob, Instance, Rejection, Study
from curation.signals import study_ingested

from .archive_index import index_batch
from .archive_refresh import series_refresh

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
    and indexed instances). With `refresh="flush"` a series is reclassified at the first batch that does
    not touch it (or at close): senders send a series in one run, so each series is refreshed once, one
    batch after its last instance, instead of at every batch it spans. `refresh="close"` refreshes only at
    the end (a listener association receiving a series slice by slice).
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
        self._dirty_series: set[int] = set()  # indexed, not yet refreshed
        # study UID -> its stored (series UID, SOP UID) pairs: one query per study, kept for the studies of the
        # last batch (a study's next instances come in the next batch)
        self._known: dict[str, set[tuple[str, str]]] = {}
        self._key = settings.RADCURATE_DEID_KEY
        self._public_url = settings.RADCURATE_PUBLIC_URL
        # Files are hashed and written beside the next instance's parse; one-instance batches wait anyway.
        self._background = BackgroundStore() if batch_size > 1 else None

    def __enter__(self) -> "IngestSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add(self, raw: bytes, *, name: str) -> Outcome:
        try:
            prepared = process_instance(
                raw, name=name, key=self._key, public_url=self._public_url, is_duplicate=self._is_duplicate,
                target_study=self.target_study, background=self._background,
            )
        except StudyMismatch as exc:  # the sender's addressing error, not a bad file: nothing is kept
            outcome = Outcome(REJECTED, name, exc.sop_uid, exc.sop_class_uid, rule=exc.rule, reason=exc.message)
        except InstanceRejected as exc:
            outcome = self._reject(raw, name, exc)
        else:
            outcome = self._accept(prepared, name)
        self.summary.count(outcome)
        return outcome

    def reject(self, raw: bytes, *, name: str, rule: str, reason: str, sha256: str | None = None,
               size: int | None = None) -> Outcome:
        """Record an item that never reached the pipeline (unreadable file, bad multipart part, refused archive).

        `raw` may be the head of a larger original, with the whole's `sha256` and `size`: quarantine keeps a head.
        """
        outcome = self._reject(raw, name, InstanceRejected(rule, reason), digest=sha256, size=size)
        self.summary.count(outcome)
        return outcome

    def flush(self) -> None:
        failure = self._flush()
        if failure is not None:
            raise failure

    def close(self) -> None:
        try:
            failure = self._flush()
            self._refresh(self._dirty_series)
        finally:
            if self._background is not None:
                self._background.close()
        if failure is not None:
            raise failure

    def _flush(self) -> Exception | None:
        """Index the batch; return the first error storing one of its files (that one is not indexed)."""
        failure = self._settle_pending()
        if self._pending:
            # Files and their folder entries reach the disk before the rows naming them commit, and so before
            # STOW-RS or C-STORE acknowledges them: one pass a batch (RADCURATE_FSYNC).
            sync_stored([p.storage_path for p in self._pending])
            touched, new_studies = index_batch(self._pending)
            self._remember_indexed()  # once committed: a rolled-back batch must not count as stored
            # Refreshed in a transaction of their own, after the index commit: one transaction taking both the
            # batch's row locks and other series' refresh locks could deadlock with a concurrent ingest of the
            # same study sending its series in another order.
            finished, self._dirty_series = self._dirty_series - touched, self._dirty_series | touched
            if self.refresh == "flush":
                self._refresh(finished)
            for study in new_studies:
                study_ingested.send(sender=Study, study=study)
        return failure

    def _settle_pending(self) -> Exception | None:
        """Wait for the batch's files; keep the instances whose file was stored and return the first error
        (raised once the others are indexed, as `add` raised it when files were stored in line)."""
        stored, failure = [], None
        for prepared in self._pending:
            try:
                prepared.settle()
            except Exception as exc:  # storage errors of any backend: re-raised by flush
                failure = failure or exc
            else:
                stored.append(prepared)
        self._pending = stored
        return failure

    def _refresh(self, series_ids: set[int]) -> None:
        if series_ids:
            series_refresh(series_ids=sorted(series_ids))
            self._dirty_series -= series_ids

    def _is_duplicate(self, study_uid: str, series_uid: str, sop_uid: str) -> bool:
        if sop_uid in self._pending_sops:
            return True
        if study_uid not in self._known:
            stored = Instance.objects.filter(series__study__study_uid=study_uid).order_by()
            self._known[study_uid] = set(stored.values_list("series__series_uid", "sop_uid"))
        # A SOP UID already stored under another series is a conflicting object, not a re-send: the unique
        # constraint keeps the first one (bulk_create ignores the conflict).
        return (series_uid, sop_uid) in self._known[study_uid]

    def _remember_indexed(self) -> None:
        """Add the indexed batch to the known instances and forget the studies it did not touch."""
        studies = {p.study_uid for p in self._pending}
        self._known = {uid: known for uid, known in self._known.items() if uid in studies}
        for p in self._pending:
            self._known[p.study_uid].add((p.series_uid, p.sop_uid))
        self._pending, self._pending_sops = [], set()

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

    def _reject(self, raw: bytes, name: str, exc: InstanceRejected, *, digest: str | None = None,
                size: int | None = None) -> Outcome:
        digest = digest or sha256_hex(raw)
        # The message names the file, and file names can carry a patient's name: the log gets the rule and digest.
        logger.info("ingest rejected (%s%s): sha256 %s", exc.rule, f", tag {exc.tag}" if exc.tag else "", digest[:16])
        # The same bad file ingested again is one quarantine entry, not two.
        if not Rejection.objects.filter(sha256=digest, rule=exc.rule, name=name[:512]).exists():
            Rejection.objects.create(
                source=self.source,
                name=name[:512],
                rule=exc.rule,
                tag=exc.tag[:64],
                reason=exc.message,
                sha256=digest,
                quarantine_path=store_quarantine(raw, digest=digest, size=size) if raw else "",
                job=self.job,
            )
        return Outcome(REJECTED, name, rule=exc.rule, reason=exc.message)


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
            except SourceRefused as exc:  # an archive past its limits: quarantine keeps the archive's head
                session.reject(exc.head, name=name, rule=exc.rule, reason=exc.message, sha256=exc.sha256,
                               size=exc.size)
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
