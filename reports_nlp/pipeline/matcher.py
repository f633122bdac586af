"""Trait phrase matching: the mapping set's phrases on lowercase tokens, exclusions, sections and parents."""

from bisect import bisect_right

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from reports_nlp.pipeline.mapping import MappingSet
from reports_nlp.pipeline.phrases import add_gap_phrases, add_phrases, is_gap_phrase, lower_matcher

# What a trait phrase match is: the mapping's phrase, an exclusion, a normal statement
# ("the ventricles are normal in size": the trait is absent), or a trait implied by another's match.
DIRECT, EXCLUDED, NORMAL, IMPLIED = "trait", "exclude", "normal", "implied"
_KIND_ORDER = {DIRECT: 0, NORMAL: 1, IMPLIED: 2}


def drop_overlapping(spans: list[tuple]) -> list[tuple]:
    """Per trait, one match per stretch of text, the longest first: "intracranial hemorrhage" hides its
    "hemorrhage", and "acute subdural hematoma" gives one SDH, not "acute subdural" and "subdural hematoma"."""
    kept: dict[str, list[tuple[int, int]]] = {}
    out = []
    for span in sorted(spans, key=lambda t: (t[1] - t[2], t[1], _KIND_ORDER[t[4]])):  # longest, then direct first
        trait, s, e = span[:3]
        taken = kept.setdefault(trait, [])
        if any(s < ke and ks < e for ks, ke in taken):
            continue
        taken.append((s, e))
        out.append(span)
    return sorted(out, key=lambda t: (t[1], t[2], t[0]))


def implied_traits(mapping_set: MappingSet) -> dict[str, tuple[str, ...]]:
    """Per trait, every trait a match of it also asserts: its parent and `implies`, transitively."""
    direct = {m.trait: ((m.parent,) if m.parent else ()) + m.implies for m in mapping_set.mappings}
    out = {}
    for trait in direct:
        seen: list[str] = []
        todo = list(direct[trait])
        while todo:
            code = todo.pop(0)
            if code not in seen and code != trait:
                seen.append(code)
                todo.extend(direct.get(code, ()))
        if seen:
            out[trait] = tuple(seen)
    return out


class TraitMatcher:
    """Sets doc._.trait_spans = [(trait, start, end, sentence index, kind)]; kind is DIRECT, NORMAL or IMPLIED."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.matcher = lower_matcher(nlp)
        self.gap_matcher: Matcher | None = None
        self.keys: dict[int, tuple[str, str]] = {}  # match id -> (kind of phrase, trait)
        self.sections: dict[str, frozenset[str]] = {}
        self.implied: dict[str, tuple[str, ...]] = {}

    def set_mapping(self, mapping_set: MappingSet) -> None:
        self.matcher = lower_matcher(self.nlp)
        self.gap_matcher = Matcher(self.nlp.vocab)
        self.keys.clear()
        for m in mapping_set.mappings:
            for kind, phrases in ((DIRECT, m.phrases), (EXCLUDED, m.exclusions), (NORMAL, m.normal_phrases)):
                key = f"{kind}:{m.trait}"
                plain = [p for p in phrases if not is_gap_phrase(p)]
                gapped = [p for p in phrases if is_gap_phrase(p)]
                if plain:
                    self.keys[add_phrases(self.nlp, self.matcher, key, plain, variants=True)] = (kind, m.trait)
                if gapped:
                    self.keys[add_gap_phrases(self.nlp, self.gap_matcher, key, gapped)] = (kind, m.trait)
        if not len(self.gap_matcher):
            self.gap_matcher = None
        self.sections = {m.trait: frozenset(m.sections) for m in mapping_set.mappings if m.sections}
        self.implied = implied_traits(mapping_set)

    def __call__(self, doc: Doc) -> Doc:
        state = doc._.report
        sents = state.sents
        starts = [s for s, _ in sents]
        sections = state.sections
        targets, exclusions = [], []
        matches = self.matcher(doc)
        if self.gap_matcher is not None:
            matches += self.gap_matcher(doc)
        for match_id, s, e in matches:
            kind, trait = self.keys[match_id]
            if kind == EXCLUDED:
                exclusions.append((trait, s, e))
            else:
                targets.append((trait, s, e, kind))
        spans = []
        for trait, s, e, kind in targets:
            if any(xt == trait and xs < e and s < xe for xt, xs, xe in exclusions):
                continue
            si = bisect_right(starts, s) - 1
            if si < 0 or e > sents[si][1]:
                continue  # a phrase across a sentence break is no finding
            allowed = self.sections.get(trait)
            if allowed is not None and sections[si] not in allowed:
                continue
            spans.append((trait, s, e, si, kind))
            if kind == DIRECT:
                for implied in self.implied.get(trait, ()):
                    spans.append((implied, s, e, si, IMPLIED))
        state.trait_spans = drop_overlapping(spans)
        return doc


@Language.factory("trait_matcher")
def make_trait_matcher(nlp: Language, name: str):
    return TraitMatcher(nlp)
