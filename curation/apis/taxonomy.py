"""Taxonomy API: list, nested tree, clone, publish, and trait edits on drafts."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PaginatedListMixin
from core.permissions import role_required
from core.roles import CURATOR, RADIOLOGIST, TRAINER
from curation.models import Taxonomy, Trait
from curation.models.taxonomy import Significance
from curation.selectors.taxonomy import taxonomy_list, taxonomy_tree
from curation.services.taxonomy import taxonomy_clone, taxonomy_publish, trait_create, trait_delete, trait_update

CuratorOrReader = role_required(CURATOR, read_roles=(RADIOLOGIST, TRAINER))


class TaxonomyOutputSerializer(serializers.ModelSerializer):
    trait_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Taxonomy
        fields = ["id", "name", "version", "status", "description", "published_at", "created_at", "trait_count"]


class TaxonomyListApi(PaginatedListMixin, APIView):
    permission_classes = [CuratorOrReader]

    @extend_schema(responses=TaxonomyOutputSerializer(many=True))
    def get(self, request):
        return self.paginated_response(taxonomy_list(), TaxonomyOutputSerializer)


class TaxonomyDetailApi(APIView):
    permission_classes = [CuratorOrReader]

    @extend_schema(responses={200: dict})
    def get(self, request, taxonomy_id):
        return Response(taxonomy_tree(taxonomy=get_object_or_404(Taxonomy, pk=taxonomy_id)))


class TaxonomyCloneApi(APIView):
    permission_classes = [role_required(CURATOR)]

    class InputSerializer(serializers.Serializer):
        description = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: TaxonomyOutputSerializer})
    def post(self, request, taxonomy_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = taxonomy_clone(taxonomy=get_object_or_404(Taxonomy, pk=taxonomy_id), **data.validated_data)
        draft.trait_count = draft.traits.count()
        return Response(TaxonomyOutputSerializer(draft).data, status=status.HTTP_201_CREATED)


class TaxonomyPublishApi(APIView):
    permission_classes = [role_required(CURATOR)]

    @extend_schema(request=None, responses={200: TaxonomyOutputSerializer})
    def post(self, request, taxonomy_id):
        taxonomy = taxonomy_publish(taxonomy=get_object_or_404(Taxonomy, pk=taxonomy_id))
        taxonomy.trait_count = taxonomy.traits.count()
        return Response(TaxonomyOutputSerializer(taxonomy).data)


class TraitOutputSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Trait
        fields = ["id", "code", "name", "description", "significance", "parent", "display_order", "hotkey", "prevalence"]


class TraitCreateApi(APIView):
    permission_classes = [role_required(CURATOR)]

    class InputSerializer(serializers.Serializer):
        code = serializers.SlugField(max_length=64)
        name = serializers.CharField(max_length=120)
        significance = serializers.ChoiceField(choices=Significance.choices)
        parent_code = serializers.CharField(required=False, allow_null=True, default=None)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        hotkey = serializers.CharField(required=False, allow_blank=True, default="")
        display_order = serializers.IntegerField(required=False, min_value=0, default=0)
        prevalence = serializers.FloatField(required=False, min_value=0, max_value=100, default=0.0)

    @extend_schema(request=InputSerializer, responses={201: TraitOutputSerializer})
    def post(self, request, taxonomy_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trait = trait_create(taxonomy=get_object_or_404(Taxonomy, pk=taxonomy_id), **data.validated_data)
        return Response(TraitOutputSerializer(trait).data, status=status.HTTP_201_CREATED)


class TraitDetailApi(APIView):
    permission_classes = [role_required(CURATOR)]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        significance = serializers.ChoiceField(choices=Significance.choices, required=False)
        parent_code = serializers.CharField(required=False, allow_null=True)
        hotkey = serializers.CharField(required=False, allow_blank=True)
        display_order = serializers.IntegerField(required=False, min_value=0)
        prevalence = serializers.FloatField(required=False, min_value=0, max_value=100)

    @extend_schema(request=InputSerializer, responses={200: TraitOutputSerializer})
    def patch(self, request, trait_id):
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        trait = trait_update(trait=get_object_or_404(Trait, pk=trait_id), **data.validated_data)
        return Response(TraitOutputSerializer(trait).data)

    @extend_schema(responses={204: None})
    def delete(self, request, trait_id):
        trait_delete(trait=get_object_or_404(Trait, pk=trait_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
