"""Agreement and reader quality: the statistics table per trait and per taxonomy group, and per-reader figures.

Reads are the current versions; each study is one cluster of the bootstrap. Reader quality scores a
hedged ("uncertain") finding as a positive call (see `binary_call`).
"""

from statistics import median

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max

from annotation.labels import taxonomy_index
from annotation.models import Campaign, Consensus, ReaderConfusion
from annotation.selectors.reads import reads_current_qs
from annotation.stats.agreement import agreement, agreement_statistics
from annotation.stats.consensus_rules import ABSENT, PRESENT, STATES, UNCERTAIN, binary_call

CODES = {state: i for i, state in enumerate(STATES)}


def _read_rows(campaign: Campaign):
    return list(
        reads_current_qs().filter(assignment__campaign=campaign)
        .values_list("assignment__campaign_study_id", "assignment__reader_id", "labels__trait__code", "labels__state")
    )


def _matrices(rows, codes) -> tuple[dict, list[int]]:
    """Per trait: a (studies x readers) matrix of state codes (-1: not read) and the study of each row."""
    studies = sorted({r[0] for r in rows})
    readers = sorted({r[1] for r in rows})
    s_index = {s: i for i, s in enumerate(studies)}
    r_index = {r: i for i, r in enumerate(readers)}
    mats = {code: np.full((len(studies), len(readers)), -1, dtype=int) for code in codes}
    for study, reader, code, state in rows:
        if code in mats:
            mats[code][s_index[study], r_index[reader]] = CODES[state]
    return mats, studies, readers


def _estimates(result: dict, readers: list[int], show_pairs: bool) -> dict:
    out = {name: result[name].as_dict() for name in ("cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")}
    if show_pairs:
        out["cohen_pairs"] = [
            {"readers": [readers[a], readers[b]], "n_common": p["n_common"], "kappa": p["kappa"]}
            for p in result["cohen_pairs"] for a, b in [p["readers"]]
        ]
    return out


def agreement_table(*, campaign: Campaign, n_boot: int = 1000, seed: int = 0, show_pairs: bool = False) -> dict:
    """Cohen (mean pairwise), Fleiss, Krippendorff and Gwet AC1 with bootstrap 95% CIs, per trait and per group."""
    index = taxonomy_index(campaign.taxonomy)
    mats, studies, readers = _matrices(_read_rows(campaign), index.codes)
    clusters = np.array(studies)
    traits = []
    for code in index.codes:
        m = mats[code]
        positive = float((m == CODES[PRESENT]).sum() / max((m >= 0).sum(), 1))
        result = agreement(m, clusters, n_categories=len(STATES), n_boot=n_boot, seed=seed)
        traits.append({"trait": code, "significance": index.significance[code], "positive_rate": positive,
                       **_estimates(result, readers, show_pairs)})
    groups = []
    for group in campaign.taxonomy.groups.prefetch_related("traits").order_by("kind", "name"):
        codes = [t.code for t in group.traits.all() if t.code in mats]
        if not codes:
            continue
        # Items of a group are (study, trait) pairs; the bootstrap still resamples whole studies.
        stacked = np.vstack([mats[c] for c in codes])
        result = agreement(stacked, np.tile(clusters, len(codes)), n_categories=len(STATES), n_boot=n_boot, seed=seed)
        groups.append({"kind": group.kind, "group": group.name, "traits": codes, **_estimates(result, readers, False)})
    return {"campaign_id": campaign.pk, "n_studies": len(studies), "n_readers": len(readers), "traits": traits,
            "groups": groups}


def _sens_spec(pairs: list[tuple[int, int]]) -> dict:
    tp = sum(1 for c, t in pairs if c and t)
    fn = sum(1 for c, t in pairs if not c and t)
    tn = sum(1 for c, t in pairs if not c and not t)
    fp = sum(1 for c, t in pairs if c and not t)
    return {
        "sensitivity": tp / (tp + fn) if tp + fn else None,
        "specificity": tn / (tn + fp) if tn + fp else None,
        "tp": tp, "fn": fn, "tn": tn, "fp": fp,
    }


def _references(campaign: Campaign) -> tuple[dict, dict]:
    consensus, gold = {}, {}
    rows = Consensus.objects.filter(campaign_study__campaign=campaign).exclude(label="").values_list(
        "campaign_study_id", "trait__code", "label", "method"
    )
    for entry_id, code, label, method in rows:
        target = gold if method == Consensus.Method.GOLD else consensus
        target[(entry_id, code)] = int(label == PRESENT)
    return consensus, gold


def reader_quality(*, campaign: Campaign, reader_ids=None) -> list[dict]:
    """Per reader: reads, reads per hour, time per study, sensitivity/specificity vs consensus and vs gold,
    and Dawid–Skene's confusion estimate (mean over traits)."""
    consensus, gold = _references(campaign)
    reads = reads_current_qs().filter(assignment__campaign=campaign)
    if reader_ids is not None:
        reads = reads.filter(assignment__reader_id__in=list(reader_ids))
    times: dict[int, list[float]] = {}
    for reader_id, seconds in reads.values_list("assignment__reader_id", "time_spent_s"):
        times.setdefault(reader_id, []).append(seconds)
    vs_consensus: dict[int, list] = {}
    vs_gold: dict[int, list] = {}
    for entry_id, reader_id, code, state in reads.values_list(
        "assignment__campaign_study_id", "assignment__reader_id", "labels__trait__code", "labels__state"
    ):
        key = (entry_id, code)
        call = binary_call(state or ABSENT)
        if key in consensus:
            vs_consensus.setdefault(reader_id, []).append((call, consensus[key]))
        if key in gold:
            vs_gold.setdefault(reader_id, []).append((call, gold[key]))
    ds = {}
    for row in ReaderConfusion.objects.filter(campaign=campaign).values("reader_id", "sensitivity", "specificity"):
        ds.setdefault(row["reader_id"], []).append(row)
    return [_reader_row(r, times[r], vs_consensus.get(r, []), vs_gold.get(r, []), ds.get(r, [])) for r in sorted(times)]


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _reader_row(reader_id, seconds, vs_consensus, vs_gold, ds_rows) -> dict:
    total = sum(seconds)
    return {
        "reader_id": reader_id,
        "n_reads": len(seconds),
        "reads_per_hour": len(seconds) / (total / 3600) if total > 0 else None,
        "median_time_per_study_s": median(seconds) if seconds else None,
        "vs_consensus": _sens_spec(vs_consensus),
        "vs_gold": _sens_spec(vs_gold),
        "dawid_skene": {
            "mean_sensitivity": _mean(r["sensitivity"] for r in ds_rows),
            "mean_specificity": _mean(r["specificity"] for r in ds_rows),
        },
    }


def _reads_fingerprint(campaign: Campaign) -> tuple:
    """Changes whenever a read is submitted, amended or withdrawn: how many current reads and the latest time."""
    reads = reads_current_qs().filter(assignment__campaign=campaign).aggregate(n=Count("id"), last=Max("updated_at"))
    return reads["n"], reads["last"].isoformat() if reads["last"] else ""


FOREST_STATISTICS = ("fleiss_kappa", "krippendorff_alpha", "gwet_ac1")


def _agreement_forest(campaign: Campaign, n_boot: int, seed: int) -> dict:
    index = taxonomy_index(campaign.taxonomy)
    mats, studies, _ = _matrices(_read_rows(campaign), index.codes)
    clusters = np.array(studies)
    called_codes = (CODES[PRESENT], CODES[UNCERTAIN])
    traits, quiet = [], 0
    for code in index.codes:
        m = mats[code]
        if not ((m >= 0).sum(axis=1) >= 2).any():
            continue
        if not np.isin(m, called_codes).any():
            quiet += 1  # every reader called it absent: perfect agreement, nothing to plot
            continue
        result = agreement_statistics(m, clusters, n_categories=len(STATES), statistics=FOREST_STATISTICS,
                                      n_boot=n_boot, seed=seed)
        traits.append({"trait": code, **{name: result[name].as_dict() for name in FOREST_STATISTICS}})
    return {"n_studies": len(studies), "traits": traits, "quiet": quiet}


def agreement_forest(*, campaign: Campaign, n_boot: int = 300, seed: int = 0) -> dict:
    """What the overview's forest plot shows: per trait some reader called present or uncertain, Fleiss' kappa,
    Krippendorff's alpha and Gwet's AC1 with bootstrap 95% CIs; `quiet` counts the traits every reader called absent.

    Kept in Django's cache until the campaign's reads change: the bootstrap costs seconds at a few hundred studies
    and the page asks on every load. (No pairwise Cohen's kappas and no groups: the API's `agreement_table` has them.)
    """
    key = f"agreement-forest:{campaign.pk}:{campaign.taxonomy_id}:{n_boot}:{seed}:" + ":".join(
        map(str, _reads_fingerprint(campaign)))
    table = cache.get(key)
    if table is None:
        table = _agreement_forest(campaign, n_boot, seed)
        cache.set(key, table, timeout=24 * 3600)
    return table
