"""Adjudication API: the queue, one task's reads side by side (identities for admins only), and the decision."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.apis.common import Radiologist
from annotation.models import AdjudicationTask
from annotation.selectors.adjudication import adjudication_queue, adjudication_show_identities, adjudication_view
from annotation.services.adjudication import adjudication_decide, adjudicator_allowed
from annotation.services.audit import audit_source_from
from core.pagination import PaginatedListMixin
from core.params import int_param


class AdjudicationViewSerializer(serializers.Serializer):
    task_id = serializers.IntegerField()
    status = serializers.CharField()
    campaign_id = serializers.IntegerField()
    study_id = serializers.IntegerField()
    study_uid = serializers.CharField()
    traits_to_decide = serializers.DictField(child=serializers.CharField(), help_text="Trait code -> tie / high_disagreement.")
    decisions = serializers.DictField(child=serializers.CharField())
    adjudicator = serializers.CharField(allow_null=True, help_text="Admins only.")
    readers = serializers.ListField(child=serializers.DictField(), help_text="Reader A, B, ... (names for admins only).")
    rows = serializers.ListField(child=serializers.DictField(), help_text="Per trait: each reader's state side by side.")


def allowed_task(request, task_id: int) -> AdjudicationTask:
    task = get_object_or_404(
        AdjudicationTask.objects.select_related("campaign_study__campaign__taxonomy", "campaign_study__study"),
        pk=task_id,
    )
    if not adjudicator_allowed(task, request.user):
        raise NotFound("No such adjudication task for you.")
    return task


class AdjudicationQueueApi(PaginatedListMixin, APIView):
    permission_classes = [Radiologist]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        campaign_id = serializers.IntegerField(source="campaign_study.campaign_id")
        study_uid = serializers.CharField(source="campaign_study.study.study_uid")
        traits = serializers.DictField(child=serializers.CharField())
        created_at = serializers.DateTimeField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        campaign = int_param(request.query_params, "campaign")
        tasks = adjudication_queue(user=request.user)
        if campaign is not None:
            tasks = tasks.filter(campaign_study__campaign_id=campaign)
        return self.paginated_response(tasks, self.OutputSerializer)


class AdjudicationDetailApi(APIView):
    permission_classes = [Radiologist]

    @extend_schema(responses=AdjudicationViewSerializer)
    def get(self, request, task_id):
        view = adjudication_view(task=allowed_task(request, task_id),
                                 show_identities=adjudication_show_identities(user=request.user))
        return Response(AdjudicationViewSerializer(view).data)


class AdjudicationDecideApi(APIView):
    permission_classes = [Radiologist]

    class InputSerializer(serializers.Serializer):
        decisions = serializers.DictField(child=serializers.ChoiceField(choices=["present", "absent"]))
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=AdjudicationViewSerializer)
    def post(self, request, task_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = allowed_task(request, task_id)
        task = adjudication_decide(task=task, adjudicator=request.user, source=audit_source_from(request),
                                   **data.validated_data)
        view = adjudication_view(task=task, show_identities=adjudication_show_identities(user=request.user))
        return Response(AdjudicationViewSerializer(view).data)
