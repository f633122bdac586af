"""Model run API: upload a run, list and read runs, compare two, set a campaign's active-learning policy,
recompute priorities (a job, its status readable), and the reader's second opinion."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.models import Campaign
from core.pagination import PaginatedListMixin
from core.permissions import role_required
from core.roles import CURATOR, RADIOLOGIST, TRAINER
from datasets.models import ModelRun, PriorityRecomputeJob
from datasets.selectors.model_runs import model_run_compare, model_run_list, priorities_recompute_job_latest
from datasets.selectors.second_opinion import reader_assignment, second_opinion
from datasets.services.active_learning import active_learning_policy_apply, priorities_recompute_queue
from datasets.services.model_runs import model_run_import_archive

TrainerOrCuratorReads = role_required(TRAINER, read_roles=(CURATOR,))


class RunOutputSerializer(serializers.ModelSerializer):
    dataset_version = serializers.StringRelatedField(allow_null=True)  # a run trained outside a known version
    n_predictions = serializers.IntegerField(read_only=True, allow_null=True, default=None)

    class Meta:
        model = ModelRun
        fields = ["id", "name", "dataset_version", "dataset_content_hash", "traits", "high_traits", "threshold",
                  "members", "imported_at", "n_predictions"]


class RunListApi(PaginatedListMixin, APIView):
    permission_classes = [TrainerOrCuratorReads]
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="A .zip or .tar(.gz) of a training run directory.")
        name = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(responses=RunOutputSerializer(many=True))
    def get(self, request):
        return self.paginated_response(model_run_list(), RunOutputSerializer)

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={201: RunOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = model_run_import_archive(upload=data.validated_data["file"], user=request.user,
                                       name=data.validated_data["name"])
        return Response(RunOutputSerializer(run).data, status=status.HTTP_201_CREATED)


class RunDetailApi(APIView):
    permission_classes = [TrainerOrCuratorReads]

    class OutputSerializer(RunOutputSerializer):
        class Meta(RunOutputSerializer.Meta):
            fields = [*RunOutputSerializer.Meta.fields, "config", "report", "plots"]

    @extend_schema(responses=OutputSerializer)
    def get(self, request, run_id):
        return Response(self.OutputSerializer(get_object_or_404(ModelRun, pk=run_id)).data)


class RunCompareApi(APIView):
    permission_classes = [TrainerOrCuratorReads]

    @extend_schema(responses={200: dict})
    def get(self, request, run_id, other_id):
        run_a, run_b = get_object_or_404(ModelRun, pk=run_id), get_object_or_404(ModelRun, pk=other_id)
        return Response({"a": run_a.pk, "b": run_b.pk, "traits": model_run_compare(run_a=run_a, run_b=run_b)})


class ActiveLearningPolicyApi(APIView):
    permission_classes = [role_required(TRAINER, CURATOR)]

    class InputSerializer(serializers.Serializer):
        weights = serializers.DictField(child=serializers.FloatField(min_value=0))
        run_id = serializers.IntegerField(required=False, allow_null=True, default=None)
        seed = serializers.IntegerField(required=False, default=0)

    @extend_schema(request=InputSerializer, responses={200: dict})
    def put(self, request, campaign_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run_id = data.validated_data.pop("run_id")
        policy = active_learning_policy_apply(
            campaign=get_object_or_404(Campaign, pk=campaign_id),
            run=get_object_or_404(ModelRun, pk=run_id) if run_id else None, **data.validated_data,
        )
        return Response({"campaign": campaign_id, "weights": policy.weights, "run": policy.run_id, "seed": policy.seed})


class RecomputeJobSerializer(serializers.ModelSerializer):
    task = serializers.CharField(source="task_id", help_text="The Celery task's id.")
    job = serializers.IntegerField(source="id")
    run = serializers.IntegerField(source="run_id", allow_null=True)

    class Meta:
        model = PriorityRecomputeJob
        fields = ["task", "job", "run", "status", "campaigns_total", "campaigns_done", "attempts", "message",
                  "created_at", "started_at", "finished_at"]


class RecomputeApi(APIView):
    """POST queues a recompute of the run's priorities as a job; GET shows the run's latest recompute job."""

    permission_classes = [role_required(TRAINER, CURATOR)]

    @extend_schema(responses=RecomputeJobSerializer)
    def get(self, request, run_id):
        job = priorities_recompute_job_latest(run=get_object_or_404(ModelRun, pk=run_id))
        if job is None:
            raise Http404("No recompute of this run yet.")
        return Response(RecomputeJobSerializer(job).data)

    @extend_schema(request=None, responses={202: RecomputeJobSerializer})
    def post(self, request, run_id):
        job = priorities_recompute_queue(run=get_object_or_404(ModelRun, pk=run_id))
        return Response(RecomputeJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class SecondOpinionApi(APIView):
    permission_classes = [IsAuthenticated, role_required(RADIOLOGIST)]

    @extend_schema(responses={200: dict})
    def get(self, request, assignment_id):
        assignment = reader_assignment(assignment_id=assignment_id, reader=request.user)
        return Response(second_opinion(assignment=assignment, user=request.user))
