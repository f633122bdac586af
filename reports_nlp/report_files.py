"""Reading report files (CSV with a header row, or JSON Lines) into rows, each with its line number.

A row that cannot be read (bad encoding, broken JSON) comes back as an error for that line and the
file goes on; only a file that is not a report file at all (no usable header) stops the import.
Values are never put into error messages: they are PHI.
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

COLUMNS = ("accession_number", "patient_id", "report_date", "text")
REQUIRED_COLUMNS = ("accession_number", "report_date", "text")

csv.field_size_limit(10_000_000)  # long reports are legitimate; the default 128 KiB is not enough


class ReportFileError(ValueError):
    """The whole file cannot be imported; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class RawRow:
    line: int
    values: dict | None  # None when the line could not be read
    error: str = ""


def _has_bad_bytes(value: str) -> bool:
    # surrogateescape turns undecodable bytes into lone surrogates U+DC80..U+DCFF.
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def read_csv(data: bytes, name: str) -> Iterator[RawRow]:
    text = data.decode("utf-8-sig", errors="surrogateescape")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ReportFileError(f"{name}: the CSV header lacks the column(s) {', '.join(missing)}; expected {COLUMNS}")
    reader.fieldnames = header
    first_line = 2  # a record starts on the line after the previous one ended (reports may span lines)
    for record in reader:
        line = first_line
        first_line = reader.line_num + 1
        values = {k: v for k, v in record.items() if k is not None}
        if any(isinstance(v, str) and _has_bad_bytes(v) for v in values.values()):
            yield RawRow(line, None, "bad encoding: the row is not valid UTF-8")
        else:
            yield RawRow(line, values)


def read_jsonl(data: bytes, name: str) -> Iterator[RawRow]:
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        try:
            values = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield RawRow(number, None, "bad encoding: the line is not valid UTF-8")
            continue
        except json.JSONDecodeError as exc:
            yield RawRow(number, None, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(values, dict):
            yield RawRow(number, None, "expected a JSON object with accession_number, report_date and text")
            continue
        yield RawRow(number, values)


def read_report_file(data: bytes, name: str) -> Iterator[RawRow]:
    """Rows of a .csv or .jsonl/.ndjson/.json file, by extension; CSV when the extension says nothing."""
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return read_jsonl(data, name)
    return read_csv(data, name)
