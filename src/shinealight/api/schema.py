"""Post-processing of the published OpenAPI schema, so it says what the API really does.

Two facts hold for every operation and are stated once here rather than on each view:

- every failure has the one error body (`api.errors`), with the status codes DRF and our
  permission and throttle classes answer with;
- a list (a GET whose success is an array) is paginated by `api.pagination.Pagination`,
  so its body is the page envelope around that array.

`tests/security/test_schemathesis.py` calls every operation as every role and checks the
responses against this schema, so a view that breaks either rule fails the build.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "extra": {"type": "object", "additionalProperties": True},
    },
    "required": ["message", "extra"],
}

ERRORS = {
    "400": "The request is not valid; `extra` says which fields and why.",
    "401": "Not signed in: send `Authorization: Token …`.",
    "403": "Signed in, but this role may not do this.",
    "404": "No such object, or not one this user may see (the two are not told apart).",
    "405": "This method is not allowed here.",
    "415": "The body's media type is not accepted.",
    "429": "Too many requests: slow down and retry after the `Retry-After` seconds.",
}

PAGE_FIELDS = {
    "count": {"type": "integer"},
    "next": {"type": "string", "format": "uri", "nullable": True},
    "previous": {"type": "string", "format": "uri", "nullable": True},
}

METHODS = ("get", "post", "put", "patch", "delete")


def _json_schema(response: dict[str, Any]) -> dict[str, Any] | None:
    content = response.get("content", {})
    media = content.get("application/json")
    return media.get("schema") if media else None


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> Any:
    """drf-spectacular POSTPROCESSING_HOOK: add error responses and page envelopes."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    error_ref = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": error_ref}},
                    },
                )
            if method != "get":
                continue
            ok = responses.get("200")
            schema = _json_schema(ok) if ok else None
            if schema is not None and schema.get("type") == "array":
                ok["content"]["application/json"]["schema"] = {
                    "type": "object",
                    "properties": {**PAGE_FIELDS, "results": schema},
                    "required": ["count", "next", "previous", "results"],
                }
    return result
