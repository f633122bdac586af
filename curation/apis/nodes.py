"""Known DICOM nodes under /api/archive/nodes/ (admins only): who may associate with the C-STORE listener."""

from django.core.exceptions import ValidationError
from rest_framework import serializers

from core.admin_apis import AdminDetailApi, AdminListApi
from curation.models import DicomNode
from curation.models.node import validate_network
from curation.selectors.nodes import node_list
from curation.services.nodes import node_create, node_delete, node_update

# DICOM AE titles (PS3.5 table 6.2-1, AE): 1-16 characters of the default repertoire, no backslash, no controls.
AE_TITLE_RE = r"^[ -\[\]-~]{1,16}$"
AE_TITLE_ERRORS = {"invalid": "An AE title is 1-16 printable ASCII characters, no backslash."}


def _network(value: str) -> str:
    try:
        validate_network(value)
    except ValidationError as exc:
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


class NodeListApi(AdminListApi):
    """The known DICOM nodes; register one (AE title and IP address or network)."""

    InputSerializer, OutputSerializer = NodeInputSerializer, NodeOutputSerializer

    def row_list(self):
        return node_list()

    def row_create(self, **data):
        return node_create(**data)


class NodeDetailApi(AdminDetailApi):
    """Change a DICOM node (may it store, is it enabled) or remove it."""

    model, lookup_url_kwarg = DicomNode, "node_id"
    InputSerializer, OutputSerializer = NodeInputSerializer, NodeOutputSerializer

    def row_update(self, row, **data):
        return node_update(node=row, **data)

    def row_delete(self, row):
        node_delete(node=row)
