"""Campaign API: list, create, detail, update, reader pool, studies (regular and gold), activate, close, progress."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.apis.common import AnyRole, Curator, CuratorOrTrainer, visible_campaign
from annotation.models import Campaign
from annotation.selectors.campaigns import campaign_list, campaign_progress, campaign_queue
from annotation.selectors.users import users_by_username
from annotation.services.audit import audit_source_from
from annotation.services.campaigns import (
    campaign_activate,
    campaign_close,
    campaign_create,
    campaign_set_pool,
    campaign_studies_add,
    campaign_update,
)
from core.pagination import PaginatedListMixin
from curation.selectors.taxonomy import taxonomy_list


class CampaignOutputSerializer(serializers.ModelSerializer):
    taxonomy = serializers.CharField(source="taxonomy.__str__", read_only=True)
    readers = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    adjudicators = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft, active or closed")
    priority_policy = serializers.CharField(read_only=True, help_text="blended or sequential")

    class Meta:
        model = Campaign
        fields = ["id", "name", "description", "status", "taxonomy_id", "taxonomy", "min_reads", "max_reads",
                  "show_other_reads", "show_mined_verdicts", "show_predictions", "slice_ranges", "priority_policy",
                  "priority_weights", "reservation_minutes", "gold_every", "readers", "adjudicators", "created_at"]


class _CampaignFields(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True)
    min_reads = serializers.IntegerField(required=False, min_value=2, max_value=5)
    max_reads = serializers.IntegerField(required=False, min_value=2, max_value=5)
    show_other_reads = serializers.BooleanField(required=False)
    show_mined_verdicts = serializers.BooleanField(
        required=False, help_text="Readers see the mined verdicts (trait, assertion, section), never the report text.")
    show_predictions = serializers.BooleanField(required=False)
    slice_ranges = serializers.BooleanField(required=False)
    priority_policy = serializers.ChoiceField(choices=Campaign.PriorityPolicy.choices, required=False)
    priority_weights = serializers.DictField(child=serializers.FloatField(min_value=0), required=False)
    reservation_minutes = serializers.IntegerField(required=False, min_value=1)
    gold_every = serializers.IntegerField(required=False, min_value=0)


class UsernamesField(serializers.ListField):
    """Usernames in, users out; every unknown name is reported at once."""

    child = serializers.CharField()

    def to_internal_value(self, data):
        users, unknown = users_by_username(usernames=super().to_internal_value(data))
        if unknown:
            raise serializers.ValidationError(f"Unknown users: {', '.join(unknown)}.")
        return users


class CampaignListApi(PaginatedListMixin, APIView):
    permission_classes = [AnyRole]

    class InputSerializer(_CampaignFields):
        name = serializers.CharField(max_length=120)
        taxonomy_id = serializers.IntegerField()
        readers = UsernamesField(required=False, default=list)
        adjudicators = UsernamesField(required=False, default=list)

    @extend_schema(responses=CampaignOutputSerializer(many=True))
    def get(self, request):
        return self.paginated_response(campaign_list(user=request.user), CampaignOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: CampaignOutputSerializer})
    def post(self, request):
        if not Curator().has_permission(request, self):
            self.permission_denied(request, message=Curator.message)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        taxonomy = get_object_or_404(taxonomy_list(), pk=fields.pop("taxonomy_id"))
        campaign = campaign_create(taxonomy=taxonomy, created_by=request.user, source=audit_source_from(request),
                                   **fields)
        return Response(CampaignOutputSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    permission_classes = [AnyRole]

    class InputSerializer(_CampaignFields):
        name = serializers.CharField(max_length=120, required=False)

    @extend_schema(responses=CampaignOutputSerializer)
    def get(self, request, campaign_id):
        return Response(CampaignOutputSerializer(visible_campaign(request, campaign_id)).data)

    @extend_schema(request=InputSerializer, responses=CampaignOutputSerializer)
    def patch(self, request, campaign_id):
        if not Curator().has_permission(request, self):
            self.permission_denied(request, message=Curator.message)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        campaign = campaign_update(campaign=visible_campaign(request, campaign_id), actor=request.user,
                                   source=audit_source_from(request), **data.validated_data)
        return Response(CampaignOutputSerializer(campaign).data)


class CampaignPoolApi(APIView):
    permission_classes = [Curator]

    class InputSerializer(serializers.Serializer):
        readers = UsernamesField(required=False)
        adjudicators = UsernamesField(required=False)

    @extend_schema(request=InputSerializer, responses=CampaignOutputSerializer)
    def put(self, request, campaign_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = campaign_set_pool(campaign=visible_campaign(request, campaign_id), actor=request.user,
                                     source=audit_source_from(request), **data.validated_data)
        return Response(CampaignOutputSerializer(campaign).data)


class GoldStudyInputSerializer(serializers.Serializer):
    study_uid = serializers.CharField()
    positives = serializers.ListField(child=serializers.CharField(), help_text="Trait codes present.")


class MiningCandidatesInputSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100000)
    traits = serializers.ListField(child=serializers.CharField(), required=False, allow_null=True, default=None)


class StudyFiltersInputSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100000)
    site = serializers.CharField(required=False, allow_blank=True, default="")
    modality = serializers.CharField(required=False, allow_blank=True, default="")
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)


class CampaignStudiesApi(PaginatedListMixin, APIView):
    permission_classes = [CuratorOrTrainer]

    class InputSerializer(serializers.Serializer):
        study_uids = serializers.ListField(child=serializers.CharField(), required=False, default=list)
        gold = GoldStudyInputSerializer(many=True, required=False, default=list)
        from_mining = MiningCandidatesInputSerializer(required=False, allow_null=True, default=None,
                                                      help_text="The best report-mining candidates.")
        filters = StudyFiltersInputSerializer(required=False, allow_null=True, default=None,
                                              help_text="Archive studies matching these filters.")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        study_id = serializers.IntegerField()
        study_uid = serializers.CharField(source="study.study_uid")
        status = serializers.CharField()
        target_reads = serializers.IntegerField()
        n_submitted = serializers.IntegerField()
        priority = serializers.FloatField()
        priority_reason = serializers.CharField()
        is_gold = serializers.BooleanField()

    class AddedSerializer(serializers.Serializer):
        added = serializers.ListField(child=serializers.IntegerField())
        already_in_campaign = serializers.ListField(child=serializers.IntegerField())
        missing = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, campaign_id):
        campaign = visible_campaign(request, campaign_id)
        rows = campaign_queue(campaign=campaign)
        return self.paginated_response(rows, self.OutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: AddedSerializer})
    def post(self, request, campaign_id):
        if not Curator().has_permission(request, self):
            self.permission_denied(request, message=Curator.message)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = campaign_studies_add(campaign=visible_campaign(request, campaign_id), actor=request.user,
                                      source=audit_source_from(request), **data.validated_data)
        return Response(self.AddedSerializer(result).data, status=status.HTTP_201_CREATED)


class CampaignActivateApi(APIView):
    permission_classes = [Curator]

    @extend_schema(request=None, responses=CampaignOutputSerializer)
    def post(self, request, campaign_id):
        campaign = campaign_activate(campaign=visible_campaign(request, campaign_id), actor=request.user,
                                     source=audit_source_from(request))
        return Response(CampaignOutputSerializer(campaign).data)


class CampaignCloseApi(APIView):
    permission_classes = [Curator]

    @extend_schema(request=None, responses=CampaignOutputSerializer)
    def post(self, request, campaign_id):
        campaign = campaign_close(campaign=visible_campaign(request, campaign_id), actor=request.user,
                                  source=audit_source_from(request))
        return Response(CampaignOutputSerializer(campaign).data)


class CampaignProgressApi(APIView):
    permission_classes = [AnyRole]

    class OutputSerializer(serializers.Serializer):
        campaign_id = serializers.IntegerField()
        status = serializers.CharField()
        studies = serializers.IntegerField()
        gold_studies = serializers.IntegerField()
        studies_by_status = serializers.DictField(child=serializers.IntegerField())
        percent_complete = serializers.FloatField()
        reads_submitted = serializers.IntegerField()
        reads_outstanding = serializers.IntegerField()
        reservations_live = serializers.IntegerField()
        adjudications_open = serializers.IntegerField()
        studies_extended = serializers.IntegerField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request, campaign_id):
        return Response(self.OutputSerializer(campaign_progress(campaign=visible_campaign(request, campaign_id))).data)
