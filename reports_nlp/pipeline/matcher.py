"""Trait phrase matching: the mapping set's phrases on lowercase tokens, exclusions, sections and parents."""

from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc

from reports_nlp.pipeline.mapping import MappingSet
from reports_nlp.pipeline.phrases import add_phrases, lower_matcher


def drop_contained(spans: list[tuple[str, int, int, int]]) -> list[tuple[str, int, int, int]]:
    """Per trait, keep the longest matches: "intracranial hemorrhage" hides its "hemorrhage"."""
    kept: list[tuple[str, int, int, int]] = []
    reach: dict[str, int] = {}  # per trait, the furthest end among kept spans starting earlier
    for span in sorted(spans, key=lambda t: (t[0], t[1], t[1] - t[2])):
        trait, _, e, _ = span
        if reach.get(trait, -1) >= e:
            continue
        kept.append(span)
        reach[trait] = e
    return sorted(kept, key=lambda t: (t[1], t[2], t[0]))


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
        sents = doc._.report_sents
        starts = [s for s, _ in sents]
        sections = doc._.sent_sections
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
        doc._.trait_spans = drop_contained(spans)
        return doc


@Language.factory("trait_matcher")
def make_trait_matcher(nlp: Language, name: str):
    return TraitMatcher(nlp)
