"""Label audit: studies whose consensus label a model run's out-of-sample predictions say is likely wrong go to the
campaign's adjudication queue, each with its reason ("model 0.97 present, consensus absent, 2 of 3 readers absent").

Only the run's calibration and test predictions (and those of studies outside its dataset) are used: a model vouches
for the labels it trained on. The method is confident learning (datasets/active_learning/label_audit.py).
"""

import numpy as np
from django.db import transaction

from annotation.models import Campaign, CampaignStudy, Consensus
from annotation.services.adjudication import adjudication_request
from datasets.active_learning.label_audit import find_label_issues
from datasets.models import ModelRun, StudyPrediction
from datasets.selectors.versions import version_studies

LABEL = {"present": 1.0, "absent": 0.0}


def _reason(probability: float, label: int, votes: dict, n_reads: int) -> str:
    model = "present" if probability >= 0.5 else "absent"
    consensus = "present" if label else "absent"
    agreeing = int(votes.get(consensus, 0))
    readers = f", {agreeing} of {n_reads} readers {consensus}" if n_reads else ""  # e.g. a consensus set by hand
    return f"label audit: model {probability:.2f} {model}, consensus {consensus}{readers}"


def _trained_on(run: ModelRun) -> list[str]:
    """Study ids of the run's training split: a prediction set over the whole archive marks them `test` too."""
    version = run.dataset_version
    if version is None or not version.is_published:
        return []
    return [uid for uid, split in version_studies(version).items() if split == "train"]


@transaction.atomic  # all of an audit's flags reach the adjudication queue, or none do
def label_audit_queue(*, run: ModelRun, campaign: Campaign, actor=None, limit: int | None = None) -> list[dict]:
    """Flag likely-wrong consensus labels of `campaign` with `run`'s out-of-sample predictions and request their
    adjudication; returns the flags (study, trait, reason), most likely wrong first."""
    predictions = {p.study_id: p for p in StudyPrediction.objects.filter(run=run).exclude(split="train")
                   .exclude(study__study_uid__in=_trained_on(run))}
    entries = {e.study_id: e for e in CampaignStudy.objects.filter(campaign=campaign, study_id__in=predictions)}
    studies = sorted(entries)
    codes = list(run.traits)
    row, col = {s: i for i, s in enumerate(studies)}, {c: j for j, c in enumerate(codes)}
    labels = np.full((len(studies), len(codes)), np.nan)
    votes = {}
    for c in Consensus.objects.filter(campaign_study__in=entries.values(), trait__code__in=codes,
                                      label__in=list(LABEL)).values("campaign_study__study_id", "trait__code",
                                                                    "label", "votes", "n_reads"):
        key = (row[c["campaign_study__study_id"]], col[c["trait__code"]])
        labels[key] = LABEL[c["label"]]
        votes[key] = (c["votes"] or {}, c["n_reads"])
    probs = np.array([[predictions[s].probability.get(c, np.nan) for c in codes] for s in studies]).reshape(labels.shape)
    labels[np.isnan(probs)] = np.nan
    issues = find_label_issues(labels, np.nan_to_num(probs))[:limit]
    flags, by_study = [], {}
    for issue in issues:
        study = studies[issue.row]
        reason = _reason(issue.probability, issue.label, *votes[(issue.row, issue.trait)])
        by_study.setdefault(study, {})[codes[issue.trait]] = reason
        flags.append({"study_id": study, "trait": codes[issue.trait], "reason": reason, "quality": issue.quality})
    for study, traits in by_study.items():
        adjudication_request(campaign_study=entries[study], traits=traits, actor=actor)
    return flags
