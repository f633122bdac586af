"""The report-mining NLP core: sentences, sections, trait phrase matching and ConText assertions (no Django).

    pipeline = build_pipeline(mapping_spec)         # default: the shipped mappings and rules
    findings = pipeline.mine(text)                  # [MinedFinding(trait, assertion, section, start, end, text, ...)]
    report_verdict(findings)                        # {trait: present|uncertain|absent|historical|not_mentioned}
    mine_many(pipeline, texts, processes=2)         # per text: [FindingRow] or an error message
    mine_text_line(pipeline, line)                  # the `mine_text` JSON line
"""

from reports_nlp.pipeline.builder import PIPE_NAMES, ReportPipeline, build_pipeline
from reports_nlp.pipeline.findings import ASSERTIONS, FindingRow, MinedFinding
from reports_nlp.pipeline.mapping import (
    MappingError,
    MappingSpec,
    TraitMapping,
    default_mapping_spec,
    mapping_spec_from_dict,
    mapping_spec_to_dict,
)
from reports_nlp.pipeline.output import findings_json, mine_text_line
from reports_nlp.pipeline.parallel import imine, mine_many
from reports_nlp.pipeline.rules import ContextRule, RuleError, default_rules, load_rules, rule_to_dict
from reports_nlp.pipeline.sections import HEADER_PHRASES, REPORTING_SECTIONS, SECTIONS
from reports_nlp.pipeline.verdict import NOT_MENTIONED, VERDICTS, report_evidence, report_verdict

__all__ = [
    "ASSERTIONS", "HEADER_PHRASES", "NOT_MENTIONED", "PIPE_NAMES", "REPORTING_SECTIONS", "SECTIONS", "VERDICTS",
    "ContextRule", "FindingRow", "MappingError", "MappingSpec", "MinedFinding", "ReportPipeline", "RuleError",
    "TraitMapping", "build_pipeline", "default_mapping_spec", "default_rules", "findings_json", "imine",
    "load_rules", "mapping_spec_from_dict", "mapping_spec_to_dict", "mine_many", "mine_text_line",
    "report_evidence", "report_verdict", "rule_to_dict",
]
