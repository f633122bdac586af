"""Data models of `annotation`: campaigns, the worklist, reads, consensus, adjudication, priorities, audit."""

from .audit import AuditEvent
from .campaign import Campaign
from .consensus import AdjudicationTask, Consensus, ReaderConfusion
from .dawid_skene import DawidSkeneRun
from .priority import PriorityScore
from .read import Read, ReadAlreadySubmittedError, ReadImmutableError, ReadLabel
from .worklist import Assignment, CampaignStudy

__all__ = [
    "AdjudicationTask",
    "Assignment",
    "AuditEvent",
    "Campaign",
    "CampaignStudy",
    "Consensus",
    "DawidSkeneRun",
    "PriorityScore",
    "Read",
    "ReadAlreadySubmittedError",
    "ReadImmutableError",
    "ReadLabel",
    "ReaderConfusion",
]
