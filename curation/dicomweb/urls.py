"""DICOMweb endpoints under /dicomweb/ (PS3.18): QIDO-RS, WADO-RS, STOW-RS and WADO-URI."""

from django.urls import path

from . import views

app_name = "dicomweb"

_STUDY = "studies/<str:study_uid>"
_SERIES = f"{_STUDY}/series/<str:series_uid>"
_INSTANCE = f"{_SERIES}/instances/<str:sop_uid>"

urlpatterns = [
    path("studies", views.StudiesView.as_view(), name="studies"),
    path("series", views.SeriesSearchView.as_view(), name="series-search"),
    path("instances", views.InstanceSearchView.as_view(), name="instance-search"),
    path("wado", views.WadoUriView.as_view(), name="wado-uri"),
    path(_STUDY, views.StudyStoreView.as_view(), name="study"),
    path(f"{_STUDY}/metadata", views.StudyMetadataView.as_view(), name="study-metadata"),
    path(f"{_STUDY}/series", views.SeriesSearchView.as_view(), name="study-series"),
    path(f"{_STUDY}/instances", views.InstanceSearchView.as_view(), name="study-instances"),
    path(_SERIES, views.SeriesRetrieveView.as_view(), name="series"),
    path(f"{_SERIES}/metadata", views.SeriesMetadataView.as_view(), name="series-metadata"),
    path(f"{_SERIES}/instances", views.InstanceSearchView.as_view(), name="series-instances"),
    path(_INSTANCE, views.InstanceRetrieveView.as_view(), name="instance"),
    path(f"{_INSTANCE}/metadata", views.InstanceMetadataView.as_view(), name="instance-metadata"),
    path(f"{_INSTANCE}/frames/<str:frames>", views.FramesView.as_view(), name="frames"),
]
