"""Integer query and form parameters of the pages (an id, a page number), read with core's one parser."""

from django.http import Http404
from rest_framework.exceptions import ValidationError as DRFValidationError

from core.params import int_param


def page_int(params, name: str) -> int | None:
    """`name` from a page's query or form as a positive integer (None when absent). A malformed one is a 404, as an
    unknown id is, never a server error: pages answer in pages, not in the API's 400 bodies."""
    try:
        return int_param(params, name, min_value=1)
    except DRFValidationError as exc:
        raise Http404(exc.detail[name][0]) from exc
