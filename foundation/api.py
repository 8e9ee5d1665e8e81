"""Site-wide API plumbing shared by catalog's and community's endpoints: pagination, throttles
and the one error body every 4xx answer uses (foundation/api_schema.py documents it).

Settings name these classes and DRF imports them while `rest_framework.views` is still loading,
so this module must not import that module (or anything that does) at the top.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from foundation.client_address import client_ip

if TYPE_CHECKING:
    from rest_framework.views import APIView

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY  # "non_field_errors"
_DIGITS = re.compile(r"[0-9]+")
_INTEGER = re.compile(r"-?[0-9]+")
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Pagination(PageNumberPagination):
    """Pages of 20 by default; `page_size` up to 100. Unlike DRF's, a malformed `page` or
    `page_size` is a 400 rather than silently replaced, as the schema's integers promise."""

    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()  # DRF's `?page=last` is no integer

    def _query_int(self, request: Request, name: str, maximum: int | None = None) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        if not _DIGITS.fullmatch(raw) or int(raw) < 1 or (maximum and int(raw) > maximum):
            message = (
                _("Choose a whole number from 1 to %(maximum)d.") % {"maximum": maximum}
                if maximum
                else _("Choose a whole number from 1 up.")
            )
            raise exceptions.ValidationError({name: [message]})
        return int(raw)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return self._query_int(request, self.page_query_param) or 1

    def get_page_size(self, request: Request) -> int | None:
        size = self._query_int(request, self.page_size_query_param, self.max_page_size)
        return size or self.page_size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


# ---- Fields as strict as the schema ------------------------------------------------------------
# DRF is lenient for HTML forms' sake: it reads 5 as "5", "yes" or 0 as true, "2025.0" as 2025,
# counts a string's length after trimming it. The schema promises types and limits; these fields
# keep that promise, so a client learns of a mistake instead of having it guessed away.


class _StrictType:
    json_types: tuple[type, ...]

    def to_internal_value(self, data: Any) -> Any:
        wrong_bool = isinstance(data, bool) and bool not in self.json_types
        if wrong_bool or not isinstance(data, self.json_types):
            self.fail("invalid")  # type: ignore[attr-defined]  # a mixin for DRF fields
        return super().to_internal_value(data)  # type: ignore[misc]  # a mixin for DRF fields


class StrictCharField(_StrictType, serializers.CharField):
    """A string, its length counted as sent. No NUL characters (PostgreSQL can't store them):
    DRF refuses those anyway, but as a RegexValidator the schema says so too."""

    json_types = (str,)
    NO_NUL = RegexValidator(r"^[^\x00]*$", gettext_lazy("Null characters are not allowed."))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        # A caller's own pattern must exclude NUL itself: the schema holds one pattern per field.
        if not any(isinstance(v, RegexValidator) for v in validators):
            validators.append(self.NO_NUL)
        self.validators = validators

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)


class StrictSlugField(_StrictType, serializers.SlugField):
    json_types = (str,)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trim_whitespace=False, **kwargs)  # " easy" is no slug


class StrictIntegerField(_StrictType, serializers.IntegerField):
    json_types = (int,)


class StrictBooleanField(_StrictType, serializers.BooleanField):
    json_types = (bool,)


class StrictDateField(serializers.DateField):
    def to_internal_value(self, value: Any) -> Any:
        # Python also reads "20250302" or "2025-W10-1"; the schema's `format: date` does not.
        if not isinstance(value, str) or not _FULL_DATE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class QueryIntegerField(serializers.IntegerField):
    """An integer in a query string: digits only."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not _INTEGER.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


# ---- Throttles ----------------------------------------------------------------------------------


class _RateFromSettings:
    """DRF reads the rates once, at import; reading them per request lets settings changes apply.
    A visitor is counted by the site's one client address (foundation.client_address.client_ip), not
    DRF's own reading of X-Forwarded-For, which trusts whatever the client sent when NUM_PROXIES
    is unset."""

    scope: str | None

    def get_rate(self) -> str | None:
        if self.scope is None:
            return None
        # Rates are "N/period" strings; the stubs type the setting's values as numbers.
        return cast(str | None, api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))

    def get_ident(self, request: Request) -> str:
        return client_ip(request) or "unknown"


class AnonThrottle(_RateFromSettings, AnonRateThrottle):
    pass


class UserThrottle(_RateFromSettings, UserRateThrottle):
    pass


class WriteThrottle(_RateFromSettings, UserRateThrottle):
    """Writes have a budget of their own, on top of the user's overall one."""

    scope = "writes"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


# ---- Errors -------------------------------------------------------------------------------------


class Conflict(exceptions.ValidationError):
    """The request is well formed but clashes with what exists (a duplicate, the default list)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This clashes with what already exists.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


class MissingReference(exceptions.ValidationError):
    """A field names something that doesn't exist (an unknown video slug): 404, by field."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = gettext_lazy("Not found.")
    default_code = "not_found"


def _flatten(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structures as one level: {"items.0.note": ["…"]}."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _flatten(value, name).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    if isinstance(data, list) and any(isinstance(item, dict | list) for item in data):
        flat = {}
        for index, item in enumerate(data):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = data if isinstance(data, list) else [data]
    return {prefix or NON_FIELD: [str(message) for message in messages]}


def error_body(errors: dict[str, list[str]]) -> dict[str, Any]:
    field, messages = next(iter(errors.items()))
    summary = messages[0] if field in (NON_FIELD, "detail") else f"{field}: {messages[0]}"
    return {"errors": errors, "detail": summary}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (status, headers such as Retry-After), then our one error shape."""
    from rest_framework.views import exception_handler as drf_exception_handler  # see the top

    if isinstance(exc, RequestDataTooBig):  # Django would answer with its HTML 400 page
        exc = PayloadTooLarge()
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; it is the client's mistake, so a 400.
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 handling and logging take over
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(response.data) or {NON_FIELD: [str(exc.default_detail)]}
    else:
        errors = {"detail": [str(response.data.get("detail", exc))]}
    response.data = error_body(errors)
    return response


@csrf_exempt  # it changes nothing, and a CSRF refusal would be an HTML page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """For addresses under /api/ that match no endpoint: JSON, like every other API error."""
    return JsonResponse(error_body({"detail": [_("No API endpoint at this address.")]}), status=404)
