"""Report sentence splitting: sentence ends, semicolons, section headers and structured line breaks.

spaCy's tokenizer is several times slower on text with newlines (a chunk holding "\\n" misses its
cache), so `ReportPipeline` tokenizes a copy with line breaks turned into spaces (offsets unchanged)
and keeps the original in ``doc.user_data["report_text"]``; line breaks are read from there.
"""

import re
from bisect import bisect_left

import numpy as np
from spacy.attrs import IDX, IS_ALPHA, IS_SPACE, IS_UPPER, LENGTH, ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc

from reports_nlp.pipeline.phrases import add_phrases, lower_matcher
from reports_nlp.pipeline.sections import HEADER_PHRASES

ENDERS = frozenset({".", "!", "?"})
CLAUSE_BREAKS = frozenset({";"})
LIST_MARKS = frozenset("-*•")
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# One-for-one replacement keeps every character offset.
FLATTEN = str.maketrans({c: " " for c in LINE_BREAKS + "\t"})
TEXT_KEY = "report_text"
_LINE_BREAK_RE = re.compile(f"[{LINE_BREAKS}]")


class Layout:
    """Per-doc token arrays and line breaks, so the splitter touches few Token objects."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.n = len(doc)
        attrs = [ORTH, SPACY, IDX, IS_SPACE, LENGTH, IS_ALPHA, IS_UPPER]
        arr = doc.to_array(attrs) if self.n else np.zeros((0, len(attrs)), dtype="uint64")
        self.orth = arr[:, 0]
        self.trailing_space = arr[:, 1].tolist()
        self.idx = arr[:, 2].tolist()
        self.is_space = arr[:, 3].tolist()
        self.length = arr[:, 4].tolist()
        self.caps_word = (arr[:, 5] & arr[:, 6]).tolist()
        text = doc.user_data.get(TEXT_KEY)
        if text is None:  # called as plain nlp(text): doc.text is the original
            text = doc.text
        self.newlines = [m.start() for m in _LINE_BREAK_RE.finditer(text)]

    def newlines_before(self, i: int) -> int:
        """Line breaks between the previous non-space token (or the text start) and token i."""
        if not self.newlines:
            return 0
        j = i - 1
        while j >= 0 and self.is_space[j]:
            j -= 1
        start = 0 if j < 0 else self.idx[j] + self.length[j]
        end = self.idx[i] if i < self.n else 1 << 62
        return bisect_left(self.newlines, end) - bisect_left(self.newlines, start)

    def token_after(self, pos: int) -> int:
        """Index of the first non-space token starting after character `pos`."""
        i = bisect_left(self.idx, pos + 1)
        while i < self.n and self.is_space[i]:
            i += 1
        return i

    def at_line_start(self, i: int) -> bool:
        """Token i opens a line or follows a sentence end (so "Impression:" there is a header)."""
        j = i - 1
        while j >= 0 and self.is_space[j]:
            j -= 1
        if j < 0 or self.newlines_before(i):
            return True
        prev = self.doc[j].text
        return prev in ENDERS or prev in CLAUSE_BREAKS or prev == ":"

    def line_ends_after(self, e: int) -> bool:
        return e >= self.n or self.newlines_before(e) > 0 or self.is_space[e]


def find_headers(layout: Layout, matcher, sections: dict[int, str], colon: int) -> list[tuple[int, int, str]]:
    """Known section headers as (start, end, section); `end` is past the colon when there is one."""
    found: list[tuple[int, int, str]] = []
    last_end = -1
    caps = layout.caps_word
    for match_id, s, e in sorted(matcher(layout.doc), key=lambda m: (m[1], -m[2])):
        if s < last_end:
            continue
        if e < layout.n and layout.orth[e] == colon:
            if not (all(caps[s:e]) or layout.at_line_start(s)):
                continue
            e += 1
        elif not (layout.line_ends_after(e) and all(caps[s:e]) and layout.at_line_start(s)):
            continue
        found.append((s, e, sections[match_id]))
        last_end = e
    return found


def _caps_header_start(layout: Layout, colon: int) -> int | None:
    """Start of an unknown upper-case header ending at `colon` ("ADDENDUM:"), if it opens a line."""
    i = colon
    while i > 0 and layout.caps_word[i - 1]:
        i -= 1
    if i == colon or not layout.at_line_start(i):
        return None
    return i


def _opens_statement(layout: Layout, j: int) -> bool:
    """After a single line break, a capital, a digit or a list mark starts a new statement; else a wrapped line."""
    if j >= layout.n:
        return False
    first = layout.doc[j].text[:1]
    return first.isupper() or first.isdigit() or first in LIST_MARKS


class Punctuation:
    """Orth hashes of the splitting punctuation; `==` per hash beats np.isin on ~150 tokens."""

    def __init__(self, strings):
        self.enders = [strings.add(p) for p in ENDERS]
        self.breaks = [strings.add(p) for p in CLAUSE_BREAKS]
        self.colon = strings.add(":")

    @staticmethod
    def positions(orth, hashes) -> list[int]:
        hit = orth == hashes[0]
        for h in hashes[1:]:
            hit |= orth == h
        return np.flatnonzero(hit).tolist()


def sentence_starts(layout: Layout, headers: list[tuple[int, int, str]], punct: Punctuation) -> list[int]:
    n = layout.n
    starts = {0}
    for s, e, _ in headers:
        starts.add(s)
        starts.add(e)
    for i in punct.positions(layout.orth, punct.enders):
        # "?SDH" and "1.5" are not sentence ends: a real end is followed by white space.
        if layout.trailing_space[i] or i + 1 == n or layout.is_space[i + 1] or layout.newlines_before(i + 1):
            starts.add(i + 1)
    for i in punct.positions(layout.orth, punct.breaks):
        starts.add(i + 1)
    for i in punct.positions(layout.orth, [punct.colon]):
        caps = _caps_header_start(layout, i)
        if caps is not None:
            starts.add(caps)  # break before only: "HEMORRHAGE: NONE" must stay one sentence
    if layout.newlines:
        for pos in layout.newlines:
            j = layout.token_after(pos)
            if j < n and j not in starts and (layout.newlines_before(j) >= 2 or _opens_statement(layout, j)):
                starts.add(j)
    return sorted(s for s in starts if s < n)


def sentence_spans(layout: Layout, starts: list[int]) -> list[tuple[int, int]]:
    """(start, end) token spans between starts, trimmed of white space; empty ones dropped."""
    is_space = layout.is_space
    spans = []
    bounds = starts + [layout.n]
    for s, e in zip(bounds, bounds[1:], strict=False):
        while s < e and is_space[s]:
            s += 1
        while e > s and is_space[e - 1]:
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


class ReportSentencizer:
    """Sets doc._.report_sents, doc._.report_headers and doc._.token_chars.

    Token.is_sent_start is left alone: setting it costs more than the rest of the splitter
    (spaCy rechecks the parse per token); doc._.report_sentences gives the Spans when wanted.
    """

    def __init__(self, nlp: Language, header_phrases: dict[str, str] | None = None):
        self.nlp = nlp
        self.punct = Punctuation(nlp.vocab.strings)
        self.matcher = lower_matcher(nlp)
        self.sections: dict[int, str] = {}
        for phrase, section in (header_phrases or HEADER_PHRASES).items():
            key = f"header:{phrase}"
            self.sections[add_phrases(nlp, self.matcher, key, [phrase], variants=False)] = section

    def __call__(self, doc: Doc) -> Doc:
        layout = Layout(doc)
        headers = find_headers(layout, self.matcher, self.sections, self.punct.colon)
        doc._.report_headers = headers
        doc._.report_sents = sentence_spans(layout, sentence_starts(layout, headers, self.punct))
        doc._.token_chars = (layout.idx, layout.length)
        return doc


@Language.factory("report_sentencizer")
def make_report_sentencizer(nlp: Language, name: str):
    return ReportSentencizer(nlp)
