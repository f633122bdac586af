"""Mapping sets API: list, detail (mappings and ConText rules), clone, publish, edit a draft, live preview."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from core.pagination import PaginatedListMixin
from reports_nlp.apis.base import CuratorOrReader, ReportsApiView
from reports_nlp.models import KeywordMapping, MappingSet
from reports_nlp.pipeline import SECTIONS
from reports_nlp.selectors.mapping_sets import mapping_set_list
from reports_nlp.selectors.preview import mapping_preview
from reports_nlp.services.mapping_sets import (
    keyword_mapping_create,
    keyword_mapping_update,
    mapping_set_clone,
    mapping_set_publish,
    mapping_set_rules_update,
)


class MappingSetOutputSerializer(serializers.ModelSerializer):
    taxonomy = serializers.StringRelatedField()
    mapping_count = serializers.IntegerField(read_only=True, allow_null=True, default=None)

    class Meta:
        model = MappingSet
        fields = ["id", "version", "status", "taxonomy", "description", "cloned_from", "created_at", "published_at",
                  "mapping_count"]


class KeywordMappingOutputSerializer(serializers.ModelSerializer):
    trait = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = KeywordMapping
        fields = ["id", "trait", "phrases", "exclusions", "sections", "weight"]


def _by_version(version: int) -> MappingSet:
    return get_object_or_404(MappingSet, version=version)


class MappingSetListApi(PaginatedListMixin, ReportsApiView):
    permission_classes = [CuratorOrReader]

    @extend_schema(responses=MappingSetOutputSerializer(many=True))
    def get(self, request):
        return self.paginated_response(mapping_set_list(), MappingSetOutputSerializer)


class MappingSetDetailApi(ReportsApiView):
    permission_classes = [CuratorOrReader]

    class OutputSerializer(MappingSetOutputSerializer):
        mappings = KeywordMappingOutputSerializer(many=True, read_only=True)

        class Meta(MappingSetOutputSerializer.Meta):
            fields = [*MappingSetOutputSerializer.Meta.fields, "mappings", "context_rules"]

    @extend_schema(responses=OutputSerializer)
    def get(self, request, version):
        return Response(self.OutputSerializer(_by_version(version)).data)


class MappingSetCloneApi(ReportsApiView):
    class InputSerializer(serializers.Serializer):
        description = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: MappingSetOutputSerializer})
    def post(self, request, version):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = mapping_set_clone(mapping_set=_by_version(version), **data.validated_data)
        return Response(MappingSetOutputSerializer(draft).data, status=status.HTTP_201_CREATED)


class MappingSetPublishApi(ReportsApiView):
    @extend_schema(request=None, responses={200: MappingSetOutputSerializer})
    def post(self, request, version):
        return Response(MappingSetOutputSerializer(mapping_set_publish(mapping_set=_by_version(version))).data)


class MappingSetRulesApi(ReportsApiView):
    class InputSerializer(serializers.Serializer):
        context_rules = serializers.ListField(child=serializers.DictField())

    @extend_schema(request=InputSerializer, responses={200: dict})
    def put(self, request, version):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mapping_set = mapping_set_rules_update(mapping_set=_by_version(version), rules=data.validated_data["context_rules"])
        return Response({"version": mapping_set.version, "context_rules": mapping_set.context_rules})


class _MappingFields(serializers.Serializer):
    phrases = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    exclusions = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    sections = serializers.ListField(child=serializers.ChoiceField(choices=SECTIONS), required=False)
    weight = serializers.FloatField(min_value=0, required=False)


class KeywordMappingCreateApi(ReportsApiView):
    class InputSerializer(_MappingFields):
        trait = serializers.SlugField()

    @extend_schema(request=InputSerializer, responses={201: KeywordMappingOutputSerializer})
    def post(self, request, version):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        mapping = keyword_mapping_create(mapping_set=_by_version(version), trait_code=fields.pop("trait"), **fields)
        return Response(KeywordMappingOutputSerializer(mapping).data, status=status.HTTP_201_CREATED)


class KeywordMappingDetailApi(ReportsApiView):
    @extend_schema(request=_MappingFields, responses={200: KeywordMappingOutputSerializer})
    def patch(self, request, mapping_id):
        data = _MappingFields(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        mapping = keyword_mapping_update(mapping=get_object_or_404(KeywordMapping, pk=mapping_id),
                                         **data.validated_data)
        return Response(KeywordMappingOutputSerializer(mapping).data)


class MappingPreviewApi(ReportsApiView):
    """Matching sentences from archived reports, with the match and its assertion (PHI: curators only)."""

    class InputSerializer(serializers.Serializer):
        trait = serializers.SlugField()
        phrase = serializers.CharField(max_length=200)
        limit = serializers.IntegerField(min_value=1, max_value=100, default=20)

    @extend_schema(request=InputSerializer, responses={200: dict})
    def post(self, request, version):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        return Response(mapping_preview(mapping_set=_by_version(version), trait_code=v["trait"], phrase=v["phrase"],
                                        limit=v["limit"]))
