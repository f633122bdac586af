"""The per-doc report state the components share, and the Doc extension attributes that expose it."""

from spacy.tokens import Doc


class ReportState:
    """Token-index tuples, not Span objects: the assertion step reads them in plain Python, and
    building Spans per match would dominate the per-report cost. One extension holds them all,
    because every `doc._` access costs about as much as a trait lookup."""

    __slots__ = ("text", "sents", "headers", "sections", "token_chars", "trait_spans", "assertions")

    def __init__(self):
        self.text = ""  # the report as given (the doc's own text has line breaks flattened)
        self.sents: list[tuple[int, int]] = []  # token spans of sentences
        self.headers: list[tuple[int, int, str]] = []  # known section headers (start, end, section)
        self.sections: list[str] = []  # one per sentence
        self.token_chars: tuple[list[int], list[int]] = ([], [])  # char offset and length per token
        self.trait_spans: list[tuple[str, int, int, int, str]] = []  # (trait, start, end, sentence, kind)
        self.assertions: list[tuple[str, int, int, int, str, str]] = []  # (..., assertion, cue)


# doc._.<name> -> ReportState field, for readers (tests, the live preview).
DOC_ATTRIBUTES = {
    "report_sents": "sents",
    "report_headers": "headers",
    "sent_sections": "sections",
    "token_chars": "token_chars",
    "trait_spans": "trait_spans",
    "assertions": "assertions",
}


def _field_getter(field: str):
    def get(doc: Doc):
        state = doc._.report
        return None if state is None else getattr(state, field)

    return get


def _sentence_spans(doc: Doc) -> list:
    state = doc._.report
    return [] if state is None else [doc[s:e] for s, e in state.sents]


def register_extensions() -> None:
    if not Doc.has_extension("report"):
        Doc.set_extension("report", default=None)
    for name, field in DOC_ATTRIBUTES.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, getter=_field_getter(field))
    if not Doc.has_extension("report_sentences"):
        Doc.set_extension("report_sentences", getter=_sentence_spans)  # Spans, built only when asked for
