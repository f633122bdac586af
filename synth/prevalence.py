"""Which traits a study has: taxonomy prevalences, age dependence, realistic co-occurrence, enrichment.

Each top-level trait is drawn with the taxonomy's prevalence (percent of studies); white matter
ischemia, volume loss, lacunes and atherosclerosis depend on age with the same population mean.
Co-occurrence rules then add what goes with what (a mass brings edema and shift, a subtype
implies its parent, ...). `enrich` forces a trait into a fraction of studies, so rare traits can
be studied: P(trait) becomes about fraction + (1 - fraction) * base.
"""

import numpy as np

from curation.default_taxonomy import BY_CODE, DEFAULT_TRAITS, TOP_LEVEL_CODES

ICH = "intracranial_hemorrhage"
SUBTYPES = tuple(t.code for t in DEFAULT_TRAITS if t.parent == ICH)
AGE_DEPENDENT = {  # trait -> (age in years at half effect, years per e-fold)
    "white_matter_ischemia": (68.0, 9.0),
    "diffuse_volume_loss": (70.0, 9.0),
    "lacune": (70.0, 10.0),
    "atherosclerosis": (72.0, 9.0),
}
# The population's mean of the age curve, so the marginal prevalence stays the taxonomy's.
# Reference ages follow patients.sample_age_days: 2% newborn, 8% child, 50% adult, 40% over 65.
_REF_AGES = np.concatenate([np.full(2, 0.03), np.linspace(0.1, 18, 8), np.linspace(18, 65, 50), np.linspace(65, 100, 40)])


def _age_curve(age: float, mid: float, width: float) -> float:
    return float(1.0 / (1.0 + np.exp(-(age - mid) / width)))


_AGE_MEAN = {c: float(np.mean([_age_curve(a, *mw) for a in _REF_AGES])) for c, mw in AGE_DEPENDENT.items()}


def base_probability(code: str, age_years: float) -> float:
    p = BY_CODE[code].prevalence / 100.0
    if code in AGE_DEPENDENT:
        p = p * _age_curve(age_years, *AGE_DEPENDENT[code]) / _AGE_MEAN[code]
    return float(min(p, 0.9))


def _maybe(rng, traits: set[str], code: str, p: float) -> None:
    if rng.random() < p:
        traits.add(code)


def _pick_subtype(rng, traits: set[str]) -> None:
    weights = np.array([BY_CODE[c].prevalence for c in SUBTYPES])
    traits.add(SUBTYPES[int(rng.choice(len(SUBTYPES), p=weights / weights.sum()))])
    for c in SUBTYPES:
        _maybe(rng, traits, c, 0.12)


def close_over_rules(rng: np.random.Generator, traits: set[str]) -> set[str]:
    """Apply co-occurrence and implication rules, in a fixed order so the draw is reproducible."""
    t = set(traits)
    if t & {"glioblastoma", "metastasis", "meningioma"}:
        t |= {"neoplasm", "intracranial_mass"}
    if "neoplasm" in t:
        t.add("intracranial_mass")
    if "gunshot_wound" in t:
        t |= {"fracture", "artifact_metal", "intraparenchymal_hemorrhage"}
        _maybe(rng, t, "pneumocephalus", 0.6)
    if "depressed_skull_fracture" in t:
        t.add("fracture")
        _maybe(rng, t, "scalp_soft_tissue", 0.7)
    if "fracture" in t:
        _maybe(rng, t, "scalp_soft_tissue", 0.5)
        _maybe(rng, t, "epidural_hemorrhage", 0.1)
        _maybe(rng, t, "pneumocephalus", 0.08)
    if "aneurysm" in t:
        _maybe(rng, t, "subarachnoid_hemorrhage", 0.2)
    if ICH in t and not t & set(SUBTYPES):
        _pick_subtype(rng, t)
    if t & set(SUBTYPES):
        t.add(ICH)
        if "intraparenchymal_hemorrhage" in t:
            _maybe(rng, t, "intraventricular_hemorrhage", 0.2)
        if t & {"subdural_hemorrhage", "epidural_hemorrhage", "intraparenchymal_hemorrhage"}:
            _maybe(rng, t, "midline_shift", 0.3)
    if "intraventricular_hemorrhage" in t or "colloid_cyst" in t:
        _maybe(rng, t, "hydrocephalus", 0.3)
    if "intracranial_mass" in t:
        _maybe(rng, t, "cerebral_edema", 0.3 if t & {"meningioma"} else 0.65)
        _maybe(rng, t, "midline_shift", 0.35)
    if "old_infarct" in t:
        _maybe(rng, t, "encephalomalacia", 0.9)
    if "white_matter_ischemia" in t:
        _maybe(rng, t, "lacune", 0.1)
        _maybe(rng, t, "diffuse_volume_loss", 0.25)
    return t


def sample_traits(rng: np.random.Generator, age_years: float, enrich: dict[str, float] | None = None) -> set[str]:
    """The traits present in one study (top-level and ICH subtype codes)."""
    traits = {c for c in TOP_LEVEL_CODES if rng.random() < base_probability(c, age_years)}
    for code, fraction in sorted((enrich or {}).items()):
        if rng.random() < fraction:
            traits.add(code)
    return close_over_rules(rng, traits)


def parse_enrich(items: list[str] | None) -> dict[str, float]:
    """`TRAIT=FRACTION` strings from the command line; names the bad item when one is wrong."""
    out: dict[str, float] = {}
    for item in items or []:
        code, sep, value = item.partition("=")
        if not sep or code not in BY_CODE:
            raise ValueError(f"--enrich {item!r}: expected TRAIT=FRACTION with a trait code of the default taxonomy")
        try:
            fraction = float(value)
        except ValueError:
            raise ValueError(f"--enrich {item!r}: {value!r} is not a number") from None
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"--enrich {item!r}: fraction must be between 0 and 1")
        out[code] = fraction
    return out
