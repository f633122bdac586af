"""Consensus queries: one study's consensus for the pages, and the campaign's labels for the `datasets` layer."""

from collections.abc import Iterator

from django.db.models import Q

from annotation.models import Campaign, CampaignStudy, Consensus, DawidSkeneRun
from annotation.pseudonyms import reader_pseudonym
from annotation.selectors.reads import read_labels, reads_for_campaign


def _trait_row(row: Consensus) -> dict:
    return {
        "label": row.label or None,
        "method": row.method,
        "votes": row.votes,
        "soft_label": row.soft_label,
        "ds_probability": row.ds_probability,
        "n_reads": row.n_reads,
        "adjudicated": row.method == Consensus.Method.ADJUDICATED,
        "slice_ranges": row.slice_ranges,
        "key_images": row.key_images,
    }


def consensus_for_study(*, campaign_study: CampaignStudy, show_adjudicator: bool = False) -> dict:
    rows = campaign_study.consensus.select_related("trait").order_by("trait__display_order")
    traits = {}
    for row in rows:
        traits[row.trait.code] = _trait_row(row)
        if show_adjudicator:
            traits[row.trait.code]["adjudicator"] = row.adjudicator.username if row.adjudicator_id else None
    return {
        "campaign_study_id": campaign_study.pk,
        "study_id": campaign_study.study_id,
        "study_uid": campaign_study.study.study_uid,
        "status": campaign_study.status,
        "is_gold": campaign_study.is_gold,
        "target_reads": campaign_study.target_reads,
        "n_submitted": campaign_study.n_submitted,
        "traits": traits,
    }


def _reads_by_entry(campaign: Campaign) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for read in reads_for_campaign(campaign=campaign):
        out.setdefault(read.assignment.campaign_study_id, []).append({
            "reader": reader_pseudonym(read.assignment.reader_id),
            "version": read.version,
            "submitted_at": read.submitted_at,
            "time_spent_s": read.time_spent_s,
            "no_findings": read.no_findings,
            "labels": read_labels(read),
        })
    return out


def consensus_labels(*, campaign: Campaign, include_incomplete: bool = False, include_gold: bool = True) -> Iterator[dict]:
    """For `datasets`: per study, consensus per trait (label, soft label, Dawid–Skene posterior, n_reads,
    adjudicated, slice ranges, key images) and every current read with a pseudonymous reader id."""
    entries = campaign.campaign_studies.select_related("study").order_by("id")
    if not include_incomplete:
        entries = entries.filter(Q(status=CampaignStudy.Status.COMPLETE) | Q(is_gold=True))
    if not include_gold:
        entries = entries.filter(is_gold=False)
    reads = _reads_by_entry(campaign)
    consensus: dict[int, dict] = {}
    for row in Consensus.objects.filter(campaign_study__campaign=campaign).select_related("trait"):
        consensus.setdefault(row.campaign_study_id, {})[row.trait.code] = _trait_row(row)
    for entry in entries:
        yield {
            "study_id": entry.study_id,
            "study_uid": entry.study.study_uid,
            "campaign_id": campaign.pk,
            "taxonomy_id": campaign.taxonomy_id,
            "status": entry.status,
            "is_gold": entry.is_gold,
            "traits": consensus.get(entry.pk, {}),
            "reads": reads.get(entry.pk, []),
        }


def consensus_reference(*, campaign: Campaign, codes) -> dict[int, dict[str, bool]]:
    """Per study id, each of `codes` as consensus says it (present or not): the reference labels other layers
    score against (a mapping set's precision and recall on the report mining page)."""
    codes = set(codes)
    return {
        s["study_id"]: {code: t["label"] == "present" for code, t in s["traits"].items() if code in codes}
        for s in consensus_labels(campaign=campaign)
    }


def dawid_skene_run_latest(*, campaign: Campaign) -> DawidSkeneRun | None:
    """The campaign's most recent Dawid–Skene run, whatever its status."""
    return DawidSkeneRun.objects.filter(campaign=campaign).order_by("-created_at", "-pk").first()


def dawid_skene_run_get(*, campaign_id: int, run_id: int) -> DawidSkeneRun | None:
    return DawidSkeneRun.objects.filter(campaign_id=campaign_id, pk=run_id).first()
