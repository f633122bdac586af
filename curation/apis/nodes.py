"""Known DICOM nodes under /api/archive/nodes/ (admins only): who may associate with the C-STORE listener."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PaginatedListMixin
from core.permissions import role_required
from core.roles import ADMIN
from curation.models import DicomNode
from curation.models.node import validate_network
from curation.selectors.nodes import node_list
from curation.services.nodes import node_create, node_delete, node_update

Admins = role_required(ADMIN)

# DICOM AE titles (PS3.5 table 6.2-1, AE): 1-16 characters of the default repertoire, no backslash, no controls.
AE_TITLE_RE = r"^[ -\[\]-~]{1,16}$"
AE_TITLE_ERRORS = {"invalid": "An AE title is 1-16 printable ASCII characters, no backslash."}


def _network(value: str) -> str:
    try:
        validate_network(value)
    except Exception as exc:
        raise serializers.ValidationError(exc.messages[0]) from None
    return value


class NodeOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = DicomNode
        fields = ["id", "ae_title", "host", "description", "may_store", "enabled", "created_at", "updated_at"]


class NodeInputSerializer(serializers.Serializer):
    ae_title = serializers.RegexField(AE_TITLE_RE, max_length=16, error_messages=AE_TITLE_ERRORS)
    host = serializers.CharField(max_length=64, validators=[_network])
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    may_store = serializers.BooleanField(required=False, default=True)
    enabled = serializers.BooleanField(required=False, default=True)


class NodeListApi(PaginatedListMixin, APIView):
    permission_classes = [Admins]

    @extend_schema(responses=NodeOutputSerializer(many=True))
    def get(self, request):
        return self.paginated_response(node_list(), NodeOutputSerializer)

    @extend_schema(request=NodeInputSerializer, responses={201: NodeOutputSerializer})
    def post(self, request):
        data = NodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        node = node_create(**data.validated_data)
        return Response(NodeOutputSerializer(node).data, status=status.HTTP_201_CREATED)


class NodeDetailApi(APIView):
    permission_classes = [Admins]

    @extend_schema(request=NodeInputSerializer(partial=True), responses={200: NodeOutputSerializer})
    def patch(self, request, node_id):
        node = get_object_or_404(DicomNode, pk=node_id)
        data = NodeInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(NodeOutputSerializer(node_update(node=node, **data.validated_data)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, node_id):
        node_delete(node=get_object_or_404(DicomNode, pk=node_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
