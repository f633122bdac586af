"""Trait phrase matching: the mapping set's phrases on lowercase tokens, exclusions, sections and implied traits."""

from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc

from reports_nlp.pipeline.mapping import MappingSpec
from reports_nlp.pipeline.phrases import GAP_TOKENS, add_phrases, is_gap_phrase, lower_matcher, split_gap_phrase

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


def implied_traits(mapping_spec: MappingSpec) -> dict[str, tuple[str, ...]]:
    """Per trait, every trait a match of it also asserts: its parent and `implies`, transitively."""
    direct = {m.trait: ((m.parent,) if m.parent else ()) + m.implies for m in mapping_spec.mappings}
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
        # Gap phrases: head segment match id -> [(tail segment match id, kind, trait)].
        self.gap_heads: dict[int, list[tuple[int, str, str]]] = {}
        self.segments: set[int] = set()
        self.keys: dict[int, tuple[str, str]] = {}  # match id -> (kind of phrase, trait)
        self.sections: dict[str, frozenset[str]] = {}
        self.implied: dict[str, tuple[str, ...]] = {}

    def set_mapping(self, mapping_spec: MappingSpec) -> None:
        self.matcher = lower_matcher(self.nlp)
        self.keys.clear()
        self.gap_heads.clear()
        self.segments.clear()
        for m in mapping_spec.mappings:
            for kind, phrases in ((DIRECT, m.phrases), (EXCLUDED, m.exclusions), (NORMAL, m.normal_phrases)):
                key = f"{kind}:{m.trait}"
                plain = [p for p in phrases if not is_gap_phrase(p)]
                gapped = [p for p in phrases if is_gap_phrase(p)]
                if plain:
                    self.keys[add_phrases(self.nlp, self.matcher, key, plain, variants=True)] = (kind, m.trait)
                for phrase in gapped:
                    head, tail = (self._segment(part) for part in split_gap_phrase(phrase))
                    self.gap_heads.setdefault(head, []).append((tail, kind, m.trait))
        self.sections = {m.trait: frozenset(m.sections) for m in mapping_spec.mappings if m.sections}
        self.implied = implied_traits(mapping_spec)

    def __call__(self, doc: Doc) -> Doc:
        state = doc._.report
        sents = state.sents
        starts = [s for s, _ in sents]
        sections = state.sections
        targets, exclusions = [], []
        segments: dict[int, list[tuple[int, int]]] = {}
        for match_id, s, e in self.matcher(doc):
            if match_id in self.segments:
                segments.setdefault(match_id, []).append((s, e))
                continue
            kind, trait = self.keys[match_id]
            if kind == EXCLUDED:
                exclusions.append((trait, s, e))
            else:
                targets.append((trait, s, e, kind))
        if segments:
            self._pair_gap_segments(segments, state, targets, exclusions)
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

    def _segment(self, text: str) -> int:
        key = f"segment:{text}"
        match_id = self.nlp.vocab.strings.add(key)
        if match_id not in self.segments:
            add_phrases(self.nlp, self.matcher, key, [text], variants=True)
            self.segments.add(match_id)
        return match_id

    def _pair_gap_segments(self, segments, state, targets, exclusions) -> None:
        """Head and tail of a gap phrase with at most GAP_TOKENS words, none punctuation, between them."""
        idx, length = state.token_chars
        text = state.text

        def is_word(i: int) -> bool:
            return any(c.isalnum() for c in text[idx[i]:idx[i] + length[i]])

        for head, spans in segments.items():
            for tail, kind, trait in self.gap_heads.get(head, ()):
                tails = segments.get(tail)
                if not tails:
                    continue
                for hs, he in spans:
                    ends = [te for ts, te in tails if he <= ts <= he + GAP_TOKENS and all(map(is_word, range(he, ts)))]
                    if ends:
                        if kind == EXCLUDED:
                            exclusions.append((trait, hs, max(ends)))
                        else:
                            targets.append((trait, hs, max(ends), kind))


@Language.factory("trait_matcher")
def make_trait_matcher(nlp: Language, name: str):
    return TraitMatcher(nlp)
