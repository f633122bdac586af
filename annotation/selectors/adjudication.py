"""Adjudication queries: the queue a senior reader works through, and one task's reads side by side."""

from django.db.models import Exists, OuterRef, QuerySet

from annotation.labels import taxonomy_index
from annotation.models import AdjudicationTask, Assignment
from annotation.pseudonyms import blind_letter
from annotation.selectors.reads import reads_current
from core.roles import is_admin


def adjudication_queue(*, user, campaign=None) -> QuerySet[AdjudicationTask]:
    """Open tasks of the campaigns the user adjudicates (all for admins), minus studies the user read."""
    tasks = AdjudicationTask.objects.filter(status=AdjudicationTask.Status.OPEN).select_related(
        "campaign_study__study", "campaign_study__campaign"
    )
    if campaign is not None:
        tasks = tasks.filter(campaign_study__campaign=campaign)
    if not is_admin(user):
        read_it = Assignment.objects.filter(campaign_study=OuterRef("campaign_study"), reader=user, status="submitted")
        tasks = tasks.filter(campaign_study__campaign__adjudicators=user).exclude(Exists(read_it))
    return tasks.order_by("created_at", "id")


def adjudication_view(*, task: AdjudicationTask, show_identities: bool) -> dict:
    """Every trait with each reader's state side by side; readers are 'Reader A, B, ...' unless identities are shown."""
    entry = task.campaign_study
    reads = reads_current(campaign_study=entry)
    index = taxonomy_index(entry.campaign.taxonomy)
    columns = []
    for i, read in enumerate(reads):
        column = {"reader": blind_letter(i), "note": read.note, "no_findings": read.no_findings,
                  "time_spent_s": read.time_spent_s}
        if show_identities:
            column["reader_username"] = read.assignment.reader.username
        columns.append(column)
    by_read = [{label.trait.code: label for label in read.labels.all()} for read in reads]
    rows = []
    for code in index.codes:
        cells = [by_read[i].get(code) for i in range(len(reads))]
        rows.append({
            "trait": code,
            "name": index.by_code[code].name,
            "significance": index.significance[code],
            "disputed": task.traits.get(code),
            "states": [c.state if c else None for c in cells],
            "slice_ranges": [c.slice_ranges if c else [] for c in cells],
            "key_images": [c.key_images if c else [] for c in cells],
            "notes": [c.note if c else "" for c in cells],
        })
    return {
        "task_id": task.pk,
        "status": task.status,
        "campaign_id": entry.campaign_id,
        "study_id": entry.study_id,
        "study_uid": entry.study.study_uid,
        "traits_to_decide": task.traits,
        "decisions": task.decisions,
        "adjudicator": (task.adjudicator.username if task.adjudicator_id else None) if show_identities else None,
        "readers": columns,
        "rows": rows,
    }


def adjudication_show_identities(*, user) -> bool:
    return is_admin(user)
