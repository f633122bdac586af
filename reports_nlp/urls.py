"""REST API of `reports_nlp`, mounted at /api/reports/."""

from django.urls import path

from .apis.candidates import CandidateCountsApi, CandidateListApi, StudyPrioritiesApi
from .apis.feeds import FhirDiagnosticReportApi, SenderDetailApi, SenderListApi
from .apis.mapping_sets import (
    KeywordMappingCreateApi,
    KeywordMappingDetailApi,
    MappingPreviewApi,
    MappingSetCloneApi,
    MappingSetDetailApi,
    MappingSetListApi,
    MappingSetPublishApi,
    MappingSetRulesApi,
)
from .apis.mining import (
    MappingQualityApi,
    MineTextApi,
    MiningRunDetailApi,
    MiningRunListApi,
    MiningRunResumeApi,
    ReportFindingsApi,
)
from .apis.reports import ReportDetailApi, ReportImportApi, ReportListApi

app_name = "reports_nlp"

urlpatterns = [
    path("", ReportListApi.as_view(), name="report-list"),
    path("import/", ReportImportApi.as_view(), name="report-import"),
    path("<int:report_id>/", ReportDetailApi.as_view(), name="report-detail"),
    path("fhir/", FhirDiagnosticReportApi.as_view(), name="fhir-diagnostic-report"),
    path("senders/", SenderListApi.as_view(), name="sender-list"),
    path("senders/<int:sender_id>/", SenderDetailApi.as_view(), name="sender-detail"),
    path("mapping-sets/", MappingSetListApi.as_view(), name="mapping-set-list"),
    path("mapping-sets/<int:version>/", MappingSetDetailApi.as_view(), name="mapping-set-detail"),
    path("mapping-sets/<int:version>/clone/", MappingSetCloneApi.as_view(), name="mapping-set-clone"),
    path("mapping-sets/<int:version>/publish/", MappingSetPublishApi.as_view(), name="mapping-set-publish"),
    path("mapping-sets/<int:version>/rules/", MappingSetRulesApi.as_view(), name="mapping-set-rules"),
    path("mapping-sets/<int:version>/mappings/", KeywordMappingCreateApi.as_view(), name="mapping-create"),
    path("mapping-sets/<int:version>/preview/", MappingPreviewApi.as_view(), name="mapping-preview"),
    path("mappings/<int:mapping_id>/", KeywordMappingDetailApi.as_view(), name="mapping-detail"),
    path("mining-runs/", MiningRunListApi.as_view(), name="mining-run-list"),
    path("mining-runs/<int:run_id>/", MiningRunDetailApi.as_view(), name="mining-run-detail"),
    path("mining-runs/<int:run_id>/resume/", MiningRunResumeApi.as_view(), name="mining-run-resume"),
    path("mining-runs/<int:run_id>/reports/<int:report_id>/findings/", ReportFindingsApi.as_view(),
         name="report-findings"),
    path("mining-runs/<int:run_id>/quality/", MappingQualityApi.as_view(), name="mapping-quality"),
    path("mine-text/", MineTextApi.as_view(), name="mine-text"),
    path("candidates/", CandidateListApi.as_view(), name="candidate-list"),
    path("candidates/counts/", CandidateCountsApi.as_view(), name="candidate-counts"),
    path("candidates/studies/", StudyPrioritiesApi.as_view(), name="study-priorities"),
]
