"""ConText-style assertion: present, absent, uncertain or historical for each trait match, from data rules.

Own component, not medspaCy's ConText: medspaCy pins spaCy<3.8 and measured ~4x slower than plain matching.
"""

from spacy.language import Language
from spacy.tokens import Doc

from reports_nlp.pipeline.matcher import IMPLIED, NORMAL
from reports_nlp.pipeline.phrases import add_phrases, lower_matcher
from reports_nlp.pipeline.rules import CATEGORY_PRIORITY, ContextRule

# A mention in the indication section is the reason for the study: never a present finding.
INDICATION_SECTION = "indication"
INDICATION_CUE = "[indication section]"
NORMAL_CUE = "[normal statement]"

# Pseudo-triggers ("no change in", "previously seen") assert nothing themselves: they hide the shorter
# trigger inside them and, like terminators, end the scope of triggers around them.
_BOUNDARIES = frozenset({"terminate", "pseudo"})
ALTERNATIVE = "alternative"


def _stops(boundary: ContextRule, rule: ContextRule) -> bool:
    return not boundary.applies_to or rule.category in boundary.applies_to


def _resolve_overlaps(mods: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Among overlapping trigger matches keep the longest ("no change in" over "no")."""
    kept: list[tuple[int, int, int]] = []
    for m in sorted(mods, key=lambda m: (m[1] - m[2], m[1])):
        if all(m[2] <= k[1] or k[2] <= m[1] for k in kept):
            kept.append(m)
    return kept


def _finding_between(s: int, e: int, ms: int, me: int, spans) -> bool:
    """Another finding between this one and the trigger: in "A without B or C" the "or" joins B and C, not A."""
    low, high = (e, ms) if e <= ms else (me, s)
    return any(low <= a and b <= high for a, b in spans)


class ContextAssertion:
    """Sets doc._.assertions = [(trait, start, end, sentence index, assertion, cue)].

    A trait implied by another's match (the parent of a subtype) takes the same assertion, except
    that a negated subtype does not negate its parent, while a negated parent negates its subtypes. A
    normal statement asserts its trait absent.
    """

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.matcher = lower_matcher(nlp)
        self.rules: dict[int, ContextRule] = {}
        self.chronic: frozenset[str] = frozenset()
        self.negates: dict[str, tuple[str, ...]] = {}

    def set_rules(self, rules: tuple[ContextRule, ...], chronic_traits=(), negates=None) -> None:
        """The trigger rules; the traits whose historical mentions count as present (permanent lesions);
        and per trait, the traits its absence rules out (no hemorrhage: no subdural hemorrhage)."""
        self.chronic = frozenset(chronic_traits)
        self.negates = dict(negates or {})
        self.matcher = lower_matcher(self.nlp)
        self.rules = {}
        for rule in rules:
            self.rules[add_phrases(self.nlp, self.matcher, f"context:{rule.phrase}", [rule.phrase], False)] = rule

    def __call__(self, doc: Doc) -> Doc:
        state = doc._.report
        targets = state.trait_spans
        if not targets:
            state.assertions = []
            return doc
        sents = state.sents
        sections = state.sections
        by_sent: dict[int, list] = {}
        for t in targets:
            by_sent.setdefault(t[3], []).append(t)
        triggers = self._triggers_by_sentence(doc, sents, by_sent)
        out = []
        for si, sent_targets in by_sent.items():
            mods = [m for m in triggers.get(si, ()) if not any(m[1] < t[2] and t[1] < m[2] for t in sent_targets)]
            mods = _resolve_overlaps(mods)
            indication = sections[si] == INDICATION_SECTION
            named = {t[0] for t in sent_targets}
            spans = {(t[1], t[2]) for t in sent_targets if t[4] != NORMAL}
            for trait, s, e, _, kind in sent_targets:
                if kind == NORMAL:
                    out.append((trait, s, e, si, "absent", NORMAL_CUE))
                    continue
                assertion, cue = self._assert(s, e, sents[si], mods, spans)
                if kind == IMPLIED and assertion == "absent":
                    continue  # "no SDH" says nothing about other hemorrhage
                if assertion == "absent":
                    # ...unless the sentence names the subtype itself: "no hemorrhage, possible small SDH"
                    out.extend((c, s, e, si, assertion, cue) for c in self.negates.get(trait, ()) if c not in named)
                if assertion == "historical" and trait in self.chronic:
                    assertion = "present"
                if indication and assertion == "present":
                    assertion, cue = "uncertain", INDICATION_CUE
                out.append((trait, s, e, si, assertion, cue))
        state.assertions = sorted(set(out), key=lambda f: (f[1], f[2], f[0]))
        return doc

    def _triggers_by_sentence(self, doc, sents, wanted) -> dict[int, list[tuple[int, int, int]]]:
        """Trigger matches (match id, start, end) in the sentences that have targets."""
        out: dict[int, list] = {}
        si = 0
        for match_id, s, e in sorted(self.matcher(doc), key=lambda m: m[1]):
            while si < len(sents) and sents[si][1] <= s:
                si += 1
            if si == len(sents):
                break
            if si in wanted and sents[si][0] <= s and e <= sents[si][1]:
                out.setdefault(si, []).append((match_id, s, e))
        return out

    def _assert(self, s: int, e: int, sent: tuple[int, int], mods, spans=frozenset()) -> tuple[str, str]:
        """The nearest trigger whose scope covers [s, e) decides; none (or only pseudo-triggers): present.

        An alternative ("or") decides only when no other trigger covers the finding, and only between two findings.
        """
        best = alternative = None  # (distance, priority, rule)
        for match_id, ms, me in mods:
            rule = self.rules[match_id]
            if rule.category in _BOUNDARIES:
                continue
            cand = self._covers(rule, s, e, ms, me, sent, mods)
            if cand is None:
                continue
            if rule.category == ALTERNATIVE:
                if not self._between_findings(rule, ms, me, sent, mods, spans) or _finding_between(s, e, ms, me, spans):
                    continue
                if alternative is None or cand < alternative[:2]:
                    alternative = (*cand, rule)
            elif best is None or cand < best[:2]:
                best = (*cand, rule)
        best = best or alternative
        if best is None:
            return "present", ""
        return best[2].assertion, best[2].phrase

    def _covers(self, rule: ContextRule, s: int, e: int, ms: int, me: int, sent, mods) -> tuple[int, int] | None:
        """(distance, priority) when the trigger at [ms, me) covers the finding at [s, e), else None."""
        direction = rule.direction
        if direction != "backward" and me <= s and s < self._forward_end(rule, me, sent[1], mods):
            return s - me, CATEGORY_PRIORITY[rule.category]
        if direction != "forward" and e <= ms and self._backward_start(rule, ms, sent[0], mods) <= s:
            return ms - e, CATEGORY_PRIORITY[rule.category]
        return None

    def _between_findings(self, rule: ContextRule, ms: int, me: int, sent, mods, spans) -> bool:
        """A finding within the trigger's scope on each side of it: "A or B", not "frontal or parietal A"."""
        start, end = self._backward_start(rule, ms, sent[0], mods), self._forward_end(rule, me, sent[1], mods)
        return (any(start <= a and b <= ms for a, b in spans)
                and any(me <= a < end for a, _ in spans))

    def _forward_end(self, rule: ContextRule, me: int, sent_end: int, mods) -> int:
        end = sent_end if rule.max_scope is None else min(sent_end, me + rule.max_scope)
        for match_id, ts, _ in mods:
            term = self.rules[match_id]
            if term.category in _BOUNDARIES and me <= ts < end and _stops(term, rule):
                end = ts
        return end

    def _backward_start(self, rule: ContextRule, ms: int, sent_start: int, mods) -> int:
        start = sent_start if rule.max_scope is None else max(sent_start, ms - rule.max_scope)
        for match_id, _, te in mods:
            term = self.rules[match_id]
            if term.category in _BOUNDARIES and start < te <= ms and _stops(term, rule):
                start = te
        return start


@Language.factory("context_assertion")
def make_context_assertion(nlp: Language, name: str):
    return ContextAssertion(nlp)
