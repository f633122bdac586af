"""Agreement and reader quality: the statistics table per trait and per taxonomy group, and per-reader figures.

Reads are the current versions; each study is one cluster of the bootstrap. Reader quality scores a
hedged ("uncertain") finding as a positive call (see `binary_call`).
"""

from dataclasses import dataclass
from statistics import median

import numpy as np
from django.core.cache import cache
from django.db.models import Case, Count, Max, Value, When

from annotation.labels import taxonomy_index
from annotation.models import Campaign, Consensus, Read, ReaderConfusion, ReadLabel
from annotation.selectors.reads import reads_current_qs
from annotation.stats.agreement import Slots, agreement, agreement_statistics
from annotation.stats.bootstrap import Resampler
from annotation.stats.consensus_rules import ABSENT, PRESENT, STATES, UNCERTAIN, binary_call
from core.db.columns import query_columns
from curation.models import Trait

CODES = {state: i for i, state in enumerate(STATES)}


def _label_arrays(campaign: Campaign) -> tuple[np.ndarray, ...]:
    """Every label of the campaign's current reads as arrays: entry (campaign study), reader, trait id, state code
    (-1 for a state outside STATES), in one query; then the entry and reader of reads without labels."""
    reads = reads_current_qs().filter(assignment__campaign=campaign)
    state = Case(*[When(state=s, then=Value(i)) for s, i in CODES.items()], default=Value(-1))
    labels = ReadLabel.objects.filter(read__in=reads).annotate(state_code=state)
    columns = query_columns(labels, ["read__assignment__campaign_study_id", "read__assignment__reader_id",
                                     "trait_id", "state_code"])
    bare = query_columns(reads.filter(labels__isnull=True), ["assignment__campaign_study_id", "assignment__reader_id"])
    return (*columns, *bare)


@dataclass(frozen=True)
class CampaignReads:
    """The campaign's current reads as reading slots: per trait code the `Slots` of every study (rows in `studies`
    order, readers as indices into `readers`), the studies and readers with a current read."""

    slots: dict
    studies: list[int]
    readers: list[int]


def campaign_reads(campaign: Campaign, codes) -> CampaignReads:
    """Labels count by trait code (a revised campaign's earlier reads name the earlier taxonomy's traits)."""
    codes = list(codes)
    entries, readers_of, trait_ids, states, bare_entries, bare_readers = _label_arrays(campaign)
    studies = np.unique(np.concatenate([entries, bare_entries]))
    readers = np.unique(np.concatenate([readers_of, bare_readers]))
    n = max(len(readers), 1)

    def read_key(entry_ids, reader_ids):  # a read as one sortable number: study row, then reader index
        return np.searchsorted(studies, entry_ids) * n + np.searchsorted(readers, reader_ids)

    # One slot per read: a study's reads side by side in reader order.
    reads = np.unique(np.concatenate([read_key(entries, readers_of), read_key(bare_entries, bare_readers)]))
    row, reader = reads // n, reads % n
    slot = np.arange(len(reads)) - np.searchsorted(row, row)
    reader_slots = np.full((len(studies), int(slot.max()) + 1 if len(reads) else 0), -1)
    reader_slots[row, slot] = reader
    trait = _trait_positions(trait_ids, codes)
    keep = trait >= 0
    at = np.searchsorted(reads, read_key(entries[keep], readers_of[keep]))
    by_trait = np.full((len(codes), *reader_slots.shape), -1, dtype=np.int8)
    by_trait[trait[keep], row[at], slot[at]] = states[keep]
    return CampaignReads({code: Slots(by_trait[i], reader_slots, len(readers)) for i, code in enumerate(codes)},
                         studies.tolist(), readers.tolist())


def _trait_positions(trait_ids: np.ndarray, codes: list[str]) -> np.ndarray:
    """Each label's trait as its position in `codes` (by code), -1 for a trait not there."""
    position = {code: i for i, code in enumerate(codes)}
    ids = np.unique(trait_ids)
    lookup = np.full(int(ids.max()) + 1 if len(ids) else 1, -1)
    for trait_id, code in Trait.objects.filter(pk__in=ids.tolist()).values_list("pk", "code"):
        lookup[trait_id] = position.get(code, -1)
    return lookup[trait_ids]


def _stacked(slots: list[Slots]) -> Slots:
    return Slots(np.vstack([s.codes for s in slots]), np.vstack([s.readers for s in slots]), slots[0].n_readers)


def _estimates(result: dict, readers: list[int], show_pairs: bool) -> dict:
    out = {name: result[name].as_dict() for name in ("cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")}
    if show_pairs:
        out["cohen_pairs"] = [
            {"readers": [readers[a], readers[b]], "n_common": p["n_common"], "kappa": p["kappa"]}
            for p in result["cohen_pairs"] for a, b in [p["readers"]]
        ]
    return out


def agreement_table(*, campaign: Campaign, n_boot: int = 1000, seed: int = 0, show_pairs: bool = False,
                    cached: bool = True) -> dict:
    """Cohen (mean pairwise), Fleiss, Krippendorff and Gwet AC1 with bootstrap 95% CIs, per trait and per group.

    Kept in the shared cache until the campaign's reads change (a whole campaign's table costs seconds);
    `cached=False` computes it afresh (and stores it)."""
    return _cached(f"agreement-table:{n_boot}:{seed}:{int(show_pairs)}", campaign,
                   lambda: _agreement_table(campaign, n_boot, seed, show_pairs), fresh=not cached)


def _agreement_table(campaign: Campaign, n_boot: int, seed: int, show_pairs: bool) -> dict:
    index = taxonomy_index(campaign.taxonomy)
    reads = campaign_reads(campaign, index.codes)
    clusters = np.array(reads.studies)
    resampler = Resampler(n_boot, seed)  # one draw of the study weights for every trait and group
    traits = []
    for code in index.codes:
        m = reads.slots[code].codes
        positive = float((m == CODES[PRESENT]).sum() / max((m >= 0).sum(), 1))
        result = agreement(reads.slots[code], clusters, n_categories=len(STATES), n_boot=n_boot, seed=seed,
                           resampler=resampler)
        traits.append({"trait": code, "significance": index.significance[code], "positive_rate": positive,
                       **_estimates(result, reads.readers, show_pairs)})
    groups = []
    for group in campaign.taxonomy.groups.prefetch_related("traits").order_by("kind", "name"):
        codes = [t.code for t in group.traits.all() if t.code in reads.slots]
        if not codes:
            continue
        # Items of a group are (study, trait) pairs; the bootstrap still resamples whole studies.
        stacked = _stacked([reads.slots[c] for c in codes])
        result = agreement(stacked, np.tile(clusters, len(codes)), n_categories=len(STATES), n_boot=n_boot, seed=seed,
                           resampler=resampler)
        groups.append({"kind": group.kind, "group": group.name, "traits": codes,
                       **_estimates(result, reads.readers, False)})
    return {"campaign_id": campaign.pk, "n_studies": len(reads.studies), "n_readers": len(reads.readers),
            "traits": traits, "groups": groups}


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
    """Changes whenever a read is submitted or amended: how many submitted read versions and the latest time.
    Every version counts (an amendment adds one), so no anti-join to the amendments: on the 3,000-study fixture
    the anti-join's misestimate made it a nested loop of 8,400 index probes, 71 ms against 15 ms."""
    reads = Read.objects.filter(status=Read.Status.SUBMITTED, assignment__campaign=campaign).aggregate(
        n=Count("id"), last=Max("updated_at"))
    return reads["n"], reads["last"].isoformat() if reads["last"] else ""


FOREST_STATISTICS = ("fleiss_kappa", "krippendorff_alpha", "gwet_ac1")
CACHE_SECONDS = 24 * 3600


def _agreement_forest(campaign: Campaign, n_boot: int, seed: int) -> dict:
    index = taxonomy_index(campaign.taxonomy)
    reads = campaign_reads(campaign, index.codes)
    clusters = np.array(reads.studies)
    resampler = Resampler(n_boot, seed)
    called_codes = (CODES[PRESENT], CODES[UNCERTAIN])
    traits, quiet = [], 0
    for code in index.codes:
        m = reads.slots[code].codes
        if not ((m >= 0).sum(axis=1) >= 2).any():
            continue
        if not np.isin(m, called_codes).any():
            quiet += 1  # every reader called it absent: perfect agreement, nothing to plot
            continue
        result = agreement_statistics(reads.slots[code], clusters, n_categories=len(STATES), statistics=FOREST_STATISTICS,
                                      n_boot=n_boot, seed=seed, resampler=resampler)
        traits.append({"trait": code, **{name: result[name].as_dict() for name in FOREST_STATISTICS}})
    return {"n_studies": len(reads.studies), "traits": traits, "quiet": quiet}


def agreement_forest(*, campaign: Campaign, n_boot: int = 300, seed: int = 0) -> dict:
    """What the overview's forest plot shows: per trait some reader called present or uncertain, Fleiss' kappa,
    Krippendorff's alpha and Gwet's AC1 with bootstrap 95% CIs; `quiet` counts the traits every reader called absent.

    Kept in Django's cache until the campaign's reads change: the bootstrap costs seconds at a few hundred studies
    and the page asks on every load. (No pairwise Cohen's kappas and no groups: the API's `agreement_table` has them.)
    """
    return _cached(f"agreement-forest:{n_boot}:{seed}", campaign, lambda: _agreement_forest(campaign, n_boot, seed))


def _cached(name: str, campaign: Campaign, compute, *, fresh: bool = False) -> dict:
    """`compute()`, kept in the shared cache (every web and Celery worker) under the campaign and its reads' version.

    The key names the campaign by id and creation time (ids come back after a database is re-created, the cache
    outlives it), its taxonomy (a revision changes it) and the reads' fingerprint: a new, amended or withdrawn
    read makes a new key, and the stale table expires."""
    created = campaign.created_at.timestamp() if campaign.created_at else ""
    key = f"{name}:{campaign.pk}:{created}:{campaign.taxonomy_id}:" + ":".join(map(str, _reads_fingerprint(campaign)))
    table = None if fresh else cache.get(key)
    if table is None:
        table = compute()
        cache.set(key, table, timeout=CACHE_SECONDS)
    return table
