"""Reports API: import a CSV/JSONL file or posted rows, list reports, read one (curators and admins only)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.pagination import PaginatedListMixin
from reports_nlp.apis.base import ReportsApiView
from reports_nlp.models import Report
from reports_nlp.report_files import RawRow, ReportFileError
from reports_nlp.selectors.reports import report_list, report_revisions
from reports_nlp.services.report_import import report_import_file, report_import_rows


class ReportImportApi(ReportsApiView):
    """POST a file (multipart `file`, .csv or .jsonl) or JSON {"rows": [{accession_number, ...}]}."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(required=False)
        rows = serializers.ListField(child=serializers.DictField(), required=False)

        def validate(self, attrs):
            if bool(attrs.get("file")) == bool(attrs.get("rows")):
                raise serializers.ValidationError("Send either a file or rows.")
            return attrs

    class OutputSerializer(serializers.Serializer):
        created = serializers.IntegerField()
        revised = serializers.IntegerField()
        unchanged = serializers.IntegerField()
        skipped = serializers.IntegerField()
        errors = serializers.ListField(child=serializers.DictField())

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data.get("file")
        if upload is not None:
            try:
                result = report_import_file(data=upload.read(), name=upload.name)
            except ReportFileError as exc:
                return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        else:
            # Posted rows are numbered from 1, as "lines" of the request.
            rows = [RawRow(i, row) for i, row in enumerate(data.validated_data["rows"], start=1)]
            result = report_import_rows(rows=rows, source="api")
        return Response(self.OutputSerializer(result.as_dict()).data)


class ReportOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "accession_pseudonym", "patient_pseudonym", "report_date", "revision", "result_status",
                  "is_current", "study", "source", "imported_at"]


class ReportListApi(PaginatedListMixin, ReportsApiView):
    class FilterSerializer(serializers.Serializer):
        linked = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(parameters=[FilterSerializer], responses=ReportOutputSerializer(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return self.paginated_response(report_list(linked=filters.validated_data["linked"]), ReportOutputSerializer)


class ReportDetailApi(ReportsApiView):
    class OutputSerializer(ReportOutputSerializer):
        revisions = serializers.SerializerMethodField()

        class Meta(ReportOutputSerializer.Meta):
            fields = [*ReportOutputSerializer.Meta.fields, "text", "revisions"]

        def get_revisions(self, report) -> list[dict]:
            return [{"id": r.pk, "revision": r.revision, "result_status": r.result_status,
                     "report_date": r.report_date, "is_current": r.is_current}
                    for r in report_revisions(report=report)]

    @extend_schema(responses=OutputSerializer)
    def get(self, request, report_id):
        return Response(self.OutputSerializer(get_object_or_404(Report, pk=report_id)).data)
