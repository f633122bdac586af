"""REST API of `curation` under /api/: account, taxonomy (the archive adds its own module)."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token

from .apis.account import MeApi
from .apis.taxonomy import (
    TaxonomyCloneApi,
    TaxonomyDetailApi,
    TaxonomyListApi,
    TaxonomyPublishApi,
    TraitCreateApi,
    TraitDetailApi,
)

app_name = "curation"

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="auth-token"),
    path("me/", MeApi.as_view(), name="me"),
    path("taxonomies/", TaxonomyListApi.as_view(), name="taxonomy-list"),
    path("taxonomies/<int:taxonomy_id>/", TaxonomyDetailApi.as_view(), name="taxonomy-detail"),
    path("taxonomies/<int:taxonomy_id>/clone/", TaxonomyCloneApi.as_view(), name="taxonomy-clone"),
    path("taxonomies/<int:taxonomy_id>/publish/", TaxonomyPublishApi.as_view(), name="taxonomy-publish"),
    path("taxonomies/<int:taxonomy_id>/traits/", TraitCreateApi.as_view(), name="trait-create"),
    path("traits/<int:trait_id>/", TraitDetailApi.as_view(), name="trait-detail"),
    path("archive/", include("curation.archive_urls")),
]
