"""suggestions/: a fan suggests a correction to a catalog record, and reads their own."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from community.http import fan_of
from community.models import Suggestion, web_address_validator
from community.permissions import IsActiveFanOrReadOnly
from community.services import suggestions as services
from community.suggestions import KINDS, MISSING, MISSING_CHOICE, get_record
from foundation.api import MissingReference, StrictCharField, StrictIntegerField
from foundation.api_schema import ERROR_RESPONSES

FACTS = sorted({fact for kind in KINDS.values() for fact in kind.facts})
FIELD_CHOICES = [*FACTS, MISSING_CHOICE]  # the schema's SuggestionFieldEnum

EXAMPLE = {
    "id": 7,
    "kind": "release",
    "record": 12,
    "field": "released_on",
    "correction": "2024-02-19",
    "source_url": "https://example.com/news/easy",
    "more_sources": [],
    "status": "open",
    "reason": "",
    "created_at": "2026-12-07T09:00:00Z",
    "decided_at": None,
}


class SuggestionSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField(help_text="What the record is.")
    record = serializers.IntegerField(source="object_id", help_text="The record's id.")
    field = serializers.SerializerMethodField(
        help_text=f'The fact corrected, by field name; "{MISSING_CHOICE}": something missing.'
    )
    more_sources = serializers.ListField(
        child=serializers.CharField(), source="source_urls", help_text="Further sources."
    )
    reason = serializers.CharField(help_text="Why a curator declined it.")

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "kind",
            "record",
            "field",
            "correction",
            "source_url",
            "more_sources",
            "status",
            "reason",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    def get_kind(self, suggestion: Suggestion) -> str:
        model = suggestion.content_type.model_class()
        return next(kind.name for kind in KINDS.values() if kind.model is model)

    def get_field(self, suggestion: Suggestion) -> str:
        return suggestion.field or MISSING_CHOICE

    def to_representation(self, instance: Suggestion) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        data["more_sources"] = data["more_sources"][1:]  # the first is source_url
        return data


class SuggestionCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS), help_text="What the record is.")
    record = StrictIntegerField(min_value=1, help_text="The record's id (as in the API).")
    field = serializers.ChoiceField(
        choices=FIELD_CHOICES,
        help_text=f'The fact to correct, by field name; "{MISSING_CHOICE}": something missing.',
    )
    correction = StrictCharField(max_length=Suggestion.MAX_LENGTH)
    source_url = StrictCharField(
        max_length=500, validators=[web_address_validator], help_text="A page that says so."
    )
    more_sources = serializers.ListField(
        child=StrictCharField(max_length=500, validators=[web_address_validator]),
        max_length=Suggestion.MAX_MORE_SOURCES,
        required=False,
        default=list,
    )


@extend_schema_view(
    list=extend_schema(summary="Your suggested corrections, newest first, with their state"),
    create=extend_schema(
        summary="Suggest a correction to a catalog record, with a source",
        request=SuggestionCreateSerializer,
        # 404: no record of that kind has that id (or a fan can't see it: a draft), or it has
        # no such fact.
        responses={201: SuggestionSerializer, 404: ERROR_RESPONSES[404]},
        examples=[
            OpenApiExample(
                "A corrected date",
                request_only=True,
                value={
                    "kind": "release",
                    "record": 12,
                    "field": "released_on",
                    "correction": "2024-02-19",
                    "source_url": "https://example.com/news/easy",
                },
            ),
            OpenApiExample("Sent", response_only=True, status_codes=["201"], value=EXAMPLE),
        ],
    ),
)
class SuggestionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A fan's own suggestions; others' are not listed (curators decide them in the admin)."""

    permission_classes = [IsAuthenticated, IsActiveFanOrReadOnly]
    queryset = Suggestion.objects.none()
    serializer_class = SuggestionSerializer

    def get_queryset(self) -> QuerySet[Suggestion]:
        return (
            Suggestion.objects.filter(author=fan_of(self.request))
            .select_related("content_type")
            .order_by("-created_at", "-id")
        )

    def create(self, request: Request) -> Response:
        serializer = SuggestionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["field"] != MISSING_CHOICE and data["field"] not in KINDS[data["kind"]].facts:
            # The schema lists every kind's facts in one enum: a fact the record lacks is a
            # reference to something that doesn't exist, like an unknown record. (Raised here:
            # the serializer would turn it into a 400.)
            raise MissingReference(
                {"field": [_("A %(kind)s has no such fact.") % {"kind": data["kind"]}]}
            )
        try:
            _kind, record = get_record(data["kind"], data["record"], request.user)
        except Http404:
            raise MissingReference({"record": [_("No record of this kind has this id.")]}) from None
        try:
            suggestion = services.suggestion_create(
                author=fan_of(request),
                target=record,
                field=MISSING if data["field"] == MISSING_CHOICE else data["field"],
                correction=data["correction"],
                source_url=data["source_url"],
                more_sources="\n".join(data["more_sources"]),
            )
        except services.DailyLimitReached as error:
            raise exceptions.Throttled(detail=error.messages[0]) from None
        except DjangoValidationError as error:
            raise serializers.ValidationError(as_serializer_error(error)) from None
        body = SuggestionSerializer(suggestion).data
        return Response(body, status=status.HTTP_201_CREATED)
