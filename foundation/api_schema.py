"""The OpenAPI side of the API's plumbing: the error body, and a schema class that documents the
errors each operation can answer next to its own responses (drf-spectacular's AutoSchema)."""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from foundation.api import NON_FIELD, error_body


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer."""

    errors = serializers.DictField(  # type: ignore[assignment]  # the body's key, for the schema
        child=serializers.ListField(child=serializers.CharField()),
        help_text=f'Messages by field; "{NON_FIELD}" or "detail" when no one field is at fault.',
    )
    detail = serializers.CharField(help_text="The first message, for a quick display.")


def _example(status_code: int, errors: dict[str, list[str]]) -> OpenApiResponse:
    return OpenApiResponse(
        response=ErrorSerializer,
        examples=[OpenApiExample(str(status_code), value=error_body(errors))],
    )


ERROR_RESPONSES = {
    400: _example(400, {"score": ["Ensure this value is less than or equal to 10."]}),
    401: _example(401, {"detail": ["Authentication credentials were not provided."]}),
    403: _example(403, {"detail": ["You do not have permission to perform this action."]}),
    404: _example(404, {"detail": ["No MusicVideo matches the given query."]}),
    409: _example(409, {NON_FIELD: ["Already in this list."]}),
    429: _example(429, {"detail": ["Request was throttled. Expected available in 42 seconds."]}),
}


def conflict_response() -> dict[int, OpenApiResponse]:
    """For `extend_schema(responses=…)` on the operations that can answer 409."""
    return {409: ERROR_RESPONSES[409]}


class AutoSchema(openapi.AutoSchema):
    """Documents the error answers an operation can give, next to its own responses."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = [401, 429]  # a bad token is refused anywhere; every client has a budget
        if self.method in ("POST", "PUT", "PATCH") or self._has_query_parameters():
            codes.append(400)
        if self.method not in SAFE_METHODS:
            codes.append(403)  # CSRF, a suspended fan, someone else's list
        if "{" in self.path or self._is_list_view():
            codes.append(404)  # an unknown slug or id; a page past the end
        for code in codes:
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(ERROR_RESPONSES[code], str(code))
        return dict(sorted(responses.items()))

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        # drf-spectacular offers a blank string beside a pattern with `oneOf`, which is wrong
        # whenever the pattern accepts "" too (exactly one branch must match): `anyOf` is meant.
        if schema.get("oneOf", [None])[-1] == {"type": "string", "maxLength": 0}:
            schema["anyOf"] = schema.pop("oneOf")

    def _has_query_parameters(self) -> bool:
        return any(p.get("in") == "query" for p in self._get_parameters())
