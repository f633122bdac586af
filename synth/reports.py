"""The radiology report of a synthetic study, and what it asserts about every trait.

The writer first decides an assertion per trait (present, absent, uncertain, historical or
not_mentioned), injecting errors the way real reports are wrong (a miss, an overcall) for a
configurable fraction of reports, and then writes sentences that say exactly that. Only FINDINGS
and IMPRESSION assert; the indication may name a disease without asserting it.
"""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from curation.default_taxonomy import ALL_CODES, BY_CODE
from synth import lexicon
from synth.findings import LOBES
from synth.patients import Visit

ASSERTIONS = ("present", "absent", "uncertain", "historical", "not_mentioned")
ICH = "intracranial_hemorrhage"
SUBTYPES = tuple(c for c in ALL_CODES if BY_CODE[c].parent == ICH)

# A sentence about the key trait also asserts these (same assertion).
IMPLIES = {
    **{c: (ICH,) for c in SUBTYPES},
    "glioblastoma": ("neoplasm", "intracranial_mass"),
    "metastasis": ("neoplasm", "intracranial_mass"),
    "meningioma": ("neoplasm", "intracranial_mass"),
    "neoplasm": ("intracranial_mass",),
    "depressed_skull_fracture": ("fracture",),
    "gunshot_wound": ("fracture", "artifact_metal"),
}
# Likely overcalls, with weights: what readers see that is not there.
OVERCALLS = {"subarachnoid_hemorrhage": 3, "subdural_hemorrhage": 3, "acute_infarct": 3, "fracture": 2,
             "intracranial_mass": 1, "white_matter_ischemia": 2, "diffuse_volume_loss": 2, "sinus_pathology": 2,
             "hydrocephalus": 1, "intraparenchymal_hemorrhage": 1}
SIGNIFICANT = {c for c in ALL_CODES if BY_CODE[c].significance in ("high", "moderate")}


@dataclass
class Report:
    text: str
    report_date: dt.date
    assertions: dict[str, str]
    errors: list[dict] = field(default_factory=list)
    indication: str = ""


# Details an overcall (or a sparse finding) lacks: plausible values per trait.
DEFAULT_DETAIL = {
    "subarachnoid_hemorrhage": {"pattern": "diffuse"},
    "sinus_pathology": {"pattern": "mucosal thickening"},
    "orbital_pathology": {"kind": "preseptal swelling"},
    "scalp_soft_tissue": {"kind": "hematoma"},
    "artifact_metal": {"kind": "aneurysm clip"},
}


def _fields(code: str, detail: dict, rng) -> dict:
    detail = {**DEFAULT_DETAIL.get(code, {}), **detail}
    side = detail.get("side", "right")
    side = side if side in ("left", "right") else "bilateral" if side == "bilateral" else str(rng.choice(["left", "right"]))
    loc = str(detail.get("location") or rng.choice(LOBES))
    count = int(detail.get("count", 1))
    f = {
        "side": side, "size": detail.get("size_mm", int(rng.integers(5, 20))), "loc": loc,
        "acuity": detail.get("acuity", "acute"), "pattern": detail.get("pattern", "mucosal thickening"),
        "severity": detail.get("severity", "mild"), "kind": detail.get("kind", "swelling"),
        "territory": detail.get("territory", "MCA"), "dir": detail.get("side", side),
        "sinuses": " and ".join(detail.get("sinuses", ["maxillary"])),
        "count_words": {1: "a", 2: "two", 3: "three"}.get(count, "several"),
    }
    for k in ("side", "acuity", "pattern", "severity", "loc"):
        f[k.capitalize()] = str(f[k])[:1].upper() + str(f[k])[1:]
    f["side_cap"] = f["Side"]
    f["a_acuity"] = ("an " if str(f["acuity"])[:1] in "aeiou" else "a ") + str(f["acuity"])
    return f


def _say(code: str, templates, detail, rng) -> str:
    return str(rng.choice(templates)).format_map(_fields(code, detail, rng))


def _units(truth: dict[str, dict]) -> list[str]:
    """Present traits that get their own sentence: those not already implied by another present one."""
    implied = {p for c in truth for p in IMPLIES.get(c, ())}
    return sorted((c for c in truth if c in lexicon.PRESENT and c not in implied), key=lexicon.FINDINGS_ORDER.index)


def _assert(assertions, code, value) -> None:
    assertions[code] = value
    for parent in IMPLIES.get(code, ()):
        rank = ASSERTIONS.index  # present beats absent beats uncertain ... for a parent with several children
        if assertions[parent] == "not_mentioned" or rank(value) < rank(assertions[parent]):
            assertions[parent] = value


class _Writer:
    def __init__(self, rng, visit: Visit, truth: dict[str, dict], error_rate: float):
        self.rng, self.visit, self.truth = rng, visit, truth
        self.error_rate = error_rate
        self.assertions = {c: "not_mentioned" for c in ALL_CODES}
        self.details: dict[str, dict] = {}
        self.findings: list[str] = []
        self.impression: list[str] = []
        self.errors: list[dict] = []

    def decide(self) -> None:
        units = _units(self.truth)
        missed, overcalled = self._errors(units)
        for code in units:
            if code == missed:
                continue
            hedge = code in lexicon.HEDGED and self.rng.random() < 0.08
            _assert(self.assertions, code, "uncertain" if hedge else "present")
            self.details[code] = self.truth[code]
        if overcalled:
            _assert(self.assertions, overcalled, "present")
            self.details[overcalled] = {"side": str(self.rng.choice(["left", "right"]))}

    def _errors(self, units):
        if self.rng.random() >= self.error_rate:
            return None, None
        absent = sorted(c for c in OVERCALLS if c not in self.truth)
        if units and (self.rng.random() < 0.6 or not absent):
            code = str(self.rng.choice(units))
            self.errors.append({"trait": code, "kind": "miss"})
            return code, None
        weights = np.array([OVERCALLS[c] for c in absent], float)
        code = str(self.rng.choice(absent, p=weights / weights.sum()))
        self.errors.append({"trait": code, "kind": "overcall"})
        return None, code

    def write_findings(self) -> None:
        prior = self.visit.prior_date is not None
        self.details = dict(sorted(self.details.items(), key=lambda kv: lexicon.FINDINGS_ORDER.index(kv[0])))
        for code, detail in self.details.items():
            if self.assertions[code] == "uncertain":
                self.findings.append(_say(code, lexicon.HEDGED[code], detail, self.rng))
                continue
            sentence = _say(code, lexicon.PRESENT[code], detail, self.rng)
            if prior and self.rng.random() < 0.4:
                sentence += str(self.rng.choice(lexicon.COMPARISON_LANGUAGE))
            self.findings.append(sentence)
        self._historical(prior)
        self._pure_hedge()
        self._negations()

    def _historical(self, prior: bool) -> None:
        options = [c for c in sorted(lexicon.HISTORICAL) if c not in self.truth and self.assertions[c] == "not_mentioned"]
        if prior and options and self.rng.random() < 0.15:
            code = str(self.rng.choice(options))
            self.findings.append(str(self.rng.choice(lexicon.HISTORICAL[code])))
            _assert(self.assertions, code, "historical")

    def _pure_hedge(self) -> None:
        options = [c for c in sorted(lexicon.HEDGED) if c not in self.truth and self.assertions[c] == "not_mentioned"]
        if options and self.rng.random() < 0.04:
            code = str(self.rng.choice(options))
            self.findings.append(_say(code, lexicon.HEDGED[code], {}, self.rng))
            _assert(self.assertions, code, "uncertain")

    def _negations(self) -> None:
        for templates, codes in lexicon.NEGATED:
            if not all(self.assertions[c] == "not_mentioned" for c in codes):
                continue
            truly_absent = all(c not in self.truth for c in codes)
            missed_here = any(e["trait"] in codes or any(p in codes for p in IMPLIES.get(e["trait"], ()))
                              for e in self.errors if e["kind"] == "miss")
            # A normal statement over a missed finding is how a miss reads in a real report.
            if (truly_absent and self.rng.random() < 0.75) or (missed_here and self.rng.random() < 0.6):
                self.findings.append(str(self.rng.choice(templates)))
                for c in codes:
                    self.assertions[c] = "absent"
                    if c == ICH:
                        for sub in SUBTYPES:
                            if self.assertions[sub] == "not_mentioned":
                                self.assertions[sub] = "absent"

    def write_impression(self) -> None:
        significant = [c for c in self.details if c in SIGNIFICANT]
        for code in significant or [c for c in self.details if self.rng.random() < 0.5]:
            if self.assertions[code] == "uncertain":
                self.impression.append(_say(code, lexicon.HEDGED[code], self.details[code], self.rng))
            else:
                self.impression.append(_say(code, lexicon.PRESENT[code], self.details[code], self.rng))
        if not significant:  # incidental findings only: "no acute" still holds, "negative" would not
            normal = lexicon.NORMAL_IMPRESSION[:2] if self.impression else lexicon.NORMAL_IMPRESSION
            self.impression.insert(0, str(self.rng.choice(normal)))


def _indication(rng, truth) -> str:
    """Indications follow the findings a little (trauma for fractures, stroke for infarcts) but assert nothing."""
    bias = {"trauma": {"fracture", "subdural_hemorrhage", "epidural_hemorrhage", "scalp_soft_tissue"},
            "stroke": {"acute_infarct", "old_infarct"}, "oncology": {"metastasis", "intracranial_mass"}}
    wanted = [k for k, codes in bias.items() if codes & set(truth)]
    options = [text for text, kind in lexicon.INDICATIONS if kind in wanted] if wanted and rng.random() < 0.7 else None
    return str(rng.choice(options or [text for text, _ in lexicon.INDICATIONS]))


def write_report(rng: np.random.Generator, visit: Visit, truth: dict[str, dict], *, error_rate: float,
                 slice_mm: float) -> Report:
    """Write the report for a study whose present traits (code -> rendered detail) are `truth`."""
    w = _Writer(rng, visit, truth, error_rate)
    w.decide()
    w.write_findings()
    w.write_impression()
    style = lexicon.SECTION_STYLES[int(rng.integers(0, len(lexicon.SECTION_STYLES)))]
    indication = _indication(rng, truth)
    technique = str(rng.choice(lexicon.TECHNIQUE)).format(thick=f"{slice_mm:g}")
    if visit.prior_date:
        comparison = str(rng.choice(["CT head {d}.", "Noncontrast head CT dated {d}.", "Prior CT brain from {d}."]))
        comparison = comparison.format(d=f"{visit.prior_date:%m/%d/%Y}")
    else:
        comparison = str(rng.choice(["None.", "No prior studies available.", "None available."]))
    findings = " ".join(w.findings) if w.findings else "No acute intracranial abnormality."
    impression = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(w.impression))
    report_date = visit.study_date + dt.timedelta(days=int(rng.random() < 0.1))
    name = visit.reader.split("^")
    signature = f"Electronically signed by {name[1]} {name[0]}, {name[4]} on {report_date:%m/%d/%Y}."
    text = "\n\n".join([
        f"{style[0]}: {indication}", f"{style[1]}: {technique}", f"{style[2]}: {comparison}",
        f"{style[3]}:\n{findings}", f"{style[4]}:\n{impression}", signature,
    ])
    return Report(text, report_date, w.assertions, w.errors, indication)


def report_texts(n: int, seed: int = 0, enrich: dict[str, float] | None = None, error_rate: float = 0.05):
    """Yield `n` report texts without rendering pixels (for report-mining benchmarks and tests).

    Traits follow the cohort's sampling; details a renderer would measure (side, size, lobe) are drawn here.
    """
    from synth.patients import visit_for
    from synth.prevalence import sample_traits
    from synth.streams import stream

    for i in range(n):
        visit = visit_for(seed, i)
        rng = stream(seed, i, "traits")
        traits = sample_traits(rng, visit.age_years, enrich)
        truth = {c: {"side": str(rng.choice(["left", "right"])), "size_mm": int(rng.integers(4, 30)),
                     "location": str(rng.choice(LOBES))} for c in sorted(traits)}
        yield write_report(stream(seed, i, "report"), visit, truth, error_rate=error_rate, slice_mm=5.0).text
