"""REST API of `datasets` under /api/datasets/: versions, their export, diff and downloads."""

from django.urls import path

from .apis.files import VersionFileApi, VersionFilesApi, VersionTarApi
from .apis.model_runs import (
    ActiveLearningPolicyApi,
    RecomputeApi,
    RunCompareApi,
    RunDetailApi,
    RunListApi,
    SecondOpinionApi,
)
from .apis.versions import VersionDetailApi, VersionDiffApi, VersionExportApi, VersionListApi

app_name = "datasets"

urlpatterns = [
    path("versions/", VersionListApi.as_view(), name="version-list"),
    path("versions/<int:version_id>/", VersionDetailApi.as_view(), name="version-detail"),
    path("versions/<int:version_id>/export/", VersionExportApi.as_view(), name="version-export"),
    path("versions/<int:version_id>/diff/<int:other_id>/", VersionDiffApi.as_view(), name="version-diff"),
    path("versions/<int:version_id>/files/", VersionFilesApi.as_view(), name="version-files"),
    path("versions/<int:version_id>/files/<path:path>", VersionFileApi.as_view(), name="version-file"),
    path("versions/<int:version_id>/archive.tar", VersionTarApi.as_view(), name="version-tar"),
    path("runs/", RunListApi.as_view(), name="run-list"),
    path("runs/<int:run_id>/", RunDetailApi.as_view(), name="run-detail"),
    path("runs/<int:run_id>/compare/<int:other_id>/", RunCompareApi.as_view(), name="run-compare"),
    path("runs/<int:run_id>/recompute/", RecomputeApi.as_view(), name="run-recompute"),
    path("campaigns/<int:campaign_id>/active-learning/", ActiveLearningPolicyApi.as_view(), name="al-policy"),
    path("second-opinion/<int:assignment_id>/", SecondOpinionApi.as_view(), name="second-opinion"),
]
