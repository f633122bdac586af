"""How every list endpoint of the REST API pages: `?limit=&offset=`, answered as {count, next, previous, results}.

Limit/offset is the one style because DICOMweb's QIDO-RS, which the archive also serves, is specified with the same
two parameters. DRF pages only its generic views by itself; our views are plain `APIView`s, so a list view mixes in
`PaginatedListMixin` and returns `self.paginated_response(rows, OutputSerializer)`. The mixin's `pagination_class`
is also what drf-spectacular reads to document the envelope and the two parameters of such a GET.
"""

from collections.abc import Callable

from django.db.models import QuerySet
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from .params import int_param

_PK = {"pk", "-pk", "id", "-id"}


class ListPagination(LimitOffsetPagination):
    """`limit` defaults to REST_FRAMEWORK["PAGE_SIZE"] and may be 1 to `max_limit`; `offset` 0 to the largest bigint.

    DRF's own parsing serves a bad `limit` as the default and a too-large one as `max_limit`, and passes any offset
    on to the database (one past bigint was a 500): here each is a 400 naming the parameter and its range.
    """

    max_limit = 1000

    def get_limit(self, request):
        return int_param(request.query_params, self.limit_query_param, self.default_limit, min_value=1,
                         max_value=self.max_limit)

    def get_offset(self, request):
        return int_param(request.query_params, self.offset_query_param, 0)


class SlicedRows:
    """Rows a selector computes one slice at a time (ranked, annotated dicts rather than a queryset), with their
    total counted apart: what the paginator needs to page them without building the whole list."""

    def __init__(self, *, count: Callable[[], int], rows: Callable[..., list]):
        self._count, self._rows = count, rows

    def count(self) -> int:
        return self._count()

    def __getitem__(self, window: slice) -> list:
        return self._rows(offset=window.start, limit=window.stop - window.start)


def stable_order(rows):
    """A queryset ordered so that a page boundary falls on the same row on every request.

    Ties in the sort key (two assignments reserved in the same transaction, say) would otherwise let the database
    return them in any order, and a row could show on two pages or on none. `.values()` querysets are left alone:
    they group by their columns, and their selectors already order them completely.
    """
    if not isinstance(rows, QuerySet) or rows.query.values_select:
        return rows
    ordering = list(rows.query.order_by or (rows.model._meta.ordering if rows.query.default_ordering else []))
    if any(isinstance(key, str) and key in _PK for key in ordering):
        return rows
    return rows.order_by(*ordering, "pk")


class PaginatedListMixin:
    pagination_class = ListPagination

    def paginated_response(self, rows, serializer_class, *, extra: dict | None = None, **serializer_kwargs) -> Response:
        """One page of `rows` (a queryset, a list or `SlicedRows`) as {count, next, previous, results}; `extra`
        adds keys beside them (which mining run the rows come from, say)."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(stable_order(rows), self.request, view=self)
        response = paginator.get_paginated_response(serializer_class(page, many=True, **serializer_kwargs).data)
        if extra:
            response.data = {**response.data, **extra}
        return response
