"""Read API: autosave a draft, submit (or "no findings"), the reader's own reads, one read, amend."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.apis.common import Radiologist, RadiologistOrCurator, conflict_response
from annotation.apis.worklist import own_assignment
from annotation.labels import NOTE_MAX_CHARS
from annotation.models import Read
from annotation.selectors.reads import labels_loaded, read_labels, reads_for_reader, with_labels
from annotation.services.audit import audit_source_from
from annotation.services.reads import read_amend, read_draft_save, read_submit
from core.pagination import PaginatedListMixin
from core.roles import CURATOR, has_role

LABELS_HELP = (
    'Trait code -> "present" | "absent" | "uncertain", or {state, slice_ranges: [[first, last], ...], '
    "key_images: [slice, ...], note}. Slices are 0-based indices of the primary axial series in slice order, below "
    "the assignment's n_slices; slice_ranges are inclusive. Both only on present traits and only where the "
    "campaign collects slices (its slice_ranges flag); key_images come back sorted without repeats. "
    "Traits left out are absent on submit."
)


class ReadOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assignment_id = serializers.IntegerField()
    study_uid = serializers.CharField(source="assignment.campaign_study.study.study_uid")
    version = serializers.IntegerField()
    status = serializers.CharField()
    no_findings = serializers.BooleanField()
    note = serializers.CharField()
    time_spent_s = serializers.FloatField()
    amends = serializers.IntegerField(source="amends_id", allow_null=True)
    amendment_reason = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    labels = serializers.SerializerMethodField(help_text=(
        "Trait code -> {state, slice_ranges, key_images, note, implied}; implied: set by the hierarchy (a positive "
        "subtype made its parent positive)."))

    def get_labels(self, read) -> dict:
        return read_labels(read, "note", "implied")


class _ReadInput(serializers.Serializer):
    labels = serializers.DictField(required=False, default=dict, help_text=LABELS_HELP)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX_CHARS,
                                 help_text=f"Free text, at most {NOTE_MAX_CHARS} characters (as is each trait's note).")
    time_spent_s = serializers.FloatField(required=False, min_value=0, default=0.0)


class DraftApi(APIView):
    permission_classes = [Radiologist]

    @extend_schema(request=_ReadInput, responses=ReadOutputSerializer)
    def put(self, request, assignment_id):
        data = _ReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        read = read_draft_save(reader=request.user, assignment=own_assignment(request, assignment_id),
                               source=audit_source_from(request), **data.validated_data)
        return Response(ReadOutputSerializer(labels_loaded(read)).data)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="read_already_submitted: this assignment's read was submitted before.")


class SubmitApi(APIView):
    """Submit the read once; a repeat (double click, retried request) answers 409 Conflict."""

    permission_classes = [Radiologist]

    def handle_exception(self, exc):
        return conflict_response(exc) or super().handle_exception(exc)

    class InputSerializer(_ReadInput):
        no_findings = serializers.BooleanField(required=False, default=False,
                                               help_text="Every trait absent, in one step.")

    @extend_schema(request=InputSerializer, responses={201: ReadOutputSerializer, 409: ConflictSerializer})
    def post(self, request, assignment_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        read = read_submit(reader=request.user, assignment=own_assignment(request, assignment_id),
                           source=audit_source_from(request), **data.validated_data)
        return Response(ReadOutputSerializer(labels_loaded(read)).data, status=status.HTTP_201_CREATED)


class MyReadsApi(PaginatedListMixin, APIView):
    permission_classes = [Radiologist]

    @extend_schema(responses=ReadOutputSerializer(many=True))
    def get(self, request):
        return self.paginated_response(reads_for_reader(reader=request.user), ReadOutputSerializer)


def visible_read(request, read_id: int) -> Read:
    read = get_object_or_404(
        with_labels(Read.objects.select_related("assignment__campaign_study__study", "assignment__campaign")),
        pk=read_id,
    )
    if read.assignment.reader_id != request.user.pk and not has_role(request.user, CURATOR):
        raise NotFound("No such read.")  # radiologists see only their own reads
    return read


class ReadDetailApi(APIView):
    permission_classes = [RadiologistOrCurator]

    @extend_schema(responses=ReadOutputSerializer)
    def get(self, request, read_id):
        return Response(ReadOutputSerializer(visible_read(request, read_id)).data)


class ReadAmendApi(APIView):
    permission_classes = [Radiologist]

    class InputSerializer(_ReadInput):
        reason = serializers.CharField(max_length=NOTE_MAX_CHARS)

    @extend_schema(request=InputSerializer, responses={201: ReadOutputSerializer})
    def post(self, request, read_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        read = get_object_or_404(Read, pk=read_id)
        if read.assignment.reader_id != request.user.pk:
            raise NotFound("No such read.")
        new = read_amend(reader=request.user, read=read, source=audit_source_from(request), **data.validated_data)
        return Response(ReadOutputSerializer(labels_loaded(new)).data, status=status.HTTP_201_CREATED)
