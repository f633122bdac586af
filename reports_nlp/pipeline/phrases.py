"""Phrase variants and phrase patterns for the lowercase PhraseMatchers."""

from collections.abc import Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher


def phrase_variants(phrase: str) -> list[str]:
    """The phrase, its hyphen-as-space form, and a simple plural of the last word."""
    base = " ".join(phrase.lower().split())
    forms = [base]
    if "-" in base:
        forms.append(" ".join(base.replace("-", " ").split()))
    for form in list(forms):
        last = form.rsplit(" ", 1)[-1]
        if last[-1:].isalpha() and not last.endswith("s"):
            forms.append(form + ("es" if last.endswith(("x", "ch", "sh")) else "s"))
    return list(dict.fromkeys(forms))


def lower_matcher(nlp: Language) -> PhraseMatcher:
    return PhraseMatcher(nlp.vocab, attr="LOWER")


def add_phrases(nlp: Language, matcher: PhraseMatcher, key: str, phrases: Iterable[str], variants: bool) -> int:
    """Add phrases under `key`; returns the key's hash, which the matcher reports as match id."""
    texts = [v for p in phrases for v in (phrase_variants(p) if variants else [" ".join(p.lower().split())])]
    matcher.add(key, list(nlp.tokenizer.pipe(dict.fromkeys(texts))))
    return nlp.vocab.strings[key]


# "chronic * infarct": the words around "*" with up to GAP_TOKENS words between them (no punctuation),
# for radiology's interposed laterality and location ("chronic left MCA territory infarct"). Both sides
# go into the PhraseMatcher and are paired in Python: spaCy's Matcher with a {0,4} wildcard cost ~100x
# the PhraseMatcher on a report.
GAP = "*"
GAP_TOKENS = 4


def is_gap_phrase(phrase: str) -> bool:
    return GAP in phrase.split()


def split_gap_phrase(phrase: str) -> tuple[str, str]:
    head, _, tail = phrase.partition(f" {GAP} ")
    return head, tail
