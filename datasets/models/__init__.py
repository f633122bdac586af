"""Data models of `datasets`: dataset versions, their export jobs, imported model runs, their priority recomputes."""

from .dataset_version import ConsensusMethod, DatasetVersion, DatasetVersionPublishedError
from .export_job import ExportJob
from .model_run import ActiveLearningPolicy, ModelRun, StudyPrediction
from .recompute_job import PriorityRecomputeJob
from .saliency import StudySaliency

__all__ = [
    "ActiveLearningPolicy", "ConsensusMethod", "DatasetVersion", "DatasetVersionPublishedError", "ExportJob",
    "ModelRun", "PriorityRecomputeJob", "StudyPrediction", "StudySaliency",
]
