"""Report feeds over HTTP: FHIR DiagnosticReports POSTed (curators and admins), and the known HL7 senders (admins)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from core.admin_apis import AdminDetailApi, AdminListApi
from reports_nlp.apis.base import ReportsApiView
from reports_nlp.models import ReportSender
from reports_nlp.selectors.report_senders import sender_list
from reports_nlp.services.report_feeds import fhir_payload_receive
from reports_nlp.services.report_senders import sender_create, sender_delete, sender_update


class FhirJSONParser(JSONParser):
    media_type = "application/fhir+json"


class FhirOutcomeSerializer(serializers.Serializer):
    control_id = serializers.CharField(help_text="The resource id (or #index in the Bundle).")
    ack_code = serializers.CharField(help_text="AA imported (or a duplicate), AE/AR not imported.")
    kind = serializers.CharField(help_text="created, revised, duplicate, kept-not-current, cancelled, or the error.")
    report_id = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField(allow_blank=True, help_text="Which field failed; never its value.")


class FhirDiagnosticReportApi(ReportsApiView):
    """POST a FHIR R4 DiagnosticReport or a Bundle of them; each becomes a revision of its accession's report."""

    parser_classes = [JSONParser, FhirJSONParser]

    class OutputSerializer(serializers.Serializer):
        imported = serializers.IntegerField()
        failed = serializers.IntegerField()
        results = FhirOutcomeSerializer(many=True)

    @extend_schema(request={"application/json": dict, "application/fhir+json": dict},
                   responses={200: OutputSerializer, 400: OutputSerializer})
    def post(self, request):
        outcomes = fhir_payload_receive(data=request.data, source="fhir api")
        failed = sum(o.ack_code != "AA" for o in outcomes)
        body = {"imported": len(outcomes) - failed, "failed": failed,
                "results": [{"control_id": o.control_id, "ack_code": o.ack_code, "kind": o.kind,
                             "report_id": o.report_id, "detail": o.detail} for o in outcomes]}
        code = status.HTTP_400_BAD_REQUEST if failed == len(outcomes) else status.HTTP_200_OK
        return Response(self.OutputSerializer(body).data, status=code)


class SenderOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportSender
        fields = ["id", "sending_application", "sending_facility", "description", "enabled", "created_at",
                  "updated_at"]


class SenderInputSerializer(serializers.Serializer):
    sending_application = serializers.CharField(max_length=180, help_text="MSH-3, as the RIS sends it.")
    sending_facility = serializers.CharField(max_length=180, help_text="MSH-4, as the RIS sends it.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    enabled = serializers.BooleanField(required=False, default=True)


class SenderListApi(AdminListApi):
    """The known HL7 report senders; register one (MSH-3 and MSH-4 as the RIS sends them)."""

    InputSerializer, OutputSerializer = SenderInputSerializer, SenderOutputSerializer

    def row_list(self):
        return sender_list()

    def row_create(self, **data):
        return sender_create(**data)


class SenderDetailApi(AdminDetailApi):
    """Change a report sender (is it enabled) or remove it."""

    model, lookup_url_kwarg = ReportSender, "sender_id"
    InputSerializer, OutputSerializer = SenderInputSerializer, SenderOutputSerializer

    def row_update(self, row, **data):
        return sender_update(sender=row, **data)

    def row_delete(self, row):
        sender_delete(sender=row)
