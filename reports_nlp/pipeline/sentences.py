"""Report sentence splitting: sentence ends, semicolons, section headers and structured line breaks.

spaCy's tokenizer is several times slower on text with newlines (a chunk holding "\\n" misses its
cache), so `ReportPipeline` tokenizes a copy with line breaks turned into spaces (offsets unchanged)
and keeps the original in ``doc.user_data["report_text"]``; line breaks are read from there.
"""

import re
from bisect import bisect_left, bisect_right

from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc

from reports_nlp.pipeline.extensions import ReportState
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
_PUNCT_RE = re.compile(r"[.!?;:]")


class Layout:
    """Token offsets and line breaks of one doc; token properties are read from the text on demand,
    which is cheaper than building Token objects or many attribute arrays per report."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.n = len(doc)
        text = doc.user_data.get(TEXT_KEY)
        self.text = doc.text if text is None else text  # None: called as plain nlp(text)
        if self.n:
            arr = doc.to_array([IDX, LENGTH])
            self.idx, self.length = arr[:, 0].tolist(), arr[:, 1].tolist()
        else:
            self.idx, self.length = [], []
        self.newlines = [m.start() for m in _LINE_BREAK_RE.finditer(self.text)]

    def is_space(self, i: int) -> bool:
        return self.text[self.idx[i]].isspace()

    def token_text(self, i: int) -> str:
        start = self.idx[i]
        return self.text[start:start + self.length[i]]

    def caps_word(self, i: int) -> bool:
        word = self.token_text(i)
        return word.isalpha() and word.isupper()

    def caps_span(self, s: int, e: int) -> bool:
        """Written in capitals ("IMPRESSION/CONCLUSION" counts; "Impression" does not)."""
        return self.text[self.idx[s]:self.idx[e - 1] + self.length[e - 1]].isupper()

    def punct_token(self, pos: int) -> int | None:
        """The token that is exactly the one punctuation character at `pos` ("." but not "5.5")."""
        i = bisect_right(self.idx, pos) - 1
        return i if i >= 0 and self.idx[i] == pos and self.length[i] == 1 else None

    def prev_word(self, i: int) -> int:
        j = i - 1
        while j >= 0 and self.is_space(j):
            j -= 1
        return j

    def newlines_before(self, i: int) -> int:
        """Line breaks between the previous non-space token (or the text start) and token i."""
        if not self.newlines:
            return 0
        j = self.prev_word(i)
        start = 0 if j < 0 else self.idx[j] + self.length[j]
        end = self.idx[i] if i < self.n else len(self.text)
        return bisect_left(self.newlines, end) - bisect_left(self.newlines, start)

    def token_after(self, pos: int) -> int:
        """Index of the first non-space token starting after character `pos`."""
        i = bisect_left(self.idx, pos + 1)
        while i < self.n and self.is_space(i):
            i += 1
        return i

    def ends_with_space(self, i: int) -> bool:
        """Token i is the last one or white space follows it."""
        return i + 1 >= self.n or self.idx[i] + self.length[i] < self.idx[i + 1] or self.is_space(i + 1)

    def at_line_start(self, i: int) -> bool:
        """Token i opens a line or follows a sentence end (so "Impression:" there is a header)."""
        j = self.prev_word(i)
        if j < 0 or self.newlines_before(i):
            return True
        return self.token_text(j) in _OPENERS

    def line_ends_after(self, e: int) -> bool:
        return e >= self.n or self.newlines_before(e) > 0 or self.is_space(e)


_OPENERS = ENDERS | CLAUSE_BREAKS | {":"}


def find_headers(layout: Layout, matcher, sections: dict[int, str]) -> list[tuple[int, int, str]]:
    """Known section headers as (start, end, section); `end` is past the colon when there is one."""
    found: list[tuple[int, int, str]] = []
    last_end = -1
    for match_id, s, e in sorted(matcher(layout.doc), key=lambda m: (m[1], -m[2])):
        if s < last_end:
            continue
        if e < layout.n and layout.length[e] == 1 and layout.text[layout.idx[e]] == ":":
            if not (layout.caps_span(s, e) or layout.at_line_start(s)):
                continue
            e += 1
        elif not (layout.line_ends_after(e) and layout.caps_span(s, e) and layout.at_line_start(s)):
            continue
        found.append((s, e, sections[match_id]))
        last_end = e
    return found


def _caps_header_start(layout: Layout, colon: int) -> int | None:
    """Start of an unknown upper-case header ending at `colon` ("ADDENDUM:"), if it opens a line."""
    i = colon
    while i > 0 and layout.caps_word(i - 1):
        i -= 1
    if i == colon or not layout.at_line_start(i):
        return None
    return i


def _opens_statement(layout: Layout, j: int) -> bool:
    """After a single line break, a capital, a digit or a list mark starts a new statement; else a wrapped line."""
    if j >= layout.n:
        return False
    first = layout.text[layout.idx[j]]
    return first.isupper() or first.isdigit() or first in LIST_MARKS


def sentence_starts(layout: Layout, headers: list[tuple[int, int, str]]) -> list[int]:
    n = layout.n
    starts = {0}
    for s, e, _ in headers:
        starts.add(s)
        starts.add(e)
    for m in _PUNCT_RE.finditer(layout.text):
        i = layout.punct_token(m.start())
        if i is None:
            continue
        char = m.group()
        if char == ";":
            starts.add(i + 1)
        elif char == ":":
            caps = _caps_header_start(layout, i)
            if caps is not None:
                starts.add(caps)  # break before only: "HEMORRHAGE: NONE" must stay one sentence
        elif layout.ends_with_space(i):
            starts.add(i + 1)  # "?SDH" and "1.5" are not sentence ends: a real end is followed by white space
    for pos in layout.newlines:
        j = layout.token_after(pos)
        if j < n and j not in starts and (layout.newlines_before(j) >= 2 or _opens_statement(layout, j)):
            starts.add(j)
    return sorted(s for s in starts if s < n)


def sentence_spans(layout: Layout, starts: list[int]) -> list[tuple[int, int]]:
    """(start, end) token spans between starts, trimmed of white space; empty ones dropped."""
    spans = []
    bounds = starts + [layout.n]
    for s, e in zip(bounds, bounds[1:], strict=False):
        while s < e and layout.is_space(s):
            s += 1
        while e > s and layout.is_space(e - 1):
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


class ReportSentencizer:
    """Starts doc._.report (a ReportState) with its sentences, headers and token offsets.

    Token.is_sent_start is left alone: setting it costs more than the rest of the splitter
    (spaCy rechecks the parse per token); doc._.report_sentences gives the Spans when wanted.
    """

    def __init__(self, nlp: Language, header_phrases: dict[str, str] | None = None):
        self.nlp = nlp
        self.matcher = lower_matcher(nlp)
        self.sections: dict[int, str] = {}
        for phrase, section in (header_phrases or HEADER_PHRASES).items():
            key = f"header:{phrase}"
            self.sections[add_phrases(nlp, self.matcher, key, [phrase], variants=False)] = section

    def __call__(self, doc: Doc) -> Doc:
        layout = Layout(doc)
        state = ReportState()
        state.text = layout.text
        state.headers = find_headers(layout, self.matcher, self.sections)
        state.sents = sentence_spans(layout, sentence_starts(layout, state.headers))
        state.token_chars = (layout.idx, layout.length)
        doc._.report = state
        return doc


@Language.factory("report_sentencizer")
def make_report_sentencizer(nlp: Language, name: str):
    return ReportSentencizer(nlp)
