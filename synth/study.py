"""One synthetic study, end to end in memory: visit, traits, pixels, report and its ground-truth record.

Everything a study needs comes from streams keyed by (seed, index), so any study can be built
alone, in any order, in any process.
"""

from dataclasses import dataclass, field

from curation.default_taxonomy import BY_CODE
from synth.anatomy import sample_head
from synth.geometry import Geometry
from synth.patients import Visit, visit_for
from synth.prevalence import sample_traits
from synth.render import RenderedVolume, render_volume
from synth.reports import Report, write_report
from synth.streams import stream


@dataclass(frozen=True)
class CohortParams:
    seed: int = 0
    size: int = 256
    slices: int = 32
    enrich: dict = field(default_factory=dict)
    report_error_rate: float = 0.05
    broken_fraction: float = 0.03
    follow_up_rate: float = 0.12
    sagittal_images: int = 3

    @property
    def geometry(self) -> Geometry:
        return Geometry(self.size, self.slices)


@dataclass
class Study:
    index: int
    visit: Visit
    traits: set[str]
    volume: RenderedVolume
    report: Report


def synthesize_study(params: CohortParams, index: int, traits: set[str] | None = None, *,
                     keep_masks: bool = False) -> Study:
    """Build study `index`; `traits` overrides the sampled traits (for galleries and tests); `keep_masks` records
    the voxels each trait changed (`RenderedTrait.mask`)."""
    seed = params.seed
    visit = visit_for(seed, index, params.follow_up_rate)
    if traits is None:
        traits = sample_traits(stream(seed, index, "traits"), visit.age_years, params.enrich)
    head = sample_head(stream(seed, index, "anatomy"), visit.age_years)
    volume = render_volume(params.geometry, head, set(traits), seed, index, keep_masks=keep_masks,
                           noise_scale=visit.site.noise_factor, kernel_sigma=visit.site.kernel_sigma)
    truth = {code: rt.detail for code, rt in volume.traits.items()}
    report = write_report(stream(seed, index, "report"), visit, truth, error_rate=params.report_error_rate,
                          slice_mm=visit.site.slice_mm)
    return Study(index, visit, set(traits), volume, report)


def _subtype(code: str, study: Study):
    if code == "intracranial_hemorrhage":
        return sorted(c for c in study.volume.traits if BY_CODE[c].parent == code)
    detail = study.volume.traits[code].detail
    return detail.get("acuity") or detail.get("pattern") or detail.get("kind") or detail.get("territory")


def finding_spans(record: dict) -> dict[str, tuple[int, int]]:
    """Where a ground-truth record's visible findings lie: trait code -> [first, last] axial slice (inferior
    first, the archive's slice order). A parent spans its children, as a reader marking the parent would."""
    spans: dict[str, tuple[int, int]] = {}
    for t in record.get("traits", []):
        if not t.get("slices"):
            continue
        first, last = (int(x) for x in t["slices"])
        for code in filter(None, (t["code"], t.get("parent"))):
            old = spans.get(code, (first, last))
            spans[code] = (min(old[0], first), max(old[1], last))
    return spans


def ground_truth_record(study: Study, study_uid: str, folder: str, series: list[dict], broken: list[dict]) -> dict:
    traits = []
    for code in sorted(study.volume.traits):
        rt = study.volume.traits[code]
        traits.append({
            "code": code,
            "parent": BY_CODE[code].parent,
            "subtype": _subtype(code, study),
            "slices": list(rt.slices) if rt.slices else None,
            "visible": rt.slices is not None,
            "derived_from": list(rt.derived_from),
            "detail": rt.detail,
        })
    v = study.visit
    return {
        "index": study.index,
        "study_folder": folder,
        "study_instance_uid": study_uid,
        "accession_number": v.accession_number,
        "patient_id": v.patient.patient_id,
        "age_days": v.age_days,
        "sex": v.patient.sex,
        "site": v.site.code,
        "slice_order": "inferior_to_superior",
        "traits": traits,
        "report": {"assertions": study.report.assertions, "errors": study.report.errors},
        "series": series,
        "broken_files": broken,
    }
