"""Worklist API: next study for the reader, the reader's assignments and summary, one assignment's reading context,
release, and the curator's view of a campaign's assignments (with why each was chosen)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.apis.common import Curator, Radiologist, visible_campaign
from annotation.models import Assignment
from annotation.selectors.worklist import (
    assignment_context,
    assignments_for_campaign,
    assignments_for_reader,
    worklist_summary,
)
from annotation.services.audit import audit_source_from
from annotation.services.worklist import assignment_release, worklist_next
from core.pagination import PaginatedListMixin
from core.params import int_param
from core.roles import is_admin


class AssignmentContextSerializer(serializers.Serializer):
    assignment_id = serializers.IntegerField()
    campaign_id = serializers.IntegerField()
    status = serializers.CharField()
    expires_at = serializers.DateTimeField()
    study_id = serializers.IntegerField()
    study_uid = serializers.CharField()
    primary_series_uid = serializers.CharField(allow_null=True)
    n_slices = serializers.IntegerField(allow_null=True)
    taxonomy_id = serializers.IntegerField()
    slice_ranges = serializers.BooleanField(help_text="Whether slice ranges and key images are collected.")
    blinding = serializers.DictField(child=serializers.BooleanField())
    draft = serializers.DictField(allow_null=True, help_text="The autosaved draft to restore, if any.")
    other_reads = serializers.ListField(child=serializers.DictField(), allow_null=True,
                                        help_text="Only when the campaign shows other reads (readers as A, B, ...).")
    mined_verdicts = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), allow_null=True,
        help_text="Only when the campaign shows mined verdicts: trait, assertion, section; never the report text.")


def own_assignment(request, assignment_id: int) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("campaign__taxonomy", "campaign_study__study__primary_series"),
        pk=assignment_id,
    )
    if assignment.reader_id != request.user.pk and not is_admin(request.user):
        raise NotFound("No such assignment.")  # a radiologist sees only their own assignments
    return assignment


class WorklistNextApi(APIView):
    permission_classes = [Radiologist]

    @extend_schema(request=None, responses={200: AssignmentContextSerializer, 204: None})
    def post(self, request, campaign_id):
        assignment = worklist_next(reader=request.user, campaign=visible_campaign(request, campaign_id),
                                   source=audit_source_from(request))
        if assignment is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        assignment = own_assignment(request, assignment.pk)
        return Response(AssignmentContextSerializer(assignment_context(assignment=assignment)).data)


class WorklistSummaryApi(PaginatedListMixin, APIView):
    permission_classes = [Radiologist]

    class OutputSerializer(serializers.Serializer):
        campaign_id = serializers.IntegerField()
        campaign = serializers.CharField()
        submitted = serializers.IntegerField()
        current_assignment_id = serializers.IntegerField(allow_null=True)
        current_expires_at = serializers.DateTimeField(allow_null=True)
        available = serializers.IntegerField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        return self.paginated_response(worklist_summary(reader=request.user), self.OutputSerializer)


class MyAssignmentsApi(PaginatedListMixin, APIView):
    permission_classes = [Radiologist]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        campaign_id = serializers.IntegerField()
        study_uid = serializers.CharField(source="campaign_study.study.study_uid")
        status = serializers.CharField()
        reserved_at = serializers.DateTimeField()
        expires_at = serializers.DateTimeField()
        submitted_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        campaign = int_param(request.query_params, "campaign")
        rows = assignments_for_reader(reader=request.user, status=request.query_params.get("status"))
        if campaign is not None:
            rows = rows.filter(campaign_id=campaign)
        return self.paginated_response(rows, self.OutputSerializer)


class AssignmentDetailApi(APIView):
    permission_classes = [Radiologist]

    @extend_schema(responses=AssignmentContextSerializer)
    def get(self, request, assignment_id):
        return Response(AssignmentContextSerializer(assignment_context(assignment=own_assignment(request, assignment_id))).data)


class AssignmentReleaseApi(APIView):
    permission_classes = [Radiologist]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, assignment_id):
        assignment_release(assignment=own_assignment(request, assignment_id), reader=request.user,
                           source=audit_source_from(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CampaignAssignmentsApi(PaginatedListMixin, APIView):
    permission_classes = [Curator]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        reader = serializers.CharField(source="reader.username")
        study_uid = serializers.CharField(source="campaign_study.study.study_uid")
        status = serializers.CharField()
        reserved_at = serializers.DateTimeField()
        expires_at = serializers.DateTimeField()
        submitted_at = serializers.DateTimeField(allow_null=True)
        priority = serializers.FloatField()
        reason = serializers.CharField(help_text="Why the worklist chose this study.")

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, campaign_id):
        rows = assignments_for_campaign(campaign=visible_campaign(request, campaign_id))
        return self.paginated_response(rows, self.OutputSerializer)
