"""datacard.md: what the dataset is, where it came from, prevalence per split, agreement, known limitations.

It is part of the hashed content, so it carries no dates, users or version numbers: the same inputs
give the same card.
"""

from .cooccurrence import top_pairs
from .records import SPLITS

STANDING_LIMITATIONS = (
    "Labels are reader consensus, not pathology-proven ground truth; soft labels keep the readers' disagreement.",
    "Volumes hold the primary axial series only, resampled in-plane; slice spacing is as acquired.",
    ("Splits are by patient; a patient appears in one split only. The calibration split is for choosing "
     "operating points, never for reporting performance."),
)


def _fmt_agreement(stats: dict) -> str:
    parts = []
    for key in sorted(stats):
        value = stats[key]
        parts.append(f"{key} {value:.3f}" if isinstance(value, float) else f"{key} {value}")
    return ", ".join(parts) or "n/a"


def _campaign(campaign) -> str:
    return f"{campaign['name']} (id {campaign['id']})" if isinstance(campaign, dict) else str(campaign)


def _prevalence_rows(manifest: dict) -> list[str]:
    splits, counts = manifest["splits"], manifest["counts"]
    rows = []
    for trait in manifest["traits"]:
        code = trait["code"]
        cells = []
        for split in SPLITS:
            n, pos = splits.get(split, 0), counts.get(split, {}).get(code, 0)
            cells.append(f"{pos} ({100 * pos / n:.1f}%)" if n else "0")
        rows.append(f"| {code} | {trait['significance']} | " + " | ".join(cells) + " |")
    return rows


def _cooccurrence_rows(manifest: dict) -> list[str]:
    """The most shared trait pairs; lift is P(a and b) / (P(a) P(b)): above 1, together more than by chance."""
    table = manifest.get("cooccurrence")
    pairs = top_pairs(table, [t["code"] for t in manifest["traits"]]) if table else []
    if not pairs:
        return ["No study is positive for two traits."]

    def cell(count, value):
        return f"{count} (lift {value:.1f})" if value is not None and count else str(count)

    return ["| traits | " + " | ".join(SPLITS) + " |", "|---|" + "---|" * len(SPLITS),
            *[f"| {p['a']} + {p['b']} | " + " | ".join(cell(*p["splits"][s]) for s in SPLITS) + " |" for p in pairs]]


def _sparse_traits(manifest: dict) -> list[str]:
    """Traits without a positive study in some split: metrics on that split cannot be computed for them."""
    out = []
    for trait in manifest["traits"]:
        empty = [s for s in SPLITS if manifest["splits"].get(s) and not manifest["counts"].get(s, {}).get(trait["code"])]
        if empty:
            out.append(f"{trait['code']}: no positive study in {', '.join(empty)}.")
    return out


def render_datacard(manifest: dict, limitations: list[str] | None = None) -> str:
    prov = manifest["provenance"]
    pre = manifest["preprocessing"]
    lines = [
        f"# Dataset card: {manifest['name']}",
        "",
        "## What",
        "",
        (f"Head CT studies with study-level consensus labels for {len(manifest['traits'])} traits, every individual "
         f"read, and the primary axial series as int16 Hounsfield units at {pre['size'][0]}x{pre['size'][1]} "
         "in memory-mappable shards (format `radcurate-dataset/1`)."),
        "",
        "## From where",
        "",
        f"- Taxonomy: {prov.get('taxonomy')} v{prov.get('taxonomy_version')}",
        f"- Campaigns: {', '.join(_campaign(c) for c in prov.get('campaigns', [])) or 'none'}",
        f"- Consensus method: {prov.get('consensus_method')}",
        f"- Readers: {prov.get('reader_count')}",
        (f"- Split policy: seed {prov.get('seed')}, fractions {prov.get('split_fractions')}, "
         f"stratified on {', '.join(prov.get('stratify_on', [])) or 'nothing'}"),
        "",
        "## Studies per split",
        "",
        "| split | studies |",
        "|---|---|",
        *[f"| {s} | {manifest['splits'].get(s, 0)} |" for s in SPLITS],
        "",
        "## Prevalence per split (positive studies)",
        "",
        "| trait | significance | " + " | ".join(SPLITS) + " |",
        "|---|---|" + "---|" * len(SPLITS),
        *_prevalence_rows(manifest),
        "",
        "## Co-occurring traits (consensus positives; count and lift per split)",
        "",
        *_cooccurrence_rows(manifest),
        "",
        "## Agreement between readers",
        "",
        *[f"- {code}: {_fmt_agreement(manifest['agreement'][code])}" for code in sorted(manifest["agreement"])],
        "",
        "## Known limitations",
        "",
        *[f"- {text}" for text in (*STANDING_LIMITATIONS, *_sparse_traits(manifest), *(limitations or []))],
        "",
    ]
    return "\n".join(lines)
