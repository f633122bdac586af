"""Adjudication: a senior reader settles the traits a study's readers could not (ties, high-significance disagreement)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from annotation.labels import hierarchy_closure, taxonomy_index
from annotation.models import AdjudicationTask, CampaignStudy, Consensus
from annotation.services.audit import AuditSource, audit_record
from annotation.stats.consensus_rules import ABSENT, PRESENT
from core.roles import is_admin


def adjudicator_allowed(task: AdjudicationTask, user) -> bool:
    """Campaign adjudicators (and admins) who did not read the study themselves."""
    entry = task.campaign_study
    if is_admin(user):
        return True
    if not entry.campaign.adjudicators.filter(pk=user.pk).exists():
        return False
    return not entry.assignments.filter(reader=user, status="submitted").exists()


def _check_decisions(task: AdjudicationTask, decisions: dict) -> None:
    missing = sorted(set(task.traits) - set(decisions))
    extra = sorted(set(decisions) - set(task.traits))
    bad = sorted(c for c, v in decisions.items() if v not in (PRESENT, ABSENT))
    problems = []
    if missing:
        problems.append(f"missing decisions for {', '.join(missing)}")
    if extra:
        problems.append(f"{', '.join(extra)} are not part of this adjudication")
    if bad:
        problems.append(f"decisions must be present or absent ({', '.join(bad)})")
    if problems:
        raise ValidationError({"decisions": "; ".join(problems) + "."})


@transaction.atomic
def adjudication_decide(
    *, task: AdjudicationTask, adjudicator, decisions: dict, note: str = "", source: AuditSource | None = None
) -> AdjudicationTask:
    entry = CampaignStudy.objects.select_for_update(of=("self",)).select_related("campaign__taxonomy").get(pk=task.campaign_study_id)
    task = AdjudicationTask.objects.select_for_update().get(pk=task.pk)
    task.campaign_study = entry
    if task.status != AdjudicationTask.Status.OPEN:
        raise ValidationError(f"Adjudication {task.pk} is {task.status}.")
    if not adjudicator_allowed(task, adjudicator):
        raise PermissionDenied("Only the campaign's adjudicators who did not read this study may adjudicate it.")
    _check_decisions(task, decisions)
    index = taxonomy_index(entry.campaign.taxonomy)
    final = dict(decisions)
    # The hierarchy holds for consensus too: a child decided present makes its parent present.
    for code in hierarchy_closure(index, [c for c, v in decisions.items() if v == PRESENT]):
        final[code] = PRESENT
    for row in entry.consensus.select_related("trait").filter(trait__code__in=list(final)):
        if row.trait.code in decisions or row.label != PRESENT:
            row.label, row.method = final[row.trait.code], Consensus.Method.ADJUDICATED
            row.adjudicator, row.adjudication = adjudicator, task
            row.save()
    task.status, task.decisions, task.note = AdjudicationTask.Status.DECIDED, final, note
    task.adjudicator, task.decided_at = adjudicator, timezone.now()
    task.save()
    if not entry.adjudications.filter(status=AdjudicationTask.Status.OPEN).exists():
        entry.status, entry.completed_at = CampaignStudy.Status.COMPLETE, timezone.now()
        entry.save(update_fields=["status", "completed_at"])
    audit_record(actor=adjudicator, action="adjudication-decided", obj=task, campaign_id=entry.campaign_id,
                 data={"study_id": entry.study_id, "decisions": final, "note": note}, source=source)
    return task


@transaction.atomic
def adjudication_request(*, campaign_study: CampaignStudy, traits: dict[str, str], actor=None) -> AdjudicationTask:
    """Send a study's traits to adjudication with the reason for each (a label audit's, say), though its readers
    reached consensus: joins the study's open task when there is one, else opens a new one."""
    entry = CampaignStudy.objects.select_for_update(of=("self",)).get(pk=campaign_study.pk)
    task = entry.adjudications.select_for_update().filter(status=AdjudicationTask.Status.OPEN).first()
    if task is None:
        task = AdjudicationTask.objects.create(campaign_study=entry, traits=dict(traits))
    else:
        task.traits = {**dict(traits), **task.traits}  # a reason already there (a tie) stays
        task.save(update_fields=["traits"])
    entry.status, entry.completed_at = CampaignStudy.Status.ADJUDICATION, None
    entry.save(update_fields=["status", "completed_at"])
    audit_record(actor=actor, action="adjudication-requested", obj=task, campaign_id=entry.campaign_id,
                 data={"study_id": entry.study_id, "traits": traits})
    return task
