"""The Doc extension attributes the report components write, registered once."""

from spacy.tokens import Doc

# Token-index tuples, not Span objects: the assertion step reads them in plain Python, and
# building Spans per match would dominate the per-report cost.
DOC_ATTRIBUTES = (
    "report_sents",  # [(start, end)] token spans of sentences
    "report_headers",  # [(start, end, section)] known section headers
    "token_chars",  # ([char offset], [char length]) per token
    "sent_sections",  # [section] one per sentence
    "trait_spans",  # [(trait, start, end, sentence index)]
    "assertions",  # [(trait, start, end, sentence index, assertion, cue)]
)


def _sentence_spans(doc: Doc) -> list:
    return [doc[s:e] for s, e in doc._.report_sents or ()]


def register_extensions() -> None:
    for name in DOC_ATTRIBUTES:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Doc.has_extension("report_sentences"):
        Doc.set_extension("report_sentences", getter=_sentence_spans)  # Spans, built only when asked for
