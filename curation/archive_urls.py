"""REST API of the DICOM archive under /api/archive/ (studies, series, rejections, uploads, identity links, known DICOM nodes)."""

from django.urls import path

from .apis.archive import (
    IdentityLinkListApi,
    IngestJobDetailApi,
    IngestJobListApi,
    RejectionFileApi,
    RejectionListApi,
    StudyDetailApi,
    StudyListApi,
    UploadApi,
)
from .apis.nodes import NodeDetailApi, NodeListApi

urlpatterns = [
    path("studies/", StudyListApi.as_view(), name="archive-study-list"),
    path("studies/<str:study_uid>/", StudyDetailApi.as_view(), name="archive-study-detail"),
    path("rejections/", RejectionListApi.as_view(), name="archive-rejection-list"),
    path("rejections/<int:rejection_id>/file/", RejectionFileApi.as_view(), name="archive-rejection-file"),
    path("uploads/", UploadApi.as_view(), name="archive-upload"),
    path("jobs/", IngestJobListApi.as_view(), name="archive-job-list"),
    path("jobs/<int:job_id>/", IngestJobDetailApi.as_view(), name="archive-job-detail"),
    path("identity-links/", IdentityLinkListApi.as_view(), name="archive-identity-links"),
    path("nodes/", NodeListApi.as_view(), name="archive-node-list"),
    path("nodes/<int:node_id>/", NodeDetailApi.as_view(), name="archive-node-detail"),
]
