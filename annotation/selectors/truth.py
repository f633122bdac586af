"""How well a campaign recovers a known truth: per-reader, consensus and Dawid–Skene accuracy on the same studies."""

from annotation.labels import taxonomy_index
from annotation.models import Campaign, CampaignStudy, Consensus
from annotation.selectors.reads import reads_current_qs
from annotation.stats.consensus_rules import binary_call


def _rate(pairs: list[tuple[int, int]]) -> dict:
    n = len(pairs)
    errors = sum(1 for called, true in pairs if called != true)
    positives = [c for c, t in pairs if t]
    return {"n": n, "accuracy": 1 - errors / n if n else None, "errors": errors,
            "sensitivity": sum(positives) / len(positives) if positives else None}


def truth_recovery(*, campaign: Campaign, truth: dict[str, set[str]]) -> dict:
    """Accuracy over (study, trait) of each reader, of the final consensus, and of Dawid–Skene (posterior > 0.5),
    on the campaign's completed regular studies that the truth covers."""
    index = taxonomy_index(campaign.taxonomy)
    entries = dict(
        campaign.campaign_studies.filter(status=CampaignStudy.Status.COMPLETE, is_gold=False,
                                         study__study_uid__in=list(truth)).values_list("pk", "study__study_uid")
    )
    readers: dict[int, list] = {}
    for entry_id, reader_id, code, state in reads_current_qs().filter(
        assignment__campaign_study_id__in=list(entries)
    ).values_list("assignment__campaign_study_id", "assignment__reader_id", "labels__trait__code", "labels__state"):
        readers.setdefault(reader_id, []).append((binary_call(state), int(code in truth[entries[entry_id]])))
    consensus, ds = [], []
    for entry_id, code, label, p in Consensus.objects.filter(campaign_study_id__in=list(entries)).values_list(
        "campaign_study_id", "trait__code", "label", "ds_probability"
    ):
        true = int(code in truth[entries[entry_id]])
        consensus.append((int(label == "present"), true))
        if p is not None:
            ds.append((int(p > 0.5), true))
    return {
        "studies": len(entries),
        "traits": len(index.codes),
        "readers": {r: _rate(p) for r, p in sorted(readers.items())},
        "consensus": _rate(consensus),
        "dawid_skene": _rate(ds),
    }
