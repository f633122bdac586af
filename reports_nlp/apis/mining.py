"""Mining API: start a run, follow its progress, resume it, read a report's findings, mine posted text."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from core.pagination import PaginatedListMixin
from reports_nlp.apis.base import ReportsApiView
from reports_nlp.models import MappingSet, MiningRun
from reports_nlp.pipeline import findings_json
from reports_nlp.pipeline_cache import pipeline_for
from reports_nlp.selectors.mapping_sets import mapping_set_get
from reports_nlp.selectors.mining import mining_run_list, mining_run_status, report_findings
from reports_nlp.selectors.quality import mapping_quality
from reports_nlp.services.mining import mining_run_create, mining_run_dispatch


def _mapping_set(version: int | None) -> MappingSet:
    try:
        return mapping_set_get(version=version)
    except MappingSet.DoesNotExist as exc:
        raise serializers.ValidationError({"mapping_set": f"No mapping set {version or '(published)'}."}) from exc


class MiningRunOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    mapping_set = serializers.IntegerField(help_text="The mapping set's version.")
    done = serializers.IntegerField(help_text="Reports mined so far.")
    total = serializers.IntegerField()
    progress = serializers.FloatField()
    chunks_done = serializers.IntegerField()
    chunks_total = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField()
    stalled = serializers.BooleanField(help_text="No progress for the stall limit: pending chunks are being retried.")
    message = serializers.CharField(help_text="What is happening beyond the status (a stall being retried), or empty.")
    attempts = serializers.IntegerField(help_text="Tries so far, the first included.")
    heartbeat_at = serializers.DateTimeField(allow_null=True, help_text="When a worker last finished a chunk.")

    def to_representation(self, run):
        # Each row is exactly what the run's own URL answers while a client follows its progress.
        return mining_run_status(run=run)


class MiningRunListApi(PaginatedListMixin, ReportsApiView):
    class InputSerializer(serializers.Serializer):
        mapping_set = serializers.IntegerField(required=False, allow_null=True, default=None,
                                               help_text="Version; default the latest published.")
        chunk_size = serializers.IntegerField(min_value=1, max_value=100_000, default=2000)
        filters = serializers.DictField(required=False, default=dict)

    @extend_schema(operation_id="reports_mining_runs_list", responses=MiningRunOutputSerializer(many=True))
    def get(self, request):
        return self.paginated_response(mining_run_list(), MiningRunOutputSerializer)

    @extend_schema(request=InputSerializer, responses={202: dict})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        run = mining_run_create(mapping_set=_mapping_set(v["mapping_set"]), created_by=request.user,
                                chunk_size=v["chunk_size"], filters=v["filters"])
        run = mining_run_dispatch(run=run)
        run.refresh_from_db()
        return Response(mining_run_status(run=run), status=status.HTTP_202_ACCEPTED)


class MiningRunDetailApi(ReportsApiView):
    @extend_schema(responses={200: dict})
    def get(self, request, run_id):
        return Response(mining_run_status(run=get_object_or_404(MiningRun, pk=run_id)))


class MiningRunResumeApi(ReportsApiView):
    """Re-dispatch a run's pending chunks; done chunks are skipped."""

    @extend_schema(request=None, responses={202: dict})
    def post(self, request, run_id):
        run = mining_run_dispatch(run=get_object_or_404(MiningRun, pk=run_id))
        run.refresh_from_db()
        return Response(mining_run_status(run=run), status=status.HTTP_202_ACCEPTED)


class ReportFindingsApi(ReportsApiView):
    @extend_schema(responses={200: dict})
    def get(self, request, run_id, report_id):
        return Response(report_findings(run=get_object_or_404(MiningRun, pk=run_id), report_id=report_id))


class MineTextApi(ReportsApiView):
    """Mine posted texts with a mapping set; nothing is stored (the REST twin of `manage.py mine_text`)."""

    class InputSerializer(serializers.Serializer):
        texts = serializers.ListField(child=serializers.CharField(allow_blank=True, trim_whitespace=False),
                                      max_length=1000)
        mapping_set = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses={200: dict})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pipeline = pipeline_for(_mapping_set(data.validated_data["mapping_set"]))
        return Response({"results": [findings_json(pipeline, text) for text in data.validated_data["texts"]]})


class MappingQualityApi(ReportsApiView):
    """Precision/recall of the run's verdicts, per trait and phrase, against posted reference labels."""

    class InputSerializer(serializers.Serializer):
        reference = serializers.DictField(
            child=serializers.DictField(child=serializers.BooleanField()),
            help_text="{study id: {trait code: true|false}}: consensus, ground truth, any labels you trust.",
        )

    @extend_schema(request=InputSerializer, responses={200: dict})
    def post(self, request, run_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            reference = {int(k): v for k, v in data.validated_data["reference"].items()}
        except ValueError as exc:
            raise serializers.ValidationError({"reference": "keys must be study ids"}) from exc
        return Response(mapping_quality(run=get_object_or_404(MiningRun, pk=run_id), reference=reference))
