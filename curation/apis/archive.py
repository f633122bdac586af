"""Archive API under /api/archive/: studies with series and QC flags, rejections, upload jobs, identity links.

Everything here is de-identified except identity links, which only admins may read.
"""

import io

from django.core.exceptions import TooManyFilesSent
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PaginatedListMixin
from core.permissions import role_required
from core.roles import CURATOR, RADIOLOGIST, TRAINER, is_admin
from curation.dicom.store import read_bytes
from curation.models import IngestJob, Rejection, Series
from curation.selectors.archive import identity_link_list, ingest_job_list, rejection_list, study_get, study_list
from curation.services.ingest_job import ingest_upload_start, too_many_files_message

StudyReaders = role_required(CURATOR, read_roles=(RADIOLOGIST, TRAINER))
Curators = role_required(CURATOR)


class AdminOnly(BasePermission):
    message = "Original identifiers are for admins only."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and is_admin(request.user))


class SeriesOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Series
        fields = ["series_uid", "series_number", "modality", "kind", "n_instances", "qc_flags", "slice_spacing",
                  "rows", "columns"]


class StudyOutputSerializer(serializers.Serializer):
    study_uid = serializers.CharField()
    patient = serializers.CharField(source="patient.pseudonym")
    accession_pseudonym = serializers.CharField()
    study_date = serializers.DateField()
    modality = serializers.CharField()
    site = serializers.CharField()
    station = serializers.CharField()
    age_band = serializers.CharField(help_text="The patient's age band at the study; never the age itself.")
    n_series = serializers.IntegerField()
    n_instances = serializers.IntegerField()
    primary_series = serializers.CharField(source="primary_series.series_uid", allow_null=True, default=None)
    series = SeriesOutputSerializer(many=True)


class StudyListApi(PaginatedListMixin, APIView):
    permission_classes = [StudyReaders]

    class FilterSerializer(serializers.Serializer):
        patient = serializers.CharField(required=False, default="")
        accession = serializers.CharField(required=False, default="")
        kind = serializers.ChoiceField(choices=Series.Kind.choices, required=False, default="")

    @extend_schema(parameters=[FilterSerializer], responses=StudyOutputSerializer(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return self.paginated_response(study_list(**filters.validated_data), StudyOutputSerializer)


class StudyDetailApi(APIView):
    permission_classes = [StudyReaders]

    @extend_schema(responses=StudyOutputSerializer)
    def get(self, request, study_uid):
        study = study_get(study_uid=study_uid)
        if study is None:
            return Response({"detail": f"No study {study_uid} in the archive."}, status=status.HTTP_404_NOT_FOUND)
        return Response(StudyOutputSerializer(study).data)


class RejectionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rejection
        fields = ["id", "source", "name", "rule", "tag", "reason", "sha256", "job", "created_at"]


class RejectionListApi(PaginatedListMixin, APIView):
    permission_classes = [Curators]

    @extend_schema(responses=RejectionOutputSerializer(many=True))
    def get(self, request):
        return self.paginated_response(rejection_list(rule=request.query_params.get("rule", "")),
                                       RejectionOutputSerializer)


class RejectionFileApi(APIView):
    """The quarantined original bytes: they may hold PHI, so admins only."""

    permission_classes = [AdminOnly]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, rejection_id):
        rejection = get_object_or_404(Rejection, pk=rejection_id)
        if not rejection.quarantine_path:
            return Response({"detail": "Nothing was kept for this rejection."}, status=status.HTTP_404_NOT_FOUND)
        # Quarantine keeps the first 64 KiB of a longer original (curation.dicom.store.store_quarantine).
        part = "-first-64KiB" if rejection.quarantine_path.endswith(".head.bin") else ""
        return FileResponse(io.BytesIO(read_bytes(rejection.quarantine_path)), as_attachment=True,
                            filename=f"rejection-{rejection.pk}{part}.bin", content_type="application/octet-stream")


class IngestJobOutputSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    stalled = serializers.BooleanField(read_only=True, help_text="No progress for the stall limit: being retried.")

    class Meta:
        model = IngestJob
        fields = ["id", "source", "status", "total", "processed", "percent", "accepted", "duplicate", "rejected",
                  "rejected_by_reason", "message", "chunks_total", "chunks_done", "stalled", "attempts",
                  "heartbeat_at", "created_at", "started_at", "finished_at"]


class UploadApi(APIView):
    """Upload DICOM files or zip files; the ingest runs as a background job (poll the job for progress)."""

    permission_classes = [Curators]
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        files = serializers.ListField(child=serializers.FileField(), allow_empty=False)

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={202: IngestJobOutputSerializer})
    def post(self, request):
        try:  # the parser streams each file to a temporary file: memory stays bounded, but the count is capped
            files = request.FILES.getlist("files")
        except TooManyFilesSent:
            raise serializers.ValidationError({"files": [too_many_files_message()]}) from None
        data = self.InputSerializer(data={"files": files})
        data.is_valid(raise_exception=True)
        job = ingest_upload_start(user=request.user, files=data.validated_data["files"])
        job.refresh_from_db()
        return Response(IngestJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class IngestJobListApi(PaginatedListMixin, APIView):
    permission_classes = [Curators]

    @extend_schema(responses=IngestJobOutputSerializer(many=True))
    def get(self, request):
        return self.paginated_response(ingest_job_list(), IngestJobOutputSerializer)


class IngestJobDetailApi(APIView):
    permission_classes = [Curators]

    @extend_schema(responses=IngestJobOutputSerializer)
    def get(self, request, job_id):
        return Response(IngestJobOutputSerializer(get_object_or_404(IngestJob, pk=job_id)).data)


class IdentityLinkOutputSerializer(serializers.Serializer):
    study_uid = serializers.CharField(source="study.study_uid")
    patient = serializers.CharField(source="study.patient.pseudonym")
    original_study_uid = serializers.CharField()
    original_patient_id = serializers.CharField()
    original_patient_name = serializers.CharField()
    original_birth_date = serializers.CharField()
    original_accession = serializers.CharField()
    original_institution = serializers.CharField()
    date_shift_days = serializers.IntegerField()


class IdentityLinkListApi(PaginatedListMixin, APIView):
    permission_classes = [AdminOnly]

    @extend_schema(responses=IdentityLinkOutputSerializer(many=True))
    def get(self, request):
        return self.paginated_response(identity_link_list(), IdentityLinkOutputSerializer)
