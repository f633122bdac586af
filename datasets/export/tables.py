"""The three parquet tables of a dataset (labels, reads, studies), with fixed schemas and a stable row order.

Explicit pyarrow schemas (not pandas inference) keep the column types of docs/dataset-format.md, and the
rows are sorted so that the same inputs always give byte-identical files.
"""

import json
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .records import LabelInput, ReadInput, StudyPlacement

LABELS_SCHEMA = pa.schema([
    ("study_id", pa.string()), ("trait", pa.string()), ("label", pa.int8()), ("soft_label", pa.float32()),
    ("n_reads", pa.int16()), ("adjudicated", pa.bool_()), ("slice_ranges", pa.string()), ("key_images", pa.string()),
])
READS_SCHEMA = pa.schema([
    ("study_id", pa.string()), ("reader", pa.string()), ("trait", pa.string()), ("value", pa.string()),
    ("slice_ranges", pa.string()),
])
STUDIES_SCHEMA = pa.schema([
    ("study_id", pa.string()), ("patient_id", pa.string()), ("split", pa.string()), ("shard", pa.string()),
    ("offset", pa.int64()), ("n_slices", pa.int32()), ("pixel_spacing_mm", pa.float32()),
    ("slice_thickness_mm", pa.float32()), ("site", pa.string()), ("scanner", pa.string()), ("age_band", pa.string()),
])
# The de-identified study metadata subgroup evaluation reads (site pseudonym, scanner make and model, age band).
SUBGROUP_COLUMNS = ("site", "scanner", "age_band")


def ranges_json(ranges: Iterable[Iterable[int]]) -> str:
    if not ranges:
        return "[]"
    return json.dumps(sorted([int(a), int(b)] for a, b in ranges), separators=(",", ":"))


def images_json(images: Iterable[int]) -> str:
    return json.dumps(sorted({int(i) for i in images}), separators=(",", ":")) if images else "[]"


def _write_table(table: pa.Table, path: Path) -> None:
    # Fixed writer options and no pandas metadata: the bytes depend on the rows alone.
    pq.write_table(table, path, compression="zstd", store_schema=False, write_statistics=False)


def _write(rows: list[dict], schema: pa.Schema, path: Path) -> None:
    _write_table(pa.Table.from_pylist(rows, schema=schema), path)


def _columnar(rows: Iterable, fields: dict) -> dict[str, list]:
    # Column lists, not a dict per row: a 24,000-study export has millions of read rows.
    columns: dict[str, list] = {name: [] for name in fields}
    appenders = [(columns[name].append, get) for name, get in fields.items()]
    for row in rows:
        for append, get in appenders:
            append(get(row))
    return columns


def _write_sorted(columns: dict[str, list], schema: pa.Schema, keys: list[str], path: Path) -> None:
    table = pa.table(columns, schema=schema)
    _write_table(table.sort_by([(k, "ascending") for k in keys]), path)


def write_labels(labels: Iterable[LabelInput], path: Path) -> None:
    columns = _columnar(labels, {
        "study_id": lambda lb: lb.study_id, "trait": lambda lb: lb.trait, "label": lambda lb: int(lb.label),
        "soft_label": lambda lb: float(lb.soft_label), "n_reads": lambda lb: int(lb.n_reads),
        "adjudicated": lambda lb: bool(lb.adjudicated), "slice_ranges": lambda lb: ranges_json(lb.slice_ranges),
        "key_images": lambda lb: images_json(lb.key_images),
    })
    _write_sorted(columns, LABELS_SCHEMA, ["study_id", "trait"], path)


def write_reads(reads: Iterable[ReadInput], path: Path) -> None:
    columns = _columnar(reads, {
        "study_id": lambda r: r.study_id, "reader": lambda r: r.reader, "trait": lambda r: r.trait,
        "value": lambda r: r.value, "slice_ranges": lambda r: ranges_json(r.slice_ranges),
    })
    _write_sorted(columns, READS_SCHEMA, ["study_id", "reader", "trait"], path)


def write_studies(placements: Iterable[StudyPlacement], patients: dict[str, str], splits: dict[str, str],
                  path: Path, metadata: dict[str, dict] | None = None) -> None:
    """`metadata`: study_id -> {site, scanner, age_band}, the de-identified subgroup columns (empty when not given)."""
    metadata = metadata or {}
    rows = [
        {"study_id": p.study_id, "patient_id": patients[p.study_id], "split": splits[p.study_id], "shard": p.shard,
         "offset": p.offset, "n_slices": p.n_slices, "pixel_spacing_mm": p.pixel_spacing_mm,
         "slice_thickness_mm": p.slice_thickness_mm,
         **{k: metadata.get(p.study_id, {}).get(k, "") for k in SUBGROUP_COLUMNS}}
        for p in placements
    ]
    _write(sorted(rows, key=lambda r: (r["shard"], r["offset"])), STUDIES_SCHEMA, path)


def read_table(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def filter_studies(source: Path, target: Path, keep: set[str]) -> list[dict]:
    """Copy a table keeping only the rows of studies in `keep`; returns the kept rows."""
    table = pq.read_table(source)
    table = table.filter(pc.is_in(table["study_id"], value_set=pa.array(sorted(keep), type=pa.string())))
    _write_table(table, target)
    return table.to_pylist()
