"""Campaign API: list, create, detail, update, reader pool, studies (regular and gold), activate, close, progress."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.apis.common import AnyRole, Curator, CuratorOrTrainer, audit_source, visible_campaign
from annotation.models import Campaign
from annotation.selectors.campaigns import campaign_list, campaign_progress, campaign_queue
from annotation.services.campaigns import (
    campaign_activate,
    campaign_add_candidates,
    campaign_add_filtered,
    campaign_add_studies,
    campaign_close,
    campaign_create,
    campaign_set_pool,
    campaign_update,
)
from core.pagination import PaginatedListMixin
from curation.models import Study, Taxonomy

User = get_user_model()


class CampaignOutputSerializer(serializers.ModelSerializer):
    taxonomy = serializers.CharField(source="taxonomy.__str__", read_only=True)
    readers = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    adjudicators = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft, active or closed")
    priority_policy = serializers.CharField(read_only=True, help_text="blended or sequential")

    class Meta:
        model = Campaign
        fields = ["id", "name", "description", "status", "taxonomy_id", "taxonomy", "min_reads", "max_reads",
                  "show_other_reads", "show_report", "show_predictions", "slice_ranges", "priority_policy",
                  "priority_weights", "reservation_minutes", "gold_every", "readers", "adjudicators", "created_at"]


class _CampaignFields(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True)
    min_reads = serializers.IntegerField(required=False, min_value=2, max_value=5)
    max_reads = serializers.IntegerField(required=False, min_value=2, max_value=5)
    show_other_reads = serializers.BooleanField(required=False)
    show_report = serializers.BooleanField(required=False)
    show_predictions = serializers.BooleanField(required=False)
    slice_ranges = serializers.BooleanField(required=False)
    priority_policy = serializers.ChoiceField(choices=Campaign.PriorityPolicy.choices, required=False)
    priority_weights = serializers.DictField(child=serializers.FloatField(min_value=0), required=False)
    reservation_minutes = serializers.IntegerField(required=False, min_value=1)
    gold_every = serializers.IntegerField(required=False, min_value=0)


def _users(usernames, field):
    users = list(User.objects.filter(username__in=usernames))
    missing = sorted(set(usernames) - {u.username for u in users})
    if missing:
        raise serializers.ValidationError({field: f"Unknown users: {', '.join(missing)}."})
    return users


class CampaignListApi(PaginatedListMixin, APIView):
    permission_classes = [AnyRole]

    class InputSerializer(_CampaignFields):
        name = serializers.CharField(max_length=120)
        taxonomy_id = serializers.IntegerField()
        readers = serializers.ListField(child=serializers.CharField(), required=False, default=list)
        adjudicators = serializers.ListField(child=serializers.CharField(), required=False, default=list)

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
        taxonomy = get_object_or_404(Taxonomy, pk=fields.pop("taxonomy_id"))
        readers = _users(fields.pop("readers"), "readers")
        adjudicators = _users(fields.pop("adjudicators"), "adjudicators")
        campaign = campaign_create(taxonomy=taxonomy, created_by=request.user, readers=readers,
                                   adjudicators=adjudicators, source=audit_source(request), **fields)
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
                                   source=audit_source(request), **data.validated_data)
        return Response(CampaignOutputSerializer(campaign).data)


class CampaignPoolApi(APIView):
    permission_classes = [Curator]

    class InputSerializer(serializers.Serializer):
        readers = serializers.ListField(child=serializers.CharField(), required=False)
        adjudicators = serializers.ListField(child=serializers.CharField(), required=False)

    @extend_schema(request=InputSerializer, responses=CampaignOutputSerializer)
    def put(self, request, campaign_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pool = {k: _users(v, k) for k, v in data.validated_data.items()}
        campaign = campaign_set_pool(campaign=visible_campaign(request, campaign_id), actor=request.user,
                                     source=audit_source(request), **pool)
        return Response(CampaignOutputSerializer(campaign).data)


class CampaignStudiesApi(PaginatedListMixin, APIView):
    permission_classes = [CuratorOrTrainer]

    class GoldSerializer(serializers.Serializer):
        study_uid = serializers.CharField()
        positives = serializers.ListField(child=serializers.CharField(), help_text="Trait codes present.")

    class MiningSerializer(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=100000)
        traits = serializers.ListField(child=serializers.CharField(), required=False, allow_null=True, default=None)

    class FilterSerializer(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=100000)
        site = serializers.CharField(required=False, allow_blank=True, default="")
        modality = serializers.CharField(required=False, allow_blank=True, default="")
        date_from = serializers.DateField(required=False, allow_null=True, default=None)
        date_to = serializers.DateField(required=False, allow_null=True, default=None)

    class InputSerializer(serializers.Serializer):
        study_uids = serializers.ListField(child=serializers.CharField(), required=False, default=list)
        gold = serializers.ListField(child=serializers.DictField(), required=False, default=list,
                                     help_text="[{study_uid, positives: [trait codes]}]")
        from_mining = serializers.DictField(required=False, allow_null=True, default=None,
                                            help_text="{limit, traits}: the best report-mining candidates.")
        filters = serializers.DictField(required=False, allow_null=True, default=None,
                                        help_text="{limit, site, modality, date_from, date_to}")

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
        gold = [self.GoldSerializer(data=g) for g in data.validated_data["gold"]]
        for g in gold:
            g.is_valid(raise_exception=True)
        uids = set(data.validated_data["study_uids"]) | {g.validated_data["study_uid"] for g in gold}
        ids = dict(Study.objects.filter(study_uid__in=uids).values_list("study_uid", "pk"))
        result = campaign_add_studies(
            campaign=visible_campaign(request, campaign_id),
            study_ids=[ids[u] for u in data.validated_data["study_uids"] if u in ids],
            gold={ids[g.validated_data["study_uid"]]: g.validated_data["positives"]
                  for g in gold if g.validated_data["study_uid"] in ids},
            actor=request.user, source=audit_source(request),
        )
        result["missing"] = sorted(uids - set(ids))
        campaign = visible_campaign(request, campaign_id)
        for key, serializer, service in (("from_mining", self.MiningSerializer, campaign_add_candidates),
                                         ("filters", self.FilterSerializer, campaign_add_filtered)):
            if data.validated_data[key] is not None:
                extra = serializer(data=data.validated_data[key])
                extra.is_valid(raise_exception=True)
                added = service(campaign=campaign, actor=request.user, source=audit_source(request),
                                **extra.validated_data)
                result["added"] += added["added"]
                result["already_in_campaign"] += added["already_in_campaign"]
        return Response(self.AddedSerializer(result).data, status=status.HTTP_201_CREATED)


class CampaignActivateApi(APIView):
    permission_classes = [Curator]

    @extend_schema(request=None, responses=CampaignOutputSerializer)
    def post(self, request, campaign_id):
        campaign = campaign_activate(campaign=visible_campaign(request, campaign_id), actor=request.user,
                                     source=audit_source(request))
        return Response(CampaignOutputSerializer(campaign).data)


class CampaignCloseApi(APIView):
    permission_classes = [Curator]

    @extend_schema(request=None, responses=CampaignOutputSerializer)
    def post(self, request, campaign_id):
        campaign = campaign_close(campaign=visible_campaign(request, campaign_id), actor=request.user,
                                  source=audit_source(request))
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
