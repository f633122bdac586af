"""The Doc extension attributes the report components write, registered once."""

from spacy.tokens import Doc

# Token-index tuples, not Span objects: the assertion step reads them in plain Python, and
# building Spans per match would dominate the per-report cost.
DOC_ATTRIBUTES = (
    "report_sents",  # [(start, end)] token spans of sentences
    "report_headers",  # [(start, end, section)] known section headers
    "sent_sections",  # [section] one per sentence
    "trait_spans",  # [(trait, start, end, sentence index)]
    "assertions",  # [(trait, start, end, sentence index, assertion, cue)]
)


def register_extensions() -> None:
    for name in DOC_ATTRIBUTES:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
