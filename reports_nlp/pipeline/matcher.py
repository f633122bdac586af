"""Trait phrase matching: the mapping set's phrases on lowercase tokens, exclusions, sections and parents."""

from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc

from reports_nlp.pipeline.mapping import MappingSet
from reports_nlp.pipeline.phrases import add_phrases, lower_matcher


def drop_overlapping(spans: list[tuple[str, int, int, int]]) -> list[tuple[str, int, int, int]]:
    """Per trait, one match per stretch of text, the longest first: "intracranial hemorrhage" hides its
    "hemorrhage", and "acute subdural hematoma" gives one SDH, not "acute subdural" and "subdural hematoma"."""
    kept: dict[str, list[tuple[int, int]]] = {}
    out = []
    for span in sorted(spans, key=lambda t: (t[1] - t[2], t[1])):
        trait, s, e, _ = span
        taken = kept.setdefault(trait, [])
        if any(s < ke and ks < e for ks, ke in taken):
            continue
        taken.append((s, e))
        out.append(span)
    return sorted(out, key=lambda t: (t[1], t[2], t[0]))


class TraitMatcher:
    """Sets doc._.trait_spans = [(trait, start, end, sentence index)]."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.matcher = lower_matcher(nlp)
        self.keys: dict[int, tuple[bool, str]] = {}  # match id -> (is exclusion, trait)
        self.sections: dict[str, frozenset[str]] = {}
        self.parents: dict[str, str] = {}

    def set_mapping(self, mapping_set: MappingSet) -> None:
        self.matcher = lower_matcher(self.nlp)
        self.keys.clear()
        for m in mapping_set.mappings:
            self.keys[add_phrases(self.nlp, self.matcher, f"trait:{m.trait}", m.phrases, variants=True)] = (False, m.trait)
            if m.exclusions:
                key = add_phrases(self.nlp, self.matcher, f"exclude:{m.trait}", m.exclusions, variants=True)
                self.keys[key] = (True, m.trait)
        self.sections = {m.trait: frozenset(m.sections) for m in mapping_set.mappings if m.sections}
        self.parents = {m.trait: m.parent for m in mapping_set.mappings if m.parent}

    def __call__(self, doc: Doc) -> Doc:
        state = doc._.report
        sents = state.sents
        starts = [s for s, _ in sents]
        sections = state.sections
        targets, exclusions = [], []
        for match_id, s, e in self.matcher(doc):
            excluded, trait = self.keys[match_id]
            (exclusions if excluded else targets).append((trait, s, e))
        spans = []
        for trait, s, e in targets:
            if any(xt == trait and xs < e and s < xe for xt, xs, xe in exclusions):
                continue
            si = bisect_right(starts, s) - 1
            if si < 0 or e > sents[si][1]:
                continue  # a phrase across a sentence break is no finding
            allowed = self.sections.get(trait)
            if allowed is not None and sections[si] not in allowed:
                continue
            spans.append((trait, s, e, si))
            parent = self.parents.get(trait)
            while parent:
                spans.append((parent, s, e, si))
                parent = self.parents.get(parent)
        state.trait_spans = drop_overlapping(spans)
        return doc


@Language.factory("trait_matcher")
def make_trait_matcher(nlp: Language, name: str):
    return TraitMatcher(nlp)
