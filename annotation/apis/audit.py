"""Audit trail API (admins only)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from annotation.apis.common import Admin
from annotation.selectors.audit import audit_events
from core.pagination import PaginatedListMixin
from core.params import int_param


class AuditApi(PaginatedListMixin, APIView):
    permission_classes = [Admin]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        at = serializers.DateTimeField()
        actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
        action = serializers.CharField()
        object_type = serializers.CharField()
        object_id = serializers.IntegerField(allow_null=True)
        campaign_id = serializers.IntegerField(allow_null=True)
        data = serializers.DictField()
        ip = serializers.CharField(allow_null=True)
        user_agent = serializers.CharField()

    @extend_schema(
        parameters=[OpenApiParameter("campaign", int), OpenApiParameter("action", str)],
        responses=OutputSerializer(many=True),
    )
    def get(self, request):
        events = audit_events(campaign_id=int_param(request.query_params, "campaign"),
                              action=request.query_params.get("action"))
        return self.paginated_response(events, self.OutputSerializer)
