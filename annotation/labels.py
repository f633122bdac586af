"""Label payloads of a read: validation against the taxonomy, the trait hierarchy, slice ranges and key images.

A payload maps trait codes to a state ("present" / "absent" / "uncertain") or to an object with
`state`, `slice_ranges` ([[first, last], ...] axial slice indices), `key_images` (slice indices) and
`note`. Errors name the trait and what was wrong.

The hierarchy: a subtype's call says at least as much about its parent (a present subdural hemorrhage is an
intracranial hemorrhage). A parent left out is implied from its subtypes; a parent given with less than a subtype
(`subdural_hemorrhage: present` beside `intracranial_hemorrhage: absent`) is a contradiction, refused on submit and
amend (`strict`) and kept as given in a draft, which may be mid-edit.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from annotation.stats.consensus_rules import ABSENT, PRESENT, STATES, UNCERTAIN
from curation.models import Taxonomy

_RANK = {ABSENT: 0, UNCERTAIN: 1, PRESENT: 2}
NOTE_MAX_CHARS = 4000  # a trait's note and a read's note: free text for a finding, not a report


@dataclass(frozen=True)
class TaxonomyIndex:
    by_code: dict  # code -> Trait
    code_of: dict  # trait id -> code
    parent: dict  # code -> parent code or None
    significance: dict  # code -> high / moderate / low
    codes: tuple  # display order


_CACHE: dict[tuple, TaxonomyIndex] = {}


def taxonomy_index(taxonomy: Taxonomy) -> TaxonomyIndex:
    """Traits of a taxonomy by code; cached for published versions, which never change."""
    key = (taxonomy.pk, taxonomy.published_at)  # a re-created row with a reused id must not hit a stale entry
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    traits = list(taxonomy.traits.select_related("parent").order_by("display_order", "code"))
    index = TaxonomyIndex(
        by_code={t.code: t for t in traits},
        code_of={t.pk: t.code for t in traits},
        parent={t.code: (t.parent.code if t.parent_id else None) for t in traits},
        significance={t.code: t.significance for t in traits},
        codes=tuple(t.code for t in traits),
    )
    if taxonomy.is_published:
        _CACHE[key] = index
    return index


def hierarchy_closure(index: TaxonomyIndex, positives) -> set[str]:
    """The positive codes with every ancestor added (a positive child makes its parent positive)."""
    out = set()
    for code in positives:
        while code is not None and code not in out:
            out.add(code)
            code = index.parent.get(code)
    return out


@dataclass
class LabelValue:
    state: str
    slice_ranges: list = field(default_factory=list)
    key_images: list = field(default_factory=list)
    note: str = ""
    implied: bool = False


def _is_index(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)  # JSON true would otherwise pass as slice 1


def _slices(code: str, value, *, what: str, n_slices: int | None) -> list:
    """Slice ranges as given ([[first, last], ...]); key images as sorted distinct slice indices."""
    if not isinstance(value, list):
        raise ValidationError({"labels": f"Trait '{code}': {what} must be a list."})
    for item in value:
        pair = item if what == "slice_ranges" else [item, item]
        if not (isinstance(pair, list | tuple) and len(pair) == 2 and all(_is_index(x) for x in pair)):
            raise ValidationError({"labels": f"Trait '{code}': {what} entry {item!r} is not valid."})
        first, last = pair
        if first < 0 or last < first or (n_slices is not None and last >= n_slices):
            limit = f" (the study has {n_slices} slices)" if n_slices is not None else ""
            raise ValidationError({"labels": f"Trait '{code}': {what} entry {item!r} is out of range{limit}."})
    return [list(x) for x in value] if what == "slice_ranges" else sorted(set(value))


def _one(code: str, raw, *, slice_scope: bool, n_slices: int | None) -> LabelValue:
    if isinstance(raw, str):
        raw = {"state": raw}
    if not isinstance(raw, dict) or raw.get("state") not in STATES:
        raise ValidationError({"labels": f"Trait '{code}': state must be one of {', '.join(STATES)}."})
    value = LabelValue(state=raw["state"], note=str(raw.get("note") or ""))
    if len(value.note) > NOTE_MAX_CHARS:
        raise ValidationError({"labels": f"Trait '{code}': note has {len(value.note)} characters; at most "
                                         f"{NOTE_MAX_CHARS} are kept."})
    for what in ("slice_ranges", "key_images"):
        given = raw.get(what) or []
        if not given:
            continue
        if not slice_scope:
            raise ValidationError({"labels": f"Trait '{code}': this campaign does not collect {what}."})
        if value.state != PRESENT:
            raise ValidationError({"labels": f"Trait '{code}': {what} are only for positive traits."})
        setattr(value, what, _slices(code, given, what=what, n_slices=n_slices))
    return value


def labels_normalize(
    index: TaxonomyIndex, payload: dict, *, slice_scope: bool, n_slices: int | None = None, complete: bool,
    strict: bool = True,
) -> dict[str, LabelValue]:
    """Validate a payload and enforce the hierarchy. `complete`: traits not given are absent (a submitted read).
    `strict`: a parent given with less than one of its subtypes is refused (a draft keeps it as given)."""
    if not isinstance(payload, dict):
        raise ValidationError({"labels": "Labels must map trait codes to states."})
    unknown = sorted(set(payload) - set(index.by_code))
    if unknown:
        raise ValidationError({"labels": f"Unknown trait codes for this taxonomy: {', '.join(unknown)}."})
    values = {code: _one(code, raw, slice_scope=slice_scope, n_slices=n_slices) for code, raw in payload.items()}
    if strict:
        _refuse_contradictions(index, values)
    given = set(values)
    for code in list(values):
        _lift_ancestors(index, values, code, keep=set() if strict else given)
    if complete:
        for code in index.codes:
            values.setdefault(code, LabelValue(state=ABSENT))
    return {code: values[code] for code in index.codes if code in values}


def _refuse_contradictions(index: TaxonomyIndex, values: dict) -> None:
    """A 400 naming both traits where a parent is given with less than one of its subtypes (at any depth)."""
    for code, value in values.items():
        parent = index.parent.get(code)
        while parent is not None:
            given = values.get(parent)
            if given is not None and _RANK[given.state] < _RANK[value.state]:
                needs = PRESENT if value.state == PRESENT else f"{PRESENT} or {UNCERTAIN}"
                raise ValidationError({"labels": (
                    f"Traits '{code}' and '{parent}' contradict each other: '{code}' is {value.state} but its parent "
                    f"'{parent}' is {given.state}. With '{code}' {value.state}, '{parent}' must be {needs}, or left "
                    "out (it is then implied)."
                )})
            parent = index.parent.get(parent)


def _lift_ancestors(index: TaxonomyIndex, values: dict, code: str, *, keep: set) -> None:
    # A positive (or uncertain) child raises each ancestor left out (or below it) to at least its own state; a
    # draft's ancestors given by the reader (`keep`) stay as given.
    state = values[code].state
    parent = index.parent.get(code)
    while parent is not None and state != ABSENT:
        current = values.get(parent)
        if parent not in keep and (current is None or _RANK[current.state] < _RANK[state]):
            values[parent] = LabelValue(state=state, implied=True)
        parent = index.parent.get(parent)
