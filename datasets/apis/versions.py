"""Dataset version API: list and define versions (which starts their export), detail with progress, resume, diff."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PaginatedListMixin
from core.permissions import role_required
from core.roles import CURATOR, TRAINER
from curation.models import Taxonomy
from datasets.models import ConsensusMethod, DatasetVersion
from datasets.selectors.versions import (
    dataset_version_latest_job,
    dataset_version_list,
    version_diff,
    version_manifest,
)
from datasets.services.export import dataset_export_start
from datasets.services.versions import dataset_version_create_and_export

TrainerOrCuratorReads = role_required(TRAINER, read_roles=(CURATOR,))


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    chunks_total = serializers.IntegerField()
    chunks_done = serializers.IntegerField()
    chunks_skipped = serializers.IntegerField()
    percent = serializers.IntegerField()
    message = serializers.CharField()
    stalled = serializers.BooleanField(help_text="No progress for the stall limit: its unfinished chunks are being "
                                                 "retried (see message).")
    attempts = serializers.IntegerField(help_text="Tries so far, the first included.")
    heartbeat_at = serializers.DateTimeField(allow_null=True, help_text="When a worker last made progress.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class VersionOutputSerializer(serializers.ModelSerializer):
    taxonomy = serializers.StringRelatedField()
    created_by = serializers.StringRelatedField(allow_null=True)
    job = serializers.SerializerMethodField()

    class Meta:
        model = DatasetVersion
        fields = ["id", "name", "version", "status", "content_hash", "description", "created_by", "created_at",
                  "published_at", "taxonomy", "campaign_ids", "filters", "consensus_method", "traits", "split_seed",
                  "split_fractions", "calibration_sizing", "stratify_on", "image_rows", "image_cols",
                  "chunk_studies", "n_studies", "n_slices", "error", "job"]

    @extend_schema_field(JobSerializer(allow_null=True))
    def get_job(self, version) -> dict | None:
        job = dataset_version_latest_job(version)
        return JobSerializer(job).data if job else None


class VersionListApi(PaginatedListMixin, APIView):
    permission_classes = [TrainerOrCuratorReads]

    class InputSerializer(serializers.Serializer):
        name = serializers.SlugField(max_length=100)
        taxonomy_id = serializers.IntegerField()
        campaign_ids = serializers.ListField(child=serializers.IntegerField(), min_length=1)
        consensus_method = serializers.ChoiceField(choices=ConsensusMethod.choices, default=ConsensusMethod.MAJORITY)
        traits = serializers.ListField(child=serializers.CharField(), required=False, default=list)
        split_seed = serializers.IntegerField(default=0)
        split_fractions = serializers.ListField(child=serializers.FloatField(), min_length=3, max_length=3,
                                                default=[0.7, 0.1, 0.2])
        image_size = serializers.IntegerField(min_value=16, max_value=2048, default=256)
        chunk_studies = serializers.IntegerField(min_value=1, default=16)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        calibration_target_csmr = serializers.FloatField(required=False, allow_null=True, default=None,
                                                         min_value=0.0001, max_value=0.9999)

    @extend_schema(responses=VersionOutputSerializer(many=True))
    def get(self, request):
        versions = dataset_version_list(name=request.query_params.get("name", ""))
        return self.paginated_response(versions, VersionOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: VersionOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        size = fields.pop("image_size")
        taxonomy = get_object_or_404(Taxonomy, pk=fields.pop("taxonomy_id"))
        version = dataset_version_create_and_export(taxonomy=taxonomy, image_size=(size, size),
                                                    created_by=request.user, **fields)
        return Response(VersionOutputSerializer(version).data, status=status.HTTP_201_CREATED)


class VersionDetailApi(APIView):
    permission_classes = [TrainerOrCuratorReads]

    @extend_schema(responses={200: dict})
    def get(self, request, version_id):
        version = get_object_or_404(DatasetVersion, pk=version_id)
        return Response({**VersionOutputSerializer(version).data, "manifest": version_manifest(version)})


class VersionExportApi(APIView):
    """Start (or resume after a failure) the export of a version that is not published."""

    permission_classes = [role_required(TRAINER)]

    class InputSerializer(serializers.Serializer):
        supersede = serializers.BooleanField(default=False)

    @extend_schema(request=InputSerializer, responses={202: JobSerializer})
    def post(self, request, version_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = dataset_export_start(version=get_object_or_404(DatasetVersion, pk=version_id), user=request.user,
                                   **data.validated_data)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class VersionDiffApi(APIView):
    permission_classes = [TrainerOrCuratorReads]

    @extend_schema(responses={200: dict})
    def get(self, request, version_id, other_id):
        old = get_object_or_404(DatasetVersion, pk=version_id)
        new = get_object_or_404(DatasetVersion, pk=other_id)
        try:
            return Response(version_diff(old, new))
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
