"""The default head-CT taxonomy: the paper's Table 2 traits with their groups and hotkeys.

Plain data, importable without Django, so the synthetic cohort generator, the report
mappings and the data migration all read the same table.
"""

from dataclasses import dataclass, field

TAXONOMY_NAME = "head-ct"

SIGNIFICANCE_LEVELS = ("high", "moderate", "low")

LOCATIONS = (
    "intra-axial",
    "extra-axial",
    "ventricular",
    "skull and scalp",
    "sinus/orbit/mastoid",
    "vascular",
)

TYPES = (
    "hemorrhage",
    "ischemia",
    "neoplasm",
    "trauma",
    "degenerative",
    "congenital/cystic",
    "other",
)


@dataclass(frozen=True)
class TraitSpec:
    code: str
    name: str
    significance: str
    prevalence: float  # percent of studies, the paper's trial incidence
    locations: tuple[str, ...]
    type: str
    parent: str | None = None
    description: str = ""
    hotkey: str = field(default="", compare=False)


_ICH = "intracranial_hemorrhage"

_TRAITS = (
    TraitSpec(_ICH, "Intracranial hemorrhage", "high", 5.14, ("intra-axial", "extra-axial"), "hemorrhage"),
    TraitSpec("acute_infarct", "Acute infarct", "high", 0.241, ("intra-axial",), "ischemia"),
    TraitSpec("depressed_skull_fracture", "Depressed skull fracture", "high", 0.0167, ("skull and scalp",), "trauma"),
    TraitSpec("intracranial_mass", "Intracranial mass", "high", 2.2, ("intra-axial", "extra-axial"), "neoplasm"),
    TraitSpec("midline_shift", "Midline shift", "moderate", 1.45, ("intra-axial",), "other"),
    TraitSpec("cerebral_edema", "Cerebral edema", "moderate", 0.241, ("intra-axial",), "other"),
    TraitSpec("hydrocephalus", "Hydrocephalus", "moderate", 0.733, ("ventricular",), "other"),
    TraitSpec("pneumocephalus", "Pneumocephalus", "moderate", 0.572, ("extra-axial",), "trauma"),
    TraitSpec("fracture", "Fracture", "moderate", 2.93, ("skull and scalp",), "trauma"),
    TraitSpec("aneurysm", "Aneurysm", "moderate", 0.418, ("vascular",), "other"),
    TraitSpec("neoplasm", "Neoplasm", "moderate", 0.14, ("intra-axial", "extra-axial"), "neoplasm"),
    TraitSpec("glioblastoma", "Glioblastoma multiforme", "moderate", 0.0167, ("intra-axial",), "neoplasm"),
    TraitSpec("metastasis", "Metastasis", "moderate", 0.284, ("intra-axial",), "neoplasm"),
    TraitSpec("meningioma", "Meningioma", "moderate", 0.475, ("extra-axial",), "neoplasm"),
    TraitSpec("colloid_cyst", "Colloid cyst", "moderate", 0.0636, ("ventricular",), "congenital/cystic"),
    TraitSpec("gunshot_wound", "Gunshot wound", "moderate", 0.104, ("skull and scalp", "intra-axial"), "trauma"),
    TraitSpec("old_infarct", "Chronic/old infarction", "low", 0.518, ("intra-axial",), "ischemia"),
    TraitSpec("encephalomalacia", "Encephalomalacia", "low", 2.24, ("intra-axial",), "degenerative"),
    TraitSpec("lacune", "Lacune", "low", 2.39, ("intra-axial",), "ischemia"),
    TraitSpec("white_matter_ischemia", "White matter ischemia", "low", 17.0, ("intra-axial",), "ischemia"),
    TraitSpec("diffuse_volume_loss", "Diffuse volume loss", "low", 16.3, ("intra-axial", "ventricular"), "degenerative"),
    TraitSpec("calcification", "Calcification", "low", 3.74, ("intra-axial",), "other"),
    TraitSpec("atherosclerosis", "Atherosclerosis", "low", 1.01, ("vascular",), "degenerative"),
    TraitSpec("arachnoid_cyst", "Arachnoid cyst", "low", 0.468, ("extra-axial",), "congenital/cystic"),
    TraitSpec("lipoma", "Lipoma", "low", 0.13, ("extra-axial",), "congenital/cystic"),
    TraitSpec("sinus_pathology", "Sinus pathology", "low", 16.5, ("sinus/orbit/mastoid",), "other"),
    TraitSpec("mastoid_pathology", "Mastoid pathology", "low", 1.48, ("sinus/orbit/mastoid",), "other"),
    TraitSpec("orbital_pathology", "Orbital pathology", "low", 2.03, ("sinus/orbit/mastoid",), "other"),
    TraitSpec("scalp_soft_tissue", "Scalp or soft tissue pathology", "low", 10.2, ("skull and scalp",), "other"),
    TraitSpec("artifact_metal", "Artifact/metal", "low", 0.184, ("skull and scalp",), "other"),
)

# ICH subtypes: optional children; a positive child implies a positive parent. Their
# prevalences split the parent's (no per-subtype figure in the paper).
_SUBTYPES = (
    TraitSpec("epidural_hemorrhage", "Epidural hemorrhage", "high", 0.5, ("extra-axial",), "hemorrhage", _ICH),
    TraitSpec("subdural_hemorrhage", "Subdural hemorrhage", "high", 2.0, ("extra-axial",), "hemorrhage", _ICH),
    TraitSpec("subarachnoid_hemorrhage", "Subarachnoid hemorrhage", "high", 1.5, ("extra-axial",), "hemorrhage", _ICH),
    TraitSpec("intraventricular_hemorrhage", "Intraventricular hemorrhage", "high", 0.6, ("ventricular",), "hemorrhage", _ICH),
    TraitSpec("intraparenchymal_hemorrhage", "Intraparenchymal hemorrhage", "high", 1.5, ("intra-axial",), "hemorrhage", _ICH),
)

# Reading-page keys: digits 1-5 pick window presets, n is "no findings", r resets the view,
# so traits take the remaining lowercase letters first, then uppercase.
_RESERVED_KEYS = set("nr")
_KEYS = [c for c in "abcdefghijklmopqstuvwxyz" if c not in _RESERVED_KEYS] + list("ABCDEFGHIJKLMOPQSTUVWXYZ")


def _with_hotkeys(specs):
    out = []
    for key, spec in zip(_KEYS, specs, strict=False):
        out.append(TraitSpec(**{**spec.__dict__, "hotkey": key}))
    return tuple(out)


DEFAULT_TRAITS: tuple[TraitSpec, ...] = _with_hotkeys(_TRAITS + _SUBTYPES)

# The 30 top-level traits of the paper, in display order (subtypes excluded).
TOP_LEVEL_CODES: tuple[str, ...] = tuple(t.code for t in DEFAULT_TRAITS if t.parent is None)
ALL_CODES: tuple[str, ...] = tuple(t.code for t in DEFAULT_TRAITS)
HIGH_CODES: tuple[str, ...] = tuple(t.code for t in DEFAULT_TRAITS if t.significance == "high" and t.parent is None)
BY_CODE: dict[str, TraitSpec] = {t.code: t for t in DEFAULT_TRAITS}
