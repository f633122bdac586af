"""Agreement and reader-quality API."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.apis.common import Curator, CuratorOrTrainer, visible_campaign
from annotation.selectors.agreement import agreement_table, reader_quality
from core.pagination import PaginatedListMixin
from core.params import int_param


class EstimateSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    n_items = serializers.IntegerField()
    n_studies = serializers.IntegerField()


class _Statistics(serializers.Serializer):
    cohen_kappa = EstimateSerializer(help_text="Mean pairwise Cohen's kappa (Light's kappa).")
    fleiss_kappa = EstimateSerializer()
    krippendorff_alpha = EstimateSerializer()
    gwet_ac1 = EstimateSerializer()


class AgreementApi(APIView):
    permission_classes = [CuratorOrTrainer]

    class TraitSerializer(_Statistics):
        trait = serializers.CharField()
        significance = serializers.CharField()
        positive_rate = serializers.FloatField()
        cohen_pairs = serializers.ListField(child=serializers.DictField(), required=False)

    class GroupSerializer(_Statistics):
        kind = serializers.CharField()
        group = serializers.CharField()
        traits = serializers.ListField(child=serializers.CharField())

    class OutputSerializer(serializers.Serializer):
        campaign_id = serializers.IntegerField()
        n_studies = serializers.IntegerField()
        n_readers = serializers.IntegerField()
        traits = serializers.ListField(child=serializers.DictField())
        groups = serializers.ListField(child=serializers.DictField())

    @extend_schema(
        parameters=[OpenApiParameter("n_boot", int, description="Bootstrap replicates, 0 to 5000 (default 1000).")],
        responses=OutputSerializer,
    )
    def get(self, request, campaign_id):
        n_boot = int_param(request.query_params, "n_boot", 1000, max_value=5000)
        table = agreement_table(campaign=visible_campaign(request, campaign_id), n_boot=n_boot)
        table["traits"] = self.TraitSerializer(table["traits"], many=True).data
        table["groups"] = self.GroupSerializer(table["groups"], many=True).data
        return Response(self.OutputSerializer(table).data)


class ReaderQualityApi(PaginatedListMixin, APIView):
    """Each reader by name with their sensitivity and specificity: for curators and admins, who run the campaign
    (the role matrix in docs/annotation.md); trainers see agreement, never who read how well."""

    permission_classes = [Curator]

    class OutputSerializer(serializers.Serializer):
        reader = serializers.CharField()
        n_reads = serializers.IntegerField()
        reads_per_hour = serializers.FloatField(allow_null=True)
        median_time_per_study_s = serializers.FloatField(allow_null=True)
        vs_consensus = serializers.DictField(help_text="sensitivity, specificity, tp, fn, tn, fp")
        vs_gold = serializers.DictField()
        dawid_skene = serializers.DictField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, campaign_id):
        campaign = visible_campaign(request, campaign_id)
        rows = reader_quality(campaign=campaign, reader_ids=None)
        names = dict(campaign.readers.values_list("pk", "username"))
        for row in rows:
            row["reader"] = names.get(row["reader_id"], str(row["reader_id"]))
        return self.paginated_response(rows, self.OutputSerializer)
