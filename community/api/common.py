"""What the API's community resources share: who may write, the token in the schema, how a
service's refusal becomes a conflict, and how a fan is shown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.serializers import as_serializer_error

from community.authentication import KEYWORD
from community.models import User
from community.permissions import IsActiveFanOrReadOnly
from foundation.api import Conflict

FAN_PERMISSIONS = [IsAuthenticated, IsActiveFanOrReadOnly]


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (drf-spectacular registers subclasses as they load)."""

    target_class = "community.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        scheme: dict[str, str] = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=KEYWORD
        )
        scheme["description"] = f"`{KEYWORD} <key>`; make a key at /accounts/api-tokens/."
        return scheme


@contextmanager
def clashes_as_conflict() -> Iterator[None]:
    """The serializer has checked the request's shape; what a service still refuses (a taken
    name, a duplicate, the default list) clashes with what exists: 409, naming the field."""
    try:
        yield
    except DjangoValidationError as error:
        raise Conflict(as_serializer_error(error)) from None


class FanSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(source="public_name", read_only=True)

    class Meta:
        model = User
        fields = ["username", "display_name"]
