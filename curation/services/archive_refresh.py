"""Series and study refresh after instances arrive: classification, slice order and QC flags of each series,
and each study's counts and primary axial series."""

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from curation.dicom.classify import InstanceGeometry, classify_series, primary_axial
from curation.models import Instance, Series, Study


def _geometry(row: dict) -> InstanceGeometry:
    return InstanceGeometry(
        sop_uid=row["sop_uid"],
        image_type=tuple(v for v in row["image_type"].split("\\") if v),
        orientation=tuple(row["orientation"]) if row["orientation"] else None,
        position=tuple(row["position"]) if row["position"] else None,
        instance_number=row["instance_number"],
        gantry_tilt=row["gantry_tilt"],
    )


_GEOMETRY_FIELDS = ("id", "series_id", "sop_uid", "image_type", "orientation", "position", "instance_number",
                    "gantry_tilt", "slice_index")
_CLASSIFIED_FIELDS = ["kind", "qc_flags", "slice_spacing", "normal", "n_instances", "needs_refresh", "updated_at"]


def _classify(series: Series, rows: list[dict]) -> list[tuple[int, int]]:
    """Set the series' kind, QC flags and geometry from its instance rows; return the (instance id,
    slice index) pairs that changed."""
    result = classify_series([_geometry(r) for r in rows])
    index = {sop: i for i, sop in enumerate(result.order)}
    series.kind = result.kind
    series.qc_flags = result.qc_flags
    series.slice_spacing = result.spacing
    series.normal = list(result.normal) if result.normal else None
    series.n_instances = len(rows)
    series.needs_refresh = False
    return [(r["id"], index[r["sop_uid"]]) for r in rows if r["slice_index"] != index[r["sop_uid"]]]


def _store_slice_order(pairs: list[tuple[int, int]], chunk: int = 500) -> None:
    """Set (instance id, slice index) pairs in one UPDATE per chunk.

    Written as SQL: the ORM's bulk_update builds an expression per row, which cost more than the update.
    """
    quote = connection.ops.quote_name
    table, pk, column = (quote(n) for n in (Instance._meta.db_table, Instance._meta.pk.column, "slice_index"))
    for start in range(0, len(pairs), chunk):
        part = pairs[start : start + chunk]
        cases = " ".join(["WHEN %s THEN %s"] * len(part))
        ids = ", ".join(["%s"] * len(part))
        params = [v for pair in part for v in pair] + [pk_value for pk_value, _ in part]
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {column} = CASE {pk} {cases} END WHERE {pk} IN ({ids})", params)


@transaction.atomic
def study_refresh(*, study: Study) -> Study:
    """Counts, modality and the primary axial series of a study from its series."""
    series = list(study.series.all())
    pick = primary_axial([(s, s.kind, s.qc_flags, s.n_instances) for s in series])
    if study.primary_series_pinned and any(s.pk == study.primary_series_id for s in series):
        pick = study.primary_series  # slice marks of stored reads point into it
    modalities = Counter(s.modality for s in series if s.modality)
    study.primary_series = pick
    study.n_series = len(series)
    study.n_instances = sum(s.n_instances for s in series)
    study.modality = "CT" if "CT" in modalities else (modalities.most_common(1)[0][0] if modalities else "")
    study.save()
    return study


@transaction.atomic
def series_refresh(*, series_ids: Iterable[int]) -> None:
    """Reclassify the given series, store their slice order and refresh their studies (readers see all of it
    at once). The instance rows of all the series come in one query, their slice indexes go out in one."""
    # Locked (in id order, as an ingest flags them) before their instances are counted: a concurrent refresh
    # of the same series waits and then counts the rows committed meanwhile, never writing an older count last.
    series_list = list(Series.objects.filter(pk__in=list(series_ids)).order_by("pk").select_for_update())
    rows = defaultdict(list)
    for row in Instance.objects.filter(series__in=series_list).order_by().values(*_GEOMETRY_FIELDS):
        rows[row["series_id"]].append(row)
    changed = []
    for series in series_list:
        changed += _classify(series, rows[series.pk])
        series.save(update_fields=_CLASSIFIED_FIELDS)
    _store_slice_order(changed)
    studies = Study.objects.filter(pk__in={s.study_id for s in series_list}).order_by("pk").select_for_update()
    for study in studies.prefetch_related("series"):  # its series read once it is locked: all committed counts
        study_refresh(study=study)


def series_refresh_pending() -> int:
    """Finish series left unclassified by an interrupted ingest (a listener that stopped mid-association)."""
    ids = list(Series.objects.filter(needs_refresh=True).values_list("id", flat=True))
    series_refresh(series_ids=ids)
    return len(ids)


def study_primary_series_pin(*, study_id: int) -> None:
    """Keep the study's primary series from now on: a read has marked slices of it (called by annotation)."""
    Study.objects.filter(pk=study_id, primary_series_pinned=False).update(primary_series_pinned=True)
