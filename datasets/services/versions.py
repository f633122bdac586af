"""Dataset version use cases: define a new version (a new row, never an edit of a published one), and define
one and start its export together."""

from django.core.exceptions import ValidationError
from django.db import transaction

from annotation.models import Campaign
from curation.models import Taxonomy
from datasets.export.calibration import calibration_sizing
from datasets.export.splits import SplitPolicy, SplitPolicyError
from datasets.models import ConsensusMethod, DatasetVersion
from datasets.selectors.calibration import campaigns_reportable
from datasets.services.export import dataset_export_start


def _check_campaigns(taxonomy: Taxonomy, campaign_ids: list[int]) -> None:
    if not campaign_ids:
        raise ValidationError({"campaign_ids": "Choose at least one campaign."})
    campaigns = {c.pk: c for c in Campaign.objects.filter(pk__in=campaign_ids)}
    missing = sorted(set(campaign_ids) - set(campaigns))
    if missing:
        raise ValidationError({"campaign_ids": f"No campaign with id {', '.join(map(str, missing))}."})
    other = [c.name for c in campaigns.values() if c.taxonomy_id != taxonomy.pk]
    if other:
        raise ValidationError({"campaign_ids": f"Campaigns {', '.join(sorted(other))} use another taxonomy version "
                                               f"than {taxonomy}."})


def _check_traits(taxonomy: Taxonomy, codes: list[str], field: str) -> None:
    unknown = sorted(set(codes) - set(taxonomy.traits.values_list("code", flat=True)))
    if unknown:
        raise ValidationError({field: f"Not traits of {taxonomy}: {', '.join(unknown)}."})


def _sized_for(target: float | None, campaign_ids: list[int], fractions: list[float]) -> tuple[list[float], dict]:
    """`fractions` with the calibration split grown (from train) to hold the reported studies a CSMR below `target`
    needs, where the campaigns' studies at consensus allow; and what the sizing found."""
    if target is None:
        return fractions, {}
    if not 0 < target < 1:
        raise ValidationError({"calibration_target_csmr": f"A CSMR target is a fraction between 0 and 1; got {target}."})
    n_studies, reportable = campaigns_reportable(campaign_ids=campaign_ids)
    sizing = calibration_sizing(target=target, n_studies=n_studies, n_reportable=reportable,
                                fractions=tuple(fractions))
    return list(sizing.fractions), {"target": target, "needed": sizing.needed, "reportable": sizing.reportable,
                                    "met": sizing.met, "certifiable": round(sizing.target, 4)}


def _check_policy(seed: int, fractions: list[float]) -> None:
    try:
        SplitPolicy(seed, tuple(fractions))
    except SplitPolicyError as exc:
        raise ValidationError({"split_fractions": str(exc)}) from None


@transaction.atomic
def dataset_version_create(
    *, name: str, taxonomy: Taxonomy, campaign_ids: list[int], created_by=None,
    consensus_method: str = ConsensusMethod.MAJORITY, traits: list[str] | None = None,
    split_seed: int = 0, split_fractions: list[float] | None = None, stratify_on: list[str] | None = None,
    image_size: tuple[int, int] = (256, 256), chunk_studies: int = 16, filters: dict | None = None,
    description: str = "", calibration_target_csmr: float | None = None,
) -> DatasetVersion:
    """A new version of dataset `name` (next number), status building; its export is started separately
    (`dataset_version_create_and_export` does both). With `calibration_target_csmr`, the calibration split is
    sized for that target from the campaigns' studies at consensus (`split_fractions` are the starting point)."""
    if not taxonomy.is_published:
        raise ValidationError({"taxonomy": f"Taxonomy {taxonomy} is not published; datasets need a frozen taxonomy."})
    campaign_ids = sorted({int(c) for c in campaign_ids})
    _check_campaigns(taxonomy, campaign_ids)
    _check_traits(taxonomy, traits or [], "traits")
    fractions = list(split_fractions or [0.7, 0.1, 0.2])
    _check_policy(split_seed, fractions)
    fractions, sizing = _sized_for(calibration_target_csmr, campaign_ids, fractions)
    # Locking the name's rows serializes concurrent creations of the same dataset.
    last = max(DatasetVersion.objects.select_for_update().filter(name=name).values_list("version", flat=True),
               default=0)
    version = DatasetVersion(
        name=name, version=last + 1, taxonomy=taxonomy, campaign_ids=campaign_ids, created_by=created_by,
        consensus_method=consensus_method, traits=sorted(traits or []), split_seed=split_seed,
        split_fractions=fractions, calibration_sizing=sizing, image_rows=image_size[0], image_cols=image_size[1],
        chunk_studies=chunk_studies, filters=filters or {}, description=description,
        **({"stratify_on": list(stratify_on)} if stratify_on is not None else {}),
    )
    _check_traits(taxonomy, version.stratify_on, "stratify_on")
    version.full_clean()
    version.save()
    return version


def _campaigns_taxonomy(campaign_ids: list[int]) -> Taxonomy:
    taxonomy_ids = set(Campaign.objects.filter(pk__in=campaign_ids).values_list("taxonomy_id", flat=True))
    if len(taxonomy_ids) != 1:
        raise ValidationError({"campaign_ids": "Choose one or more campaigns of the same taxonomy version."})
    return Taxonomy.objects.get(pk=taxonomy_ids.pop())


@transaction.atomic
def dataset_version_create_and_export(
    *, name: str, campaign_ids: list[int], taxonomy: Taxonomy | None = None, created_by=None, **fields
) -> DatasetVersion:
    """Define a version and queue its export, both or neither; the export task is queued once the version is
    committed. Without `taxonomy`, the version takes its campaigns' taxonomy version (they must share one).
    `fields` are `dataset_version_create`'s."""
    if taxonomy is None:
        taxonomy = _campaigns_taxonomy(campaign_ids)
    version = dataset_version_create(name=name, taxonomy=taxonomy, campaign_ids=campaign_ids, created_by=created_by,
                                     **fields)
    dataset_export_start(version=version, user=created_by)
    return version
