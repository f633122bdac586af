"""REST API of `annotation`, mounted at /api/annotation/."""

from django.urls import path

from .apis.adjudication import AdjudicationDecideApi, AdjudicationDetailApi, AdjudicationQueueApi
from .apis.agreement import AgreementApi, ReaderQualityApi
from .apis.audit import AuditApi
from .apis.campaigns import (
    CampaignActivateApi,
    CampaignCloseApi,
    CampaignDetailApi,
    CampaignListApi,
    CampaignPoolApi,
    CampaignProgressApi,
    CampaignStudiesApi,
)
from .apis.consensus import CampaignConsensusApi, DawidSkeneApi, DawidSkeneRunApi, StudyConsensusApi
from .apis.priorities import PrioritiesApi
from .apis.reads import DraftApi, MyReadsApi, ReadAmendApi, ReadDetailApi, SubmitApi
from .apis.worklist import (
    AssignmentDetailApi,
    AssignmentReleaseApi,
    CampaignAssignmentsApi,
    MyAssignmentsApi,
    WorklistNextApi,
    WorklistSummaryApi,
)

app_name = "annotation"

urlpatterns = [
    path("campaigns/", CampaignListApi.as_view(), name="campaign-list"),
    path("campaigns/<int:campaign_id>/", CampaignDetailApi.as_view(), name="campaign-detail"),
    path("campaigns/<int:campaign_id>/pool/", CampaignPoolApi.as_view(), name="campaign-pool"),
    path("campaigns/<int:campaign_id>/studies/", CampaignStudiesApi.as_view(), name="campaign-studies"),
    path("campaigns/<int:campaign_id>/activate/", CampaignActivateApi.as_view(), name="campaign-activate"),
    path("campaigns/<int:campaign_id>/close/", CampaignCloseApi.as_view(), name="campaign-close"),
    path("campaigns/<int:campaign_id>/progress/", CampaignProgressApi.as_view(), name="campaign-progress"),
    path("campaigns/<int:campaign_id>/priorities/", PrioritiesApi.as_view(), name="campaign-priorities"),
    path("campaigns/<int:campaign_id>/assignments/", CampaignAssignmentsApi.as_view(), name="campaign-assignments"),
    path("campaigns/<int:campaign_id>/next/", WorklistNextApi.as_view(), name="worklist-next"),
    path("campaigns/<int:campaign_id>/consensus/", CampaignConsensusApi.as_view(), name="campaign-consensus"),
    path("campaigns/<int:campaign_id>/studies/<int:study_id>/consensus/", StudyConsensusApi.as_view(),
         name="study-consensus"),
    path("campaigns/<int:campaign_id>/dawid-skene/", DawidSkeneApi.as_view(), name="campaign-dawid-skene"),
    path("campaigns/<int:campaign_id>/dawid-skene/<int:run_id>/", DawidSkeneRunApi.as_view(),
         name="campaign-dawid-skene-run"),
    path("campaigns/<int:campaign_id>/agreement/", AgreementApi.as_view(), name="campaign-agreement"),
    path("campaigns/<int:campaign_id>/readers/", ReaderQualityApi.as_view(), name="campaign-readers"),
    path("worklist/", WorklistSummaryApi.as_view(), name="worklist-summary"),
    path("assignments/", MyAssignmentsApi.as_view(), name="assignment-list"),
    path("assignments/<int:assignment_id>/", AssignmentDetailApi.as_view(), name="assignment-detail"),
    path("assignments/<int:assignment_id>/draft/", DraftApi.as_view(), name="assignment-draft"),
    path("assignments/<int:assignment_id>/submit/", SubmitApi.as_view(), name="assignment-submit"),
    path("assignments/<int:assignment_id>/release/", AssignmentReleaseApi.as_view(), name="assignment-release"),
    path("reads/", MyReadsApi.as_view(), name="read-list"),
    path("reads/<int:read_id>/", ReadDetailApi.as_view(), name="read-detail"),
    path("reads/<int:read_id>/amend/", ReadAmendApi.as_view(), name="read-amend"),
    path("adjudications/", AdjudicationQueueApi.as_view(), name="adjudication-queue"),
    path("adjudications/<int:task_id>/", AdjudicationDetailApi.as_view(), name="adjudication-detail"),
    path("adjudications/<int:task_id>/decide/", AdjudicationDecideApi.as_view(), name="adjudication-decide"),
    path("audit/", AuditApi.as_view(), name="audit"),
]
