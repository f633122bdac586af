"""Data models of `reports_nlp`: reports, keyword mapping sets, mining runs and their results."""

from .mapping import KeywordMapping, MappingSet, MappingSetPublishedError
from .mining import Finding, MiningChunk, MiningRun, ReportVerdict
from .report import Report

__all__ = [
    "Finding",
    "KeywordMapping",
    "MappingSet",
    "MappingSetPublishedError",
    "MiningChunk",
    "MiningRun",
    "Report",
    "ReportVerdict",
]
