"""Campaign use cases: create, update, add studies (regular and gold, by id or UID, from report mining or archive
filters), activate, close."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from annotation.labels import hierarchy_closure, taxonomy_index
from annotation.models import Campaign, CampaignStudy, Consensus
from annotation.services.audit import AuditSource, audit_record
from annotation.services.priorities import campaign_priorities_refresh, priority_set
from annotation.stats.consensus_rules import ABSENT, PRESENT
from core.roles import RADIOLOGIST, has_role
from curation.models import Study
from reports_nlp.selectors.candidates import study_priorities

User = get_user_model()

# What may change once readers are reading: never the taxonomy, the read counts or the label scope.
ACTIVE_EDITABLE = {
    "description", "show_other_reads", "show_mined_verdicts", "show_predictions", "priority_policy", "priority_weights",
    "reservation_minutes", "gold_every",
}
DRAFT_EDITABLE = ACTIVE_EDITABLE | {"name", "min_reads", "max_reads", "slice_ranges", "taxonomy"}


def _check_pool(users, field: str) -> None:
    bad = [u.username for u in users if not has_role(u, RADIOLOGIST)]
    if bad:
        raise ValidationError({field: f"Not radiologists: {', '.join(sorted(bad))}."})


def _check_weights(weights) -> None:
    if not isinstance(weights, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and v >= 0 for k, v in weights.items()
    ):
        raise ValidationError({"priority_weights": "Must map source names to non-negative numbers."})


def _check_taxonomy(campaign: Campaign) -> None:
    if not campaign.taxonomy.is_published:
        raise ValidationError({"taxonomy": f"Taxonomy {campaign.taxonomy} is not published; publish it first."})


@transaction.atomic
def campaign_create(
    *, name: str, taxonomy, created_by=None, readers=(), adjudicators=(), source: AuditSource | None = None, **fields
) -> Campaign:
    _check_weights(fields.get("priority_weights", {}))
    campaign = Campaign(name=name, taxonomy=taxonomy, created_by=created_by, **fields)
    _check_taxonomy(campaign)
    campaign.full_clean()
    campaign.save()
    campaign_set_pool(campaign=campaign, readers=readers, adjudicators=adjudicators, actor=created_by, source=source)
    audit_record(actor=created_by, action="campaign-created", obj=campaign, campaign_id=campaign.pk,
                 data={"name": name, **{k: v for k, v in fields.items() if k != "taxonomy"}}, source=source)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor=None, source: AuditSource | None = None, **fields) -> Campaign:
    editable = DRAFT_EDITABLE if campaign.status == Campaign.Status.DRAFT else ACTIVE_EDITABLE
    if campaign.status == Campaign.Status.CLOSED:
        raise ValidationError(f"Campaign '{campaign.name}' is closed.")
    frozen = sorted(set(fields) - editable)
    if frozen:
        raise ValidationError(f"Cannot change {', '.join(frozen)} of a {campaign.status} campaign.")
    if "priority_weights" in fields:
        _check_weights(fields["priority_weights"])
    for name, value in fields.items():
        setattr(campaign, name, value)
    _check_taxonomy(campaign)
    campaign.full_clean()
    campaign.save()
    audit_record(actor=actor, action="campaign-updated", obj=campaign, campaign_id=campaign.pk,
                 data={k: str(v) for k, v in fields.items()}, source=source)
    if {"priority_policy", "priority_weights"} & set(fields):
        campaign_priorities_refresh(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_revise(*, campaign: Campaign, readers=None, adjudicators=None, actor=None,
                    source: AuditSource | None = None, **fields) -> Campaign:
    """The campaign form's save: only the settings that differ from the stored ones go to `campaign_update` (so an
    active campaign refuses a real change to a frozen setting, not an unchanged one), then the pool is replaced."""
    changed = {name: value for name, value in fields.items() if getattr(campaign, name) != value}
    if changed:
        campaign_update(campaign=campaign, actor=actor, source=source, **changed)
    return campaign_set_pool(campaign=campaign, readers=readers, adjudicators=adjudicators, actor=actor,
                             source=source)


@transaction.atomic
def campaign_set_pool(*, campaign: Campaign, readers=None, adjudicators=None, actor=None,
                      source: AuditSource | None = None) -> Campaign:
    """Replace the reader pool and/or the adjudicators (senior readers)."""
    data = {}
    if readers is not None:
        readers = list(readers)
        _check_pool(readers, "readers")
        campaign.readers.set(readers)
        data["readers"] = sorted(u.pk for u in readers)
    if adjudicators is not None:
        adjudicators = list(adjudicators)
        _check_pool(adjudicators, "adjudicators")
        campaign.adjudicators.set(adjudicators)
        data["adjudicators"] = sorted(u.pk for u in adjudicators)
    if data:
        audit_record(actor=actor, action="campaign-pool-set", obj=campaign, campaign_id=campaign.pk, data=data,
                     source=source)
    return campaign


def _gold_states(campaign: Campaign, study_id: int, answer: dict) -> dict[str, str]:
    """A gold answer lists the trait codes present (or maps codes to present/absent); the rest are absent."""
    index = taxonomy_index(campaign.taxonomy)
    positives = [c for c, v in answer.items() if v in (True, 1, PRESENT)] if isinstance(answer, dict) else list(answer)
    unknown = sorted(set(positives) - set(index.by_code))
    if unknown:
        raise ValidationError({"gold": f"Study {study_id}: unknown trait codes {', '.join(unknown)}."})
    states = {code: ABSENT for code in index.by_code}
    for code in hierarchy_closure(index, positives):
        states[code] = PRESENT
    return states


@transaction.atomic
def campaign_add_studies(
    *, campaign: Campaign, study_ids, gold: dict | None = None, actor=None, source: AuditSource | None = None
) -> dict:
    """Add studies (ids) and gold-standard studies (id -> answer). Returns added / already-there / missing ids."""
    if campaign.status == Campaign.Status.CLOSED:
        raise ValidationError(f"Campaign '{campaign.name}' is closed.")
    gold = {int(k): v for k, v in (gold or {}).items()}
    wanted = {int(s) for s in study_ids} | set(gold)
    existing = set(Study.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    present = set(campaign.campaign_studies.filter(study_id__in=wanted).values_list("study_id", flat=True))
    gold_states = {sid: _gold_states(campaign, sid, answer) for sid, answer in gold.items() if sid in existing}
    new = sorted(existing - present)
    rows = CampaignStudy.objects.bulk_create([
        CampaignStudy(campaign=campaign, study_id=sid, target_reads=campaign.min_reads, is_gold=sid in gold_states,
                      gold_labels=gold_states.get(sid, {}))
        for sid in new
    ])
    _gold_consensus(campaign, [row for row in rows if row.is_gold])
    audit_record(actor=actor, action="campaign-studies-added", obj=campaign, campaign_id=campaign.pk,
                 data={"added": new, "gold": sorted(s for s in new if s in gold_states)}, source=source)
    campaign_priorities_refresh(campaign=campaign, study_ids=new)
    return {"added": new, "already_in_campaign": sorted(present), "missing": sorted(wanted - existing)}


def _gold_consensus(campaign: Campaign, rows: list[CampaignStudy]) -> None:
    # The known answer is the reference standard of a gold study; reads of it score readers.
    index = taxonomy_index(campaign.taxonomy)
    Consensus.objects.bulk_create([
        Consensus(campaign_study=row, trait=index.by_code[code], label=state, method=Consensus.Method.GOLD,
                  soft_label=1.0 if state == PRESENT else 0.0)
        for row in rows
        for code, state in row.gold_labels.items()
    ])


@transaction.atomic
def campaign_activate(*, campaign: Campaign, actor=None, source: AuditSource | None = None) -> Campaign:
    if campaign.status != Campaign.Status.DRAFT:
        raise ValidationError(f"Campaign '{campaign.name}' is {campaign.status}; only a draft can be activated.")
    _check_taxonomy(campaign)
    problems = []
    if not campaign.campaign_studies.filter(is_gold=False).exists():
        problems.append("it has no studies")
    if campaign.readers.count() < campaign.min_reads:
        problems.append(f"it has fewer readers than min_reads ({campaign.min_reads})")
    if problems:
        raise ValidationError(f"Cannot activate campaign '{campaign.name}': {'; '.join(problems)}.")
    campaign.status = Campaign.Status.ACTIVE
    campaign.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="campaign-activated", obj=campaign, campaign_id=campaign.pk, source=source)
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor=None, source: AuditSource | None = None) -> Campaign:
    campaign.status = Campaign.Status.CLOSED
    campaign.save(update_fields=["status", "updated_at"])
    released = campaign.assignments.filter(status="reserved").update(status="released")
    audit_record(actor=actor, action="campaign-closed", obj=campaign, campaign_id=campaign.pk,
                 data={"released_reservations": released, "at": timezone.now().isoformat()}, source=source)
    return campaign


@transaction.atomic
def campaign_add_candidates(
    *, campaign: Campaign, limit: int, traits=None, run=None, actor=None, source: AuditSource | None = None
) -> dict:
    """Add the best report-mining candidates (studies whose reports suggest `traits`, rare and significant first)
    and hand their candidate scores to the worklist as priority source "mining"."""
    rows = [r for r in study_priorities(run=run, traits=traits, limit=limit) if r["study_id"] is not None]
    result = campaign_add_studies(campaign=campaign, study_ids=[r["study_id"] for r in rows], actor=actor,
                                  source=source)
    scores = {r["study_id"]: (r["score"], "; ".join(r["reasons"][:3])) for r in rows}
    result["prioritized"] = priority_set(campaign=campaign, scores=scores, source="mining").updated
    return result


@transaction.atomic
def campaign_add_filtered(
    *, campaign: Campaign, limit: int, site: str = "", modality: str = "", date_from=None, date_to=None,
    actor=None, source: AuditSource | None = None,
) -> dict:
    """Add archive studies matching simple filters (site pseudonym, modality, shifted study-date range)."""
    studies = Study.objects.exclude(campaign_entries__campaign=campaign)
    if site:
        studies = studies.filter(site=site)
    if modality:
        studies = studies.filter(modality=modality)
    if date_from:
        studies = studies.filter(study_date__gte=date_from)
    if date_to:
        studies = studies.filter(study_date__lte=date_to)
    ids = list(studies.order_by("id").values_list("id", flat=True)[:limit])
    return campaign_add_studies(campaign=campaign, study_ids=ids, actor=actor, source=source)


@transaction.atomic
def campaign_add_selected_candidates(
    *, campaign: Campaign, run, study_ids, actor=None, source: AuditSource | None = None
) -> dict:
    """Add the report-mining candidates a curator checked and rank them by the run's candidate scores (priority
    source "report-mining"); both or neither."""
    chosen = sorted({int(s) for s in study_ids})
    result = campaign_add_studies(campaign=campaign, study_ids=chosen, actor=actor, source=source)
    wanted = set(chosen)
    scores = {r["study_id"]: (r["score"], "; ".join(r["reasons"][:3]))
              for r in study_priorities(run=run) if r["study_id"] in wanted}
    result["prioritized"] = priority_set(campaign=campaign, scores=scores, source="report-mining").updated
    return result


@transaction.atomic
def campaign_studies_add(
    *, campaign: Campaign, study_uids=(), gold=(), from_mining: dict | None = None, filters: dict | None = None,
    actor=None, source: AuditSource | None = None,
) -> dict:
    """Everything the studies API adds in one request, all or nothing: studies by UID, gold studies by UID with
    their answer ({"study_uid", "positives"}), the best mining candidates (`campaign_add_candidates` arguments)
    and archive studies matching filters (`campaign_add_filtered` arguments).

    Returns the added and already-present study ids, and the UIDs that are not in the archive."""
    study_uids, gold = list(study_uids), list(gold)
    uids = set(study_uids) | {g["study_uid"] for g in gold}
    ids = dict(Study.objects.filter(study_uid__in=uids).values_list("study_uid", "pk"))
    result = campaign_add_studies(
        campaign=campaign, study_ids=[ids[u] for u in study_uids if u in ids],
        gold={ids[g["study_uid"]]: g["positives"] for g in gold if g["study_uid"] in ids},
        actor=actor, source=source,
    )
    result["missing"] = sorted(uids - set(ids))
    more = []
    if from_mining is not None:
        more.append(campaign_add_candidates(campaign=campaign, actor=actor, source=source, **from_mining))
    if filters is not None:
        more.append(campaign_add_filtered(campaign=campaign, actor=actor, source=source, **filters))
    for added in more:
        result["added"] += added["added"]
        result["already_in_campaign"] += added["already_in_campaign"]
    return result
