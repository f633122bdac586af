"""How traits co-occur in a dataset's consensus labels, per split: counts of studies positive for both traits, and
lift (how much more often than if the two were independent: P(a and b) / (P(a) P(b))), as the paper's Fig. 1.

Lift is undefined (None) where either trait has no positive study; a lift over a single shared study is noise, so
the data card lists pairs with their counts beside it.
"""

import numpy as np

from .records import SPLITS


def cooccurrence(label_rows: list[dict], splits: dict[str, str], codes: list[str]) -> dict:
    """{split: {n, counts (T x T, the diagonal the trait's positives), lift (T x T, None where undefined)}}."""
    col = {c: j for j, c in enumerate(codes)}
    out = {}
    for split in SPLITS:
        studies = sorted(s for s, v in splits.items() if v == split)
        row = {s: i for i, s in enumerate(studies)}
        positive = np.zeros((len(studies), len(codes)), dtype=np.int64)
        for r in label_rows:
            if r["label"] == 1 and r["study_id"] in row and r["trait"] in col:
                positive[row[r["study_id"]], col[r["trait"]]] = 1
        counts = positive.T @ positive
        out[split] = {"n": len(studies), "counts": counts.tolist(), "lift": lift(counts, len(studies))}
    return out


def lift(counts: np.ndarray, n: int) -> list[list[float | None]]:
    diag = np.diag(counts).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = counts * n / np.outer(diag, diag)
    defined = np.outer(diag, diag) > 0
    return [[round(float(v), 3) if ok else None for v, ok in zip(r, d, strict=True)]
            for r, d in zip(values, defined, strict=True)]


def top_pairs(table: dict, codes: list[str], limit: int = 15) -> list[dict]:
    """Trait pairs positive together in any split, most shared studies first: {a, b, per split (count, lift)}."""
    pairs = []
    for i in range(len(codes)):
        for j in range(i + 1, len(codes)):
            cells = {s: (table[s]["counts"][i][j], table[s]["lift"][i][j]) for s in SPLITS if s in table}
            total = sum(c for c, _ in cells.values())
            if total:
                pairs.append({"a": codes[i], "b": codes[j], "total": total, "splits": cells})
    pairs.sort(key=lambda p: (-p["total"], p["a"], p["b"]))
    return pairs[:limit]
