"""A mapping set's content as plain data: per trait, the phrases that assert it, its exclusions, sections and weight.

`MappingSpec` is what the pipeline is built from; the stored, versioned `reports_nlp.models.MappingSet` turns
into one through `reports_nlp.selectors.mapping_sets.mapping_set_spec`.
"""

from dataclasses import dataclass, field

from reports_nlp.pipeline.sections import SECTIONS


class MappingError(ValueError):
    """A mapping set that cannot be used; the message names the trait and the field."""


@dataclass(frozen=True, slots=True)
class TraitMapping:
    trait: str
    phrases: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    normal_phrases: tuple[str, ...] = ()  # "the ventricles are normal in size": the trait is absent
    sections: tuple[str, ...] = ()  # empty: every section
    weight: float = 1.0
    parent: str | None = None  # a match of this trait also asserts the parent (ICH subtypes)
    # A permanent lesion (lacune, old infarct): "old", "remote", "prior" date it but it is still on the
    # images, so a historical assertion counts as present.
    chronic: bool = False
    implies: tuple[str, ...] = ()  # other traits a match also asserts (glioblastoma -> neoplasm)


@dataclass(frozen=True, slots=True)
class MappingSpec:
    """The trait mappings of one mapping set, by value: equal content, equal spec."""

    version: str
    mappings: tuple[TraitMapping, ...] = field(default_factory=tuple)

    def by_trait(self) -> dict[str, TraitMapping]:
        return {m.trait: m for m in self.mappings}

    @property
    def traits(self) -> tuple[str, ...]:
        return tuple(m.trait for m in self.mappings)


def _phrases(value, trait: str, name: str) -> tuple[str, ...]:
    if isinstance(value, str) or not all(isinstance(p, str) for p in value):
        raise MappingError(f"trait {trait!r}: {name!r} must be a list of strings")
    cleaned = tuple(dict.fromkeys(" ".join(p.lower().split()) for p in value if p.strip()))
    for p in cleaned:
        words = p.split()
        if words[0] == "*" or words[-1] == "*" or words.count("*") > 1:
            raise MappingError(f"trait {trait!r}: {name!r} phrase {p!r}: one gap '*' at most, between words")
    return cleaned


def trait_mapping_from_dict(trait: str, row: dict) -> TraitMapping:
    if not isinstance(row, dict):
        raise MappingError(f"trait {trait!r}: expected a dict, got {type(row).__name__}")
    phrases = _phrases(row.get("phrases") or (), trait, "phrases")
    if not phrases:
        raise MappingError(f"trait {trait!r}: 'phrases' is empty")
    sections = tuple(row.get("sections") or ())
    bad = [s for s in sections if s not in SECTIONS]
    if bad:
        raise MappingError(f"trait {trait!r}: 'sections' has unknown sections {bad}; known: {SECTIONS}")
    weight = row.get("weight", 1.0)
    if not isinstance(weight, int | float) or weight < 0:
        raise MappingError(f"trait {trait!r}: 'weight' must be a non-negative number, got {weight!r}")
    implies = row.get("implies") or ()
    if isinstance(implies, str) or not all(isinstance(c, str) for c in implies):
        raise MappingError(f"trait {trait!r}: 'implies' must be a list of trait codes")
    chronic = row.get("chronic", False)
    if not isinstance(chronic, bool):
        raise MappingError(f"trait {trait!r}: 'chronic' must be true or false, got {chronic!r}")
    return TraitMapping(
        trait=trait,
        phrases=phrases,
        exclusions=_phrases(row.get("exclusions") or (), trait, "exclusions"),
        normal_phrases=_phrases(row.get("normal_phrases") or (), trait, "normal_phrases"),
        sections=sections,
        weight=float(weight),
        parent=row.get("parent") or None,
        chronic=chronic,
        implies=tuple(implies),
    )


def mapping_spec_from_dict(data: dict) -> MappingSpec:
    """Build from {"version": ..., "traits": {code: {"phrases": [...], "exclusions": [...], ...}}}."""
    version = str(data.get("version") or "").strip()
    if not version:
        raise MappingError("mapping set: 'version' is empty")
    traits = data.get("traits")
    if not isinstance(traits, dict) or not traits:
        raise MappingError(f"mapping set {version!r}: 'traits' must be a non-empty dict of trait code -> mapping")
    mappings = tuple(trait_mapping_from_dict(code, row) for code, row in traits.items())
    codes = {m.trait for m in mappings}
    for m in mappings:
        if m.parent and m.parent not in codes:
            raise MappingError(f"trait {m.trait!r}: parent {m.parent!r} has no mapping in set {version!r}")
        unknown = [c for c in m.implies if c not in codes]
        if unknown:
            raise MappingError(
                f"trait {m.trait!r}: 'implies' names traits with no mapping in set {version!r}: {unknown}")
    return MappingSpec(version=version, mappings=mappings)


def mapping_spec_to_dict(mapping_spec: MappingSpec) -> dict:
    return {
        "version": mapping_spec.version,
        "traits": {
            m.trait: {
                "phrases": list(m.phrases),
                "exclusions": list(m.exclusions),
                "normal_phrases": list(m.normal_phrases),
                "sections": list(m.sections),
                "weight": m.weight,
                "parent": m.parent,
                "chronic": m.chronic,
                "implies": list(m.implies),
            }
            for m in mapping_spec.mappings
        },
    }


def default_mapping_spec() -> MappingSpec:
    """The shipped mappings for the default taxonomy (its 30 findings: 35 traits with the 5 hemorrhage subtypes)."""
    from curation.default_taxonomy import BY_CODE
    from reports_nlp.default_mappings import DEFAULT_MAPPING_VERSION, DEFAULT_MAPPINGS

    traits = {code: {**row, "parent": BY_CODE[code].parent} for code, row in DEFAULT_MAPPINGS.items()}
    return mapping_spec_from_dict({"version": DEFAULT_MAPPING_VERSION, "traits": traits})
