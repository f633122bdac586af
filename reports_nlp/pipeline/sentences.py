"""Report sentence splitting: sentence ends, semicolons, section headers and structured line breaks."""

from spacy.language import Language
from spacy.tokens import Doc

from reports_nlp.pipeline.phrases import add_phrases, lower_matcher
from reports_nlp.pipeline.sections import HEADER_PHRASES

ENDERS = frozenset({".", "!", "?"})
CLAUSE_BREAKS = frozenset({";"})
LIST_MARKS = frozenset("-*•")


def _is_newline(tok) -> bool:
    return tok.is_space and "\n" in tok.text


def _at_line_start(doc: Doc, i: int) -> bool:
    """Token i opens a line or follows a sentence end (so "Impression:" there is a header)."""
    if i == 0:
        return True
    prev = doc[i - 1]
    return _is_newline(prev) or prev.text in ENDERS or prev.text in CLAUSE_BREAKS or prev.text == ":"


def _opens_new_line(doc: Doc, j: int) -> bool:
    """After a single newline, a capital, a digit or a list mark starts a new statement; else a wrapped line."""
    if j >= len(doc):
        return False
    first = doc[j].text[:1]
    return first.isupper() or first.isdigit() or first in LIST_MARKS


def find_headers(doc: Doc, matcher, sections: dict[int, str]) -> list[tuple[int, int, str]]:
    """Known section headers as (start, end, section); `end` is past the colon when there is one."""
    found: list[tuple[int, int, str]] = []
    n = len(doc)
    last_end = -1
    for match_id, s, e in sorted(matcher(doc), key=lambda m: (m[1], -m[2])):
        if s < last_end:
            continue
        span_text = doc[s:e].text
        if e < n and doc[e].text == ":":
            if not (_at_line_start(doc, s) or span_text.isupper()):
                continue
            e += 1
        elif not (span_text.isupper() and _at_line_start(doc, s) and (e == n or _is_newline(doc[e]))):
            continue
        found.append((s, e, sections[match_id]))
        last_end = e
    return found


def _caps_header_start(doc: Doc, colon: int) -> int | None:
    """Start of an unknown upper-case header ending at `colon` ("ADDENDUM:"), if it opens a line."""
    i = colon
    while i > 0 and doc[i - 1].is_alpha and doc[i - 1].is_upper:
        i -= 1
    if i == colon or not _at_line_start(doc, i):
        return None
    return i


def sentence_starts(doc: Doc, headers: list[tuple[int, int, str]]) -> list[int]:
    n = len(doc)
    starts = bytearray(n + 1)
    starts[0] = 1
    for s, e, _ in headers:
        starts[s] = 1
        starts[e] = 1
    for i, tok in enumerate(doc):
        text = tok.text
        if text in ENDERS:
            # "?SDH" and "1.5" are not sentence ends: a real end is followed by white space.
            if tok.whitespace_ or i + 1 == n or doc[i + 1].is_space:
                starts[i + 1] = 1
        elif text in CLAUSE_BREAKS:
            starts[i + 1] = 1
        elif text == ":":
            caps = _caps_header_start(doc, i)
            if caps is not None:
                starts[caps] = 1  # break before only: "HEMORRHAGE: NONE" must stay one sentence
        elif tok.is_space and "\n" in text:
            if text.count("\n") >= 2 or _opens_new_line(doc, i + 1):
                starts[i + 1] = 1
    return [i for i in range(n) if starts[i]]


def sentence_spans(doc: Doc, starts: list[int]) -> list[tuple[int, int]]:
    """(start, end) token spans between starts, trimmed of white space; empty ones dropped."""
    spans = []
    bounds = starts + [len(doc)]
    for s, e in zip(bounds, bounds[1:], strict=False):
        while s < e and doc[s].is_space:
            s += 1
        while e > s and doc[e - 1].is_space:
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


class ReportSentencizer:
    """Sets doc._.report_sents, doc._.report_headers and token.is_sent_start."""

    def __init__(self, nlp: Language, header_phrases: dict[str, str] | None = None):
        self.nlp = nlp
        self.matcher = lower_matcher(nlp)
        self.sections: dict[int, str] = {}
        for phrase, section in (header_phrases or HEADER_PHRASES).items():
            key = f"header:{phrase}"
            self.sections[add_phrases(nlp, self.matcher, key, [phrase], variants=False)] = section

    def __call__(self, doc: Doc) -> Doc:
        headers = find_headers(doc, self.matcher, self.sections)
        sents = sentence_spans(doc, sentence_starts(doc, headers))
        for s, _ in sents:
            doc[s].is_sent_start = True
        doc._.report_headers = headers
        doc._.report_sents = sents
        return doc


@Language.factory("report_sentencizer")
def make_report_sentencizer(nlp: Language, name: str):
    return ReportSentencizer(nlp)
