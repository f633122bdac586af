"""OpenAPI schema generation: names nested Input/Output serializers after the API view that owns them, and documents
the error answers every operation really gives (core.exception_handler shapes them)."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer, direction):
        # HackSoft-style APIs nest `InputSerializer`/`OutputSerializer` in each view; qualify them so
        # two views' serializers never collide as one component.
        cls = serializer if isinstance(serializer, type) else type(serializer)
        owner, _, name = cls.__qualname__.rpartition(".")
        return owner.replace(".", "") + name


ERROR_COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "description": "Why the request was refused, in words (and, for a refused write, a short machine code).",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "What was wrong and where: each bad field's name maps to its messages (nested as the input "
                       "is: an object for a nested object, a list for a list); `non_field_errors` holds what concerns "
                       "the whole input, `detail` a request that could not be read at all.",
        "properties": {
            "detail": {"type": "string"},
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": {},
    },
}
_ERRORS = {
    "400": ("The input is invalid: what was wrong and where.", "ValidationErrors"),
    "403": ("Not signed in, or this role may not do this.", "ErrorDetail"),
    "404": ("No such object (or not one this user may see).", "ErrorDetail"),
    "409": ("The object's state forbids this (published, submitted, closed or already done).", "ErrorDetail"),
    "413": ("The upload is larger than this server accepts.", "ErrorDetail"),
}
_WRITES = {"post", "put", "patch", "delete"}


def _error_codes(method: str, operation: dict) -> list[str]:
    codes = []
    params = operation.get("parameters", [])
    if method in _WRITES or "requestBody" in operation or any(p["in"] == "query" for p in params):
        codes.append("400")
    # Session authentication comes first, so an anonymous request is answered 403 (DRF's 401 needs a challenge).
    if {} not in operation.get("security", [{}]):
        codes.append("403")
    # A path's object, or one the query or body names by id, that does not exist.
    if params or "requestBody" in operation:
        codes.append("404")
    if method in _WRITES:
        codes.append("409")
    body = operation.get("requestBody", {}).get("content", {})
    if next(iter(body), None) == "multipart/form-data":
        codes.append("413")
    return codes


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the error answers each operation can give, where the view did not
    document them itself (a view's own `extend_schema(responses=...)` wins)."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_COMPONENTS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in _error_codes(method, operation):
                description, component = _ERRORS[code]
                operation["responses"].setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                })
    return result
