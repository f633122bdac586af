"""Data models of `datasets`: dataset versions and the export jobs that write them."""

from .dataset_version import ConsensusMethod, DatasetVersion, DatasetVersionPublishedError
from .export_job import ExportJob

__all__ = ["ConsensusMethod", "DatasetVersion", "DatasetVersionPublishedError", "ExportJob"]
