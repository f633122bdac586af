"""Assertion accuracy on the labeled head-CT sentences in tests/data/assertion_sentences.jsonl."""

import json
from collections import Counter
from pathlib import Path

import pytest

from curation.default_taxonomy import BY_CODE
from reports_nlp.pipeline import ASSERTIONS, build_pipeline

DATA = Path(__file__).resolve().parents[1] / "data" / "assertion_sentences.jsonl"
THREE_CLASSES = ("present", "absent", "uncertain")


def load_labeled() -> list[dict]:
    rows = []
    for n, line in enumerate(DATA.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            row["line"] = n
            rows.append(row)
    return rows


def predict(pipeline, row: dict) -> str:
    """The assertion of the first finding of the labeled trait, or "not_found"."""
    for finding in pipeline.mine(row["sentence"]):
        if finding.trait == row["trait"]:
            return finding.assertion
    return "not_found"


@pytest.fixture(scope="module")
def labeled():
    pipeline = build_pipeline()
    return [(row, predict(pipeline, row)) for row in load_labeled()]


def test_labeled_set_is_well_formed():
    rows = load_labeled()
    assert len(rows) >= 200
    for row in rows:
        assert row["trait"] in BY_CODE, f"line {row['line']}: unknown trait {row['trait']!r}"
        assert row["expected"] in ASSERTIONS, f"line {row['line']}: bad label {row['expected']!r}"
    assert set(Counter(r["expected"] for r in rows)) == set(ASSERTIONS)
    patterns = {r["pattern"] for r in rows}
    assert {"pre_negation", "post_negation", "list", "terminator", "pseudo", "hedge", "historical",
            "indication"} <= patterns


def test_three_class_accuracy_gate(labeled):
    per_class: dict[str, list[int]] = {}
    for row, predicted in labeled:
        hits = per_class.setdefault(row["expected"], [0, 0])
        hits[0] += predicted == row["expected"]
        hits[1] += 1
    report = ", ".join(f"{c}: {h}/{n} = {h / n:.3f}" for c, (h, n) in sorted(per_class.items()))
    print(f"\nassertion accuracy per class: {report}")
    three = [(row, p) for row, p in labeled if row["expected"] in THREE_CLASSES]
    accuracy = sum(p == row["expected"] for row, p in three) / len(three)
    misses = [f"line {r['line']}: {r['sentence']!r} {r['trait']} expected {r['expected']} got {p}"
              for r, p in three if p != r["expected"]]
    assert accuracy >= 0.95, f"3-class accuracy {accuracy:.3f} < 0.95:\n" + "\n".join(misses)


def test_indication_sentences_are_never_present(labeled):
    wrong = [row["sentence"] for row, p in labeled if row["pattern"] == "indication" and p == "present"]
    assert wrong == []
