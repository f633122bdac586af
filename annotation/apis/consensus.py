"""Consensus API: per campaign (with pseudonymous reads, for exports), per study, and the Dawid–Skene run."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.apis.common import Curator, CuratorOrTrainer, visible_campaign
from annotation.selectors.consensus import consensus_for_study, consensus_labels
from annotation.services.consensus import dawid_skene_run
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


class DawidSkeneApi(APIView):
    permission_classes = [Curator]

    class OutputSerializer(serializers.Serializer):
        traits = serializers.DictField(child=serializers.DictField(),
                                       help_text="Trait code -> estimated prevalence and number of calls.")

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request, campaign_id):
        summary = dawid_skene_run(campaign=visible_campaign(request, campaign_id), actor=request.user)
        return Response(self.OutputSerializer({"traits": summary}).data)
