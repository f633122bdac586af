"""Sentence splitting and section detection of the report pipeline."""

import pytest

from reports_nlp.pipeline import build_pipeline


@pytest.fixture(scope="module")
def pipeline():
    return build_pipeline()


def sentence_texts(doc, text: str) -> list[str]:
    """Sentences cut from the original text (the doc's own text has line breaks flattened)."""
    return [text[doc[s].idx:doc[e - 1].idx + len(doc[e - 1])] for s, e in doc._.report_sents]


def sentences(pipeline, text: str) -> list[str]:
    return sentence_texts(pipeline.doc(text), text)


def sections(pipeline, text: str) -> list[tuple[str, str]]:
    doc = pipeline.doc(text)
    return list(zip(sentence_texts(doc, text), doc._.sent_sections, strict=True))


def test_splits_at_sentence_ends_and_semicolons(pipeline):
    assert sentences(pipeline, "No hemorrhage; small SDH. Mild atrophy! Is there a mass? No.") == [
        "No hemorrhage;", "small SDH.", "Mild atrophy!", "Is there a mass?", "No.",
    ]


def test_decimals_and_attached_question_marks_do_not_split(pipeline):
    assert sentences(pipeline, "SDH measures 5.5 mm. Fall, ?SDH.") == ["SDH measures 5.5 mm.", "Fall, ?SDH."]


def test_splits_at_inline_headers(pipeline):
    text = "CLINICAL HISTORY: fall FINDINGS: small SDH IMPRESSION: SDH"
    assert sentences(pipeline, text) == ["CLINICAL HISTORY:", "fall", "FINDINGS:", "small SDH", "IMPRESSION:", "SDH"]


def test_wrapped_lines_stay_one_sentence_but_new_lines_split(pipeline):
    wrapped = "There is a small left\nsubdural hematoma"
    assert sentences(pipeline, wrapped) == [wrapped]
    assert sentences(pipeline, "No hemorrhage\nMild atrophy\n\nsmall SDH") == [
        "No hemorrhage", "Mild atrophy", "small SDH",
    ]


def test_unknown_upper_case_header_breaks_before_but_keeps_its_value(pipeline):
    assert sentences(pipeline, "Atrophy.\nHEMORRHAGE: NONE") == ["Atrophy.", "HEMORRHAGE: NONE"]


def test_sentences_as_spans(pipeline):
    doc = pipeline.doc("FINDINGS: No SDH. IMPRESSION: Normal.")
    assert [s.text for s in doc._.report_sentences] == ["FINDINGS:", "No SDH.", "IMPRESSION:", "Normal."]


@pytest.mark.parametrize("header, section", [
    ("CLINICAL HISTORY", "indication"),
    ("HISTORY", "indication"),
    ("INDICATION", "indication"),
    ("Reason for exam", "indication"),
    ("CLINICAL INFORMATION", "indication"),
    ("TECHNIQUE", "technique"),
    ("COMPARISON", "comparison"),
    ("FINDINGS", "findings"),
    ("Impression", "impression"),
    ("IMPRESSION/CONCLUSION", "impression"),
    ("CONCLUSION", "impression"),
    ("ADDENDUM", "addendum"),
])
def test_header_variants(pipeline, header, section):
    assert sections(pipeline, f"Head CT.\n{header}: small SDH.")[-1] == ("small SDH.", section)


def test_text_before_any_header_is_body(pipeline):
    assert sections(pipeline, "Small SDH. No fracture.") == [("Small SDH.", "body"), ("No fracture.", "body")]


def test_full_report_sections(pipeline):
    text = ("EXAM: CT head without contrast\nHISTORY: fall, evaluate for bleed\nCOMPARISON: None.\n"
            "FINDINGS:\nThere is a small right SDH. No fracture.\nIMPRESSION:\nSmall right SDH.")
    got = {f.section for f in pipeline.mine(text) if f.trait == "subdural_hemorrhage"}
    assert got == {"findings", "impression"}
    bleed = [f for f in pipeline.mine(text) if f.text == "bleed"]
    assert [(f.section, f.assertion) for f in bleed] == [("indication", "uncertain")]


def test_lower_case_header_word_mid_sentence_is_not_a_header(pipeline):
    assert sections(pipeline, "Small SDH, for comparison with the prior.") == [
        ("Small SDH, for comparison with the prior.", "body"),
    ]


def test_finding_offsets_and_sentence(pipeline):
    text = "FINDINGS: No fracture. Small left SDH; no IVH."
    sdh = [f for f in pipeline.mine(text) if f.trait == "subdural_hemorrhage"]
    assert [(text[f.start:f.end], f.text, f.sentence, f.section) for f in sdh] == [
        ("SDH", "SDH", "Small left SDH;", "findings"),
    ]


def test_plain_nlp_call_gives_the_same_structure(pipeline):
    text = "FINDINGS:\nNo hemorrhage\nMild atrophy\n\nIMPRESSION: Possible SDH."
    direct, flattened = pipeline.nlp(text), pipeline.doc(text)
    assert sentence_texts(direct, text) == sentence_texts(flattened, text)
    assert direct._.sent_sections == flattened._.sent_sections == [
        "findings", "findings", "findings", "impression", "impression",
    ]
