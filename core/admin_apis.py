"""Admin-only endpoints over a small registry an admin keeps by hand (who may send data in, say): a paged list with
create, and update and delete of one row. An app subclasses them with its own serializers, selector and services.

The methods live here, so drf-spectacular would see one schema for every subclass; each subclass is annotated with
its own serializers when it is defined (`__init_subclass__`), and `extend_schema_view` copies the inherited methods
so that no two views share an annotation.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .pagination import PaginatedListMixin
from .permissions import role_required
from .roles import ADMIN

Admins = role_required(ADMIN)


class AdminListApi(PaginatedListMixin, APIView):
    """GET a page of `row_list()`, POST one new row through `row_create(**validated)`."""

    permission_classes = [Admins]
    InputSerializer: type[serializers.Serializer]
    OutputSerializer: type[serializers.Serializer]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        extend_schema_view(
            get=extend_schema(responses=cls.OutputSerializer(many=True)),
            post=extend_schema(request=cls.InputSerializer, responses={201: cls.OutputSerializer}),
        )(cls)

    def row_list(self):
        """The rows, from the app's selector."""
        raise NotImplementedError

    def row_create(self, **data):
        """A new row from validated input, through the app's service."""
        raise NotImplementedError

    def get(self, request):
        return self.paginated_response(self.row_list(), self.OutputSerializer)

    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.OutputSerializer(self.row_create(**data.validated_data)).data,
                        status=status.HTTP_201_CREATED)


class AdminDetailApi(APIView):
    """PATCH or DELETE the `model` row whose primary key is the URL's `lookup_url_kwarg` (404 when there is none)."""

    permission_classes = [Admins]
    model: type
    lookup_url_kwarg: str
    InputSerializer: type[serializers.Serializer]
    OutputSerializer: type[serializers.Serializer]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        extend_schema_view(
            patch=extend_schema(request=cls.InputSerializer(partial=True), responses={200: cls.OutputSerializer}),
            delete=extend_schema(responses={204: None}),
        )(cls)

    def row_update(self, row, **data):
        """`row` with the validated (partial) input applied, through the app's service."""
        raise NotImplementedError

    def row_delete(self, row) -> None:
        """Remove `row` through the app's service."""
        raise NotImplementedError

    def _row(self):
        return get_object_or_404(self.model, pk=self.kwargs[self.lookup_url_kwarg])

    def patch(self, request, **kwargs):
        row = self._row()
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(self.OutputSerializer(self.row_update(row, **data.validated_data)).data)

    def delete(self, request, **kwargs):
        self.row_delete(self._row())
        return Response(status=status.HTTP_204_NO_CONTENT)
