"""Report sections: the canonical section names, the header phrases that open them, and the section tagger."""

from spacy.language import Language

# "body" is the text before any recognised header (a report without headers is all body).
SECTIONS = (
    "body", "indication", "technique", "comparison", "findings", "impression", "recommendation", "addendum",
)

# Sections whose statements describe this study's images; the report verdict reads only these.
REPORTING_SECTIONS = frozenset({"body", "findings", "impression", "addendum"})

# Header phrase (matched case-insensitively, followed by ":" or alone on an upper-case line) -> section.
HEADER_PHRASES: dict[str, str] = {
    **dict.fromkeys((
        "clinical history", "history", "indication", "indications", "clinical indication", "clinical indications",
        "reason for exam", "reason for examination", "reason for study", "reason for referral", "reason for scan",
        "reason", "clinical information", "clinical info", "clinical details", "clinical data", "clinical notes",
        "clinical", "history and indication", "clinical history/indication", "indication/history",
        "history/indication", "hx", "presenting complaint", "clinical question", "clinical concern",
        "clinical indication/history", "relevant history", "patient history",
    ), "indication"),
    **dict.fromkeys((
        "technique", "techniques", "procedure", "protocol", "exam", "examination", "study", "method", "methods",
        "contrast", "dose", "radiation dose", "ct technique", "exam type", "procedure details",
    ), "technique"),
    **dict.fromkeys((
        "comparison", "comparisons", "comparison study", "comparison studies", "comparison exam",
        "prior studies", "prior exam", "prior examinations", "priors", "compared",
    ), "comparison"),
    **dict.fromkeys((
        "findings", "finding", "description", "report", "narrative", "body", "results", "result", "details",
        "findings/impression", "ct head findings", "observations",
    ), "findings"),
    **dict.fromkeys((
        "impression", "impressions", "conclusion", "conclusions", "impression/conclusion",
        "conclusion/impression", "summary", "assessment", "opinion", "diagnosis", "interpretation",
        "final impression", "impression and recommendation", "impression and recommendations",
    ), "impression"),
    **dict.fromkeys(("recommendation", "recommendations", "plan", "follow-up", "follow up"), "recommendation"),
    **dict.fromkeys(("addendum", "addenda", "amended report", "correction"), "addendum"),
}


def sentence_sections(sents: list[tuple[int, int]], headers: list[tuple[int, int, str]]) -> list[str]:
    """The section of each sentence: that of the last header starting at or before it."""
    out = []
    current = "body"
    h = 0
    for s, _ in sents:
        while h < len(headers) and headers[h][0] <= s:
            current = headers[h][2]
            h += 1
        out.append(current)
    return out


@Language.component("report_sections")
def report_sections(doc):
    """spaCy component: the section of each sentence (doc._.sent_sections) from the sentencizer's headers."""
    state = doc._.report
    state.sections = sentence_sections(state.sents, state.headers)
    return doc
