"""Consensus API: per campaign (with pseudonymous reads, for exports), per study, and the Dawid–Skene run."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.apis.common import Curator, CuratorOrTrainer, visible_campaign
from annotation.models import DawidSkeneRun
from annotation.selectors.consensus import (
    consensus_for_study,
    consensus_labels,
    dawid_skene_run_get,
    dawid_skene_run_latest,
)
from annotation.services.consensus import dawid_skene_job_create
from core.pagination import PaginatedListMixin
from core.roles import is_admin


class StudyConsensusSerializer(serializers.Serializer):
    campaign_study_id = serializers.IntegerField()
    study_id = serializers.IntegerField()
    study_uid = serializers.CharField()
    status = serializers.CharField()
    is_gold = serializers.BooleanField()
    target_reads = serializers.IntegerField()
    n_submitted = serializers.IntegerField()
    traits = serializers.DictField(
        child=serializers.DictField(),
        help_text="Trait code -> label, method, votes, soft_label, ds_probability, n_reads, adjudicated, slice_ranges "
                  "(union of the positive reads' [first, last] ranges), key_images (union of their key images).",
    )


class CampaignConsensusApi(PaginatedListMixin, APIView):
    permission_classes = [CuratorOrTrainer]

    class OutputSerializer(serializers.Serializer):
        study_id = serializers.IntegerField()
        study_uid = serializers.CharField()
        campaign_id = serializers.IntegerField()
        taxonomy_id = serializers.IntegerField()
        status = serializers.CharField()
        is_gold = serializers.BooleanField()
        traits = serializers.DictField(child=serializers.DictField())
        reads = serializers.ListField(child=serializers.DictField(), help_text="Current reads, readers pseudonymous.")

    @extend_schema(
        parameters=[OpenApiParameter("all", bool, description="Include studies without final consensus.")],
        responses=OutputSerializer(many=True),
    )
    def get(self, request, campaign_id):
        campaign = visible_campaign(request, campaign_id)
        include = request.query_params.get("all") in ("1", "true")
        rows = list(consensus_labels(campaign=campaign, include_incomplete=include))
        return self.paginated_response(rows, self.OutputSerializer)


class StudyConsensusApi(APIView):
    permission_classes = [CuratorOrTrainer]

    @extend_schema(responses=StudyConsensusSerializer)
    def get(self, request, campaign_id, study_id):
        campaign = visible_campaign(request, campaign_id)
        entry = get_object_or_404(campaign.campaign_studies.select_related("study"), study_id=study_id)
        data = consensus_for_study(campaign_study=entry, show_adjudicator=is_admin(request.user))
        return Response(StudyConsensusSerializer(data).data)


class DawidSkeneRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=DawidSkeneRun.Status.choices)
    traits_done = serializers.IntegerField(help_text="Traits fitted so far.")
    traits_total = serializers.IntegerField(help_text="Traits to fit; 0 until the run starts.")
    summary = serializers.DictField(child=serializers.DictField(),
                                    help_text="When done: trait code -> estimated prevalence and number of calls.")
    message = serializers.CharField(help_text="Why it failed.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    status_url = serializers.SerializerMethodField()

    def get_status_url(self, run) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("annotation:campaign-dawid-skene-run", args=[run.campaign_id, run.pk]))


class DawidSkeneApi(APIView):
    """POST queues a Dawid–Skene fit of the campaign (202, with the run to poll); GET shows the latest run.

    A fit takes seconds to tens of seconds on a large campaign, so it runs on a worker, never in the request.
    """

    permission_classes = [Curator]

    @extend_schema(request=None, responses={202: DawidSkeneRunSerializer})
    def post(self, request, campaign_id):
        run = dawid_skene_job_create(campaign=visible_campaign(request, campaign_id), actor=request.user)
        run = dawid_skene_run_get(campaign_id=run.campaign_id, run_id=run.pk)  # as it is now (eager: finished)
        data = DawidSkeneRunSerializer(run, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["status_url"]})

    @extend_schema(responses=DawidSkeneRunSerializer)
    def get(self, request, campaign_id):
        run = dawid_skene_run_latest(campaign=visible_campaign(request, campaign_id))
        if run is None:
            raise NotFound("No Dawid–Skene run for this campaign yet: POST to start one.")
        return Response(DawidSkeneRunSerializer(run, context={"request": request}).data)


class DawidSkeneRunApi(APIView):
    permission_classes = [Curator]

    @extend_schema(responses=DawidSkeneRunSerializer)
    def get(self, request, campaign_id, run_id):
        campaign = visible_campaign(request, campaign_id)
        run = dawid_skene_run_get(campaign_id=campaign.pk, run_id=run_id)
        if run is None:
            raise NotFound("No such Dawid–Skene run of this campaign.")
        return Response(DawidSkeneRunSerializer(run, context={"request": request}).data)
