"""Data models of `datasets`: dataset versions, their export jobs, imported model runs."""

from .dataset_version import ConsensusMethod, DatasetVersion, DatasetVersionPublishedError
from .export_job import ExportJob
from .model_run import ActiveLearningPolicy, ModelRun, StudyPrediction

__all__ = [
    "ActiveLearningPolicy", "ConsensusMethod", "DatasetVersion", "DatasetVersionPublishedError", "ExportJob",
    "ModelRun", "StudyPrediction",
]
