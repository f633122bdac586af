"""What a dataset version exports, read from the annotation engine and the archive as plain records.

Studies come from the chosen campaigns (study-complete, with consensus); labels from their consensus
by the chosen method; reads from every current submitted read, readers under annotation's keyed
pseudonym (volumes are read by `datasets.selectors.volumes`).
Only de-identified ids leave this module: the study's keyed UID and the patient's pseudonym.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import TextField
from django.db.models.functions import Cast

from annotation.models import Campaign, CampaignStudy, Consensus, ReadLabel
from annotation.pseudonyms import reader_pseudonym
from annotation.selectors.reads import reads_current_qs
from annotation.stats.agreement import agreement
from annotation.stats.bootstrap import Resampler
from annotation.stats.consensus_rules import binary_call
from curation.models import Trait
from datasets.export.plan import PlanError
from datasets.export.records import LabelInput, ReadInput, StudyInput
from datasets.models import ConsensusMethod, DatasetVersion

AGREEMENT_BOOTSTRAP = 200  # replicates per trait: CIs to two decimals at a fraction of a second per trait


@dataclass
class ExportSources:
    studies: list[StudyInput] = field(default_factory=list)
    labels: list[LabelInput] = field(default_factory=list)
    reads: list[ReadInput] = field(default_factory=list)
    campaigns: list[dict] = field(default_factory=list)
    readers: set[str] = field(default_factory=set)


def dataset_traits(version: DatasetVersion) -> list[Trait]:
    traits = list(version.taxonomy.traits.select_related("parent").order_by("display_order", "code"))
    wanted = set(version.traits)
    return [t for t in traits if not wanted or t.code in wanted]


def trait_rows(traits: list[Trait]) -> tuple[dict, ...]:
    return tuple({"code": t.code, "name": t.name, "significance": t.significance,
                  "parent": t.parent.code if t.parent_id else None, "prevalence": t.prevalence} for t in traits)


def _entries(version: DatasetVersion) -> list[CampaignStudy]:
    """One campaign entry per study: a study in several chosen campaigns takes its latest completed one."""
    entries = (CampaignStudy.objects.filter(campaign_id__in=version.campaign_ids,
                                            status=CampaignStudy.Status.COMPLETE)
               .select_related("study__patient", "study__primary_series", "campaign")
               .order_by("study_id", "-completed_at", "-id"))
    filters = version.filters or {}
    if filters.get("exclude_gold"):
        entries = entries.filter(is_gold=False)
    if filters.get("sites"):
        entries = entries.filter(study__site__in=filters["sites"])
    chosen: dict[int, CampaignStudy] = {}
    for entry in entries:
        chosen.setdefault(entry.study_id, entry)
    return list(chosen.values())


_CONSENSUS_FIELDS = ("campaign_study_id", "trait__code", "label", "soft_label", "n_reads", "method", "ds_probability",
                     "ranges_text", "images_text")
_BATCH = 5000  # rows per database round trip: a 24,000-study export streams millions of rows in constant memory


def _label(row: dict, method: str) -> tuple[int, float] | None:
    if method == ConsensusMethod.DAWID_SKENE and row["method"] != Consensus.Method.GOLD:
        if row["ds_probability"] is None:
            return None
        return int(row["ds_probability"] >= 0.5), float(row["ds_probability"])
    if row["label"] not in ("present", "absent"):
        return None  # still awaiting adjudication
    label = int(row["label"] == "present")
    return label, float(row["soft_label"] if row["soft_label"] is not None else label)


class DawidSkeneMissing(PlanError):
    """Dawid–Skene was chosen but has not been fitted on a campaign."""


def _check_dawid_skene(rows, entries: list[CampaignStudy]) -> None:
    chosen = {e.pk: e.campaign.name for e in entries}
    unfitted = rows.filter(ds_probability__isnull=True).exclude(method=Consensus.Method.GOLD)
    names = sorted({chosen[i] for i in unfitted.values_list("campaign_study_id", flat=True).distinct() if i in chosen})
    if names:
        raise DawidSkeneMissing(f"campaigns {', '.join(names)}: Dawid–Skene has not been fitted; run it in "
                                "annotation first, or export with majority consensus")


def _ranges(value) -> tuple[tuple[int, int], ...]:
    return tuple(tuple(r) for r in value) if value else ()


def _as_text(field: str) -> Cast:
    """A JSON column as its text: most label rows hold "[]", which needs no JSON decoding (decoding every row's
    took a quarter of a 3,000-study export plan)."""
    return Cast(field, output_field=TextField())


def _json_list(text: str | None) -> list:
    return [] if text is None or text == "[]" else json.loads(text)


def _labels(version: DatasetVersion, entries: list[CampaignStudy], codes: set[str]) -> list[LabelInput]:
    by_entry = {e.pk: e.study.study_uid for e in entries}
    rows = Consensus.objects.filter(campaign_study__campaign_id__in=version.campaign_ids, trait__code__in=codes)
    rows = rows.annotate(ranges_text=_as_text("slice_ranges"), images_text=_as_text("key_images"))
    if version.consensus_method == ConsensusMethod.DAWID_SKENE:
        _check_dawid_skene(rows, entries)
    out = []
    for row in rows.values(*_CONSENSUS_FIELDS).iterator(chunk_size=_BATCH):
        study = by_entry.get(row["campaign_study_id"])
        value = _label(row, version.consensus_method) if study else None
        if value is not None:
            out.append(LabelInput(study, row["trait__code"], value[0], value[1], row["n_reads"],
                                  row["method"] == Consensus.Method.ADJUDICATED,
                                  _ranges(_json_list(row["ranges_text"])), tuple(_json_list(row["images_text"]))))
    return out


def _reads(version: DatasetVersion, entries: list[CampaignStudy], codes: set[str]) -> tuple[list[ReadInput], set]:
    wanted = {e.pk: e.study.study_uid for e in entries}
    reads = reads_current_qs().filter(assignment__campaign_id__in=version.campaign_ids)
    labels = ReadLabel.objects.filter(read__in=reads, trait__code__in=codes).annotate(
        ranges_text=_as_text("slice_ranges")).values_list(
        "read__assignment__campaign_study_id", "read__assignment__reader_id", "trait__code", "state", "ranges_text")
    out, pseudonyms = [], {}
    for entry_id, reader_id, code, state, ranges in labels.iterator(chunk_size=_BATCH):
        study = wanted.get(entry_id)
        if study is None:
            continue
        if reader_id not in pseudonyms:
            pseudonyms[reader_id] = reader_pseudonym(reader_id)
        out.append(ReadInput(study, pseudonyms[reader_id], code, state, _ranges(_json_list(ranges))))
    return out, set(pseudonyms.values())


def export_sources(version: DatasetVersion) -> ExportSources:
    """Everything the plan needs from the database, for the version's campaigns, filters, traits and method."""
    codes = {t.code for t in dataset_traits(version)}
    entries = _entries(version)
    studies = [StudyInput(e.study.study_uid, e.study.patient.pseudonym, str(e.study.primary_series_id or ""),
                          site=e.study.site, scanner=e.study.station,
                          age_band=e.study.age_band) for e in entries]
    reads, readers = _reads(version, entries, codes)
    campaigns = [{"id": c.pk, "name": c.name, "taxonomy_version": c.taxonomy.version}
                 for c in Campaign.objects.filter(pk__in=version.campaign_ids).select_related("taxonomy").order_by("pk")]
    return ExportSources(studies, _labels(version, entries, codes), reads, campaigns, readers)


def agreement_per_trait(reads: list[ReadInput], codes: list[str], *, seed: int) -> dict:
    """Chance-corrected agreement of the exported reads, per trait, with bootstrap CIs (annotation's statistics)."""
    readers = sorted({r.reader for r in reads})
    studies = sorted({r.study_id for r in reads})
    col, row = {r: j for j, r in enumerate(readers)}, {s: i for i, s in enumerate(studies)}
    by_trait: dict[str, list[ReadInput]] = defaultdict(list)
    for r in reads:
        by_trait[r.trait].append(r)
    out = {}
    resampler = Resampler(AGREEMENT_BOOTSTRAP, seed)  # one draw of the study weights for every trait
    for code in codes:
        ratings = np.full((len(studies), len(readers)), -1, dtype=int)
        for r in by_trait.get(code, ()):
            ratings[row[r.study_id], col[r.reader]] = binary_call(r.value)
        stats = agreement(ratings, np.arange(len(studies)), n_categories=2, n_boot=AGREEMENT_BOOTSTRAP, seed=seed,
                          resampler=resampler)
        out[code] = {name: stats[name].as_dict() for name in ("fleiss_kappa", "krippendorff_alpha", "gwet_ac1")}
        out[code]["cohen_kappa"] = stats["cohen_kappa"].as_dict() if stats["cohen_kappa"] is not None else None
    return out


def exportable_campaigns() -> list[dict]:
    """Campaigns with at least one study at consensus, for the dataset definition form."""
    from django.db.models import Count, Q

    campaigns = Campaign.objects.select_related("taxonomy").annotate(
        n_complete=Count("campaign_studies", filter=Q(campaign_studies__status=CampaignStudy.Status.COMPLETE)))
    return [{"id": c.pk, "name": c.name, "taxonomy_id": c.taxonomy_id, "taxonomy": str(c.taxonomy),
             "n_complete": c.n_complete} for c in campaigns.order_by("-created_at") if c.n_complete]
