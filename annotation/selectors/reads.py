"""Read queries: the current (latest submitted) version of each read, a reader's own reads, read detail."""

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from annotation.models import Read, ReadLabel


def reads_current_qs() -> QuerySet[Read]:
    """Submitted reads that no amendment has replaced: the version consensus counts."""
    return Read.objects.filter(status=Read.Status.SUBMITTED, amended_by__isnull=True)


def _labels() -> Prefetch:
    return Prefetch("labels", queryset=ReadLabel.objects.select_related("trait").order_by("trait__display_order"))


def with_labels(reads: QuerySet[Read]) -> QuerySet[Read]:
    return reads.prefetch_related(_labels())


def labels_loaded(read: Read) -> Read:
    """The read a service just wrote, with its labels in one query (the rest is already in memory)."""
    prefetch_related_objects([read], _labels())
    return read


def reads_current(*, campaign_study) -> list[Read]:
    return list(
        with_labels(reads_current_qs().filter(assignment__campaign_study=campaign_study))
        .select_related("assignment__reader")
        .order_by("submitted_at", "id")
    )


def current_label_rows(*, campaign_study) -> dict[int, list[tuple]]:
    """Per current read id: (trait id, state, slice_ranges, key_images) of each label, in one query. Consensus
    runs inside a reader's submit; model instances and a prefetch would cost a second round trip."""
    reads = reads_current_qs().filter(assignment__campaign_study=campaign_study)
    rows = (ReadLabel.objects.filter(read__in=reads).order_by("read_id", "trait_id")
            .values_list("read_id", "trait_id", "state", "slice_ranges", "key_images"))
    out: dict[int, list[tuple]] = {}
    for read_id, *label in rows:
        out.setdefault(read_id, []).append(tuple(label))
    return out


def read_states(read: Read) -> dict[str, str]:
    return {label.trait.code: label.state for label in read.labels.all()}


def read_labels(read: Read, *extra: str) -> dict[str, dict]:
    """Trait code -> {state, slice_ranges, key_images} plus the `extra` label fields named, in display order."""
    return {
        label.trait.code: {"state": label.state, "slice_ranges": label.slice_ranges, "key_images": label.key_images,
                           **{name: getattr(label, name) for name in extra}}
        for label in read.labels.all()
    }


def reads_amendable(*, reader) -> QuerySet[Read]:
    """The latest version of each of the reader's submitted reads: the only ones an amendment may replace."""
    return reads_current_qs().filter(assignment__reader=reader).select_related(
        "assignment__campaign", "assignment__campaign_study__study__primary_series"
    )


def reads_for_reader(*, reader, campaign=None) -> QuerySet[Read]:
    """A radiologist's own reads (every version), newest first."""
    reads = Read.objects.filter(assignment__reader=reader)
    if campaign is not None:
        reads = reads.filter(assignment__campaign=campaign)
    return with_labels(reads.select_related("assignment__campaign_study__study")).order_by("-updated_at", "-id")


def reads_for_campaign(*, campaign) -> QuerySet[Read]:
    return with_labels(
        reads_current_qs().filter(assignment__campaign=campaign)
        .select_related("assignment__campaign_study__study", "assignment__reader")
    ).order_by("assignment__campaign_study_id", "submitted_at")


def read_draft(*, assignment) -> Read | None:
    return with_labels(assignment.reads.filter(status=Read.Status.DRAFT)).first()
