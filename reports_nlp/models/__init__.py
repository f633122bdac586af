"""Data models of `reports_nlp`: reports, keyword mapping sets, mining runs and their results."""

from .intake import QuarantinedMessage, ReportSender
from .mapping import KeywordMapping, MappingSet, MappingSetPublishedError
from .mining import Finding, MiningChunk, MiningRun, ReportVerdict
from .report import Report, ResultStatus

__all__ = [
    "Finding",
    "KeywordMapping",
    "MappingSet",
    "MappingSetPublishedError",
    "MiningChunk",
    "MiningRun",
    "QuarantinedMessage",
    "Report",
    "ReportSender",
    "ReportVerdict",
    "ResultStatus",
]
