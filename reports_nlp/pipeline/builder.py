"""The report pipeline: a blank English spaCy pipeline with the report components, and its pure API."""

import spacy
from spacy.tokens import Doc

# Importing a component module registers its spaCy factory (matcher and sentences are imported below for names).
import reports_nlp.pipeline.assertion  # noqa: F401
import reports_nlp.pipeline.sections  # noqa: F401
from reports_nlp.pipeline.extensions import register_extensions
from reports_nlp.pipeline.findings import FindingRow, MinedFinding
from reports_nlp.pipeline.mapping import MappingSpec, default_mapping_spec
from reports_nlp.pipeline.matcher import implied_traits
from reports_nlp.pipeline.rules import ContextRule, default_rules, load_rules
from reports_nlp.pipeline.sentences import FLATTEN, TEXT_KEY

PIPE_NAMES = ("report_sentencizer", "report_sections", "trait_matcher", "context_assertion")


class ReportPipeline:
    """Mines report texts for trait findings; build with `build_pipeline`, mine many texts with `parallel.imine`."""

    def __init__(self, mapping_spec: MappingSpec, rules: tuple[ContextRule, ...]):
        register_extensions()
        self.mapping_spec = mapping_spec
        self.rules = rules
        self.nlp = spacy.blank("en")
        # English tokenizer exceptions list white space (" ", "\n"), and any exception hit sends the
        # whole doc through the special-case matcher: ~10x slower on reports with blank lines. The
        # tokens are the same without them.
        self.nlp.tokenizer.rules = {k: v for k, v in self.nlp.tokenizer.rules.items() if not k.isspace()}
        for name in PIPE_NAMES:
            self.nlp.add_pipe(name)
        self.nlp.get_pipe("trait_matcher").set_mapping(mapping_spec)
        chronic = [m.trait for m in mapping_spec.mappings if m.chronic]
        negates: dict[str, list[str]] = {}
        for child, implied in implied_traits(mapping_spec).items():
            for trait in implied:
                negates.setdefault(trait, []).append(child)
        self.nlp.get_pipe("context_assertion").set_rules(rules, chronic, {t: tuple(c) for t, c in negates.items()})

    def __reduce__(self):
        # Worker processes rebuild from the plain data rather than pickling matchers.
        return (ReportPipeline, (self.mapping_spec, self.rules))

    def doc(self, text: str) -> Doc:
        if not isinstance(text, str):
            raise TypeError(f"report text must be a str, got {type(text).__name__}")
        doc = self.nlp.make_doc(text.translate(FLATTEN))
        doc.user_data[TEXT_KEY] = text
        for _, proc in self.nlp.pipeline:
            doc = proc(doc)
        return doc

    def rows(self, text: str) -> list[FindingRow]:
        """The findings of one report as small tuples with character offsets."""
        state = self.doc(text)._.report
        assertions = state.assertions
        if not assertions:
            return []
        sents = state.sents
        sent_sections = state.sections
        idx, length = state.token_chars
        out = []
        for trait, s, e, si, value, cue in assertions:
            ss, se = sents[si]
            out.append(FindingRow(
                trait, value, sent_sections[si], idx[s], idx[e - 1] + length[e - 1],
                idx[ss], idx[se - 1] + length[se - 1], cue,
            ))
        return out

    def mine(self, text: str) -> list[MinedFinding]:
        """The findings of one report, with the matched text and its sentence."""
        return [MinedFinding.from_row(row, text) for row in self.rows(text)]


def build_pipeline(mapping_spec: MappingSpec | None = None, rules=None) -> ReportPipeline:
    """A pipeline for `mapping_spec` (default: the shipped mappings) and ConText `rules` (default: the shipped rules).

    `rules` may be ContextRule objects or their plain dicts (see reports_nlp/context_rules.py).
    """
    mapping_spec = mapping_spec or default_mapping_spec()
    rules = default_rules() if rules is None else load_rules(rules)
    return ReportPipeline(mapping_spec, rules)
