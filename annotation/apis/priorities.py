"""Priority API: lower layers and curators hand in scores per study and source; the campaign blends them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.apis.common import CuratorOrTrainer, visible_campaign
from annotation.services.priorities import priority_set
from core.pagination import PaginatedListMixin


class PrioritiesApi(PaginatedListMixin, APIView):
    permission_classes = [CuratorOrTrainer]

    class ScoreSerializer(serializers.Serializer):
        study_id = serializers.IntegerField()
        score = serializers.FloatField()
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    class InputSerializer(serializers.Serializer):
        source = serializers.CharField(help_text="e.g. mining, active_learning")
        scores = serializers.ListField(child=serializers.DictField())

    class OutputSerializer(serializers.Serializer):
        updated = serializers.IntegerField()
        skipped = serializers.DictField(child=serializers.CharField(), help_text="Study id -> why it was skipped.")

    class ScoreOutputSerializer(serializers.Serializer):
        study_id = serializers.IntegerField()
        source = serializers.CharField()
        score = serializers.FloatField()
        reason = serializers.CharField()
        updated_at = serializers.DateTimeField()

    @extend_schema(responses=ScoreOutputSerializer(many=True))
    def get(self, request, campaign_id):
        rows = visible_campaign(request, campaign_id).priority_scores.order_by("study_id", "source")
        return self.paginated_response(rows, self.ScoreOutputSerializer)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request, campaign_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scores, skipped = {}, {}
        for i, raw in enumerate(data.validated_data["scores"]):
            item = self.ScoreSerializer(data=raw)
            if item.is_valid():
                scores[item.validated_data["study_id"]] = (item.validated_data["score"], item.validated_data["reason"])
            else:  # one bad row never sinks the batch
                skipped[str(raw.get("study_id", f"row {i}"))] = str(item.errors)
        result = priority_set(campaign=visible_campaign(request, campaign_id), scores=scores,
                              source=data.validated_data["source"])
        skipped.update({str(k): v for k, v in result.skipped.items()})
        return Response(self.OutputSerializer({"updated": result.updated, "skipped": skipped}).data)
