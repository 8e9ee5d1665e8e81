"""Site-wide middleware: request ids for logs, the headers Django doesn't set, visitors' pages
from the cache, a calm 503."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import (  # type: ignore[attr-defined]  # Django's private API
    InvalidTokenFormat,
    _check_token_format,
)
from django.template.loader import render_to_string
from django.utils import translation

from fansite.languages import preferred_language
from foundation import page_cache

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
logger = logging.getLogger("fansite.requests")

# Powerful features the site never uses are switched off; the player may go fullscreen.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=()",
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "browsing-topics=()",
        'autoplay=(self "https://www.youtube-nocookie.com")',
        'fullscreen=(self "https://www.youtube-nocookie.com")',
    ]
)


class RequestIdMiddleware:
    """Tags each request with an id (the load balancer's X-Request-ID if sane), echoed in the
    response and in every log line, so one request can be followed across machines."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class VisitorPageMiddleware:
    """Answers a visitor's page kept whole in the page cache (foundation/page_cache.py) before
    the middleware below it runs, and keeps the pages they get whole on the way out.

    Below the middleware whose headers every answer carries (request id, security, CSP,
    permissions) and WhiteNoise; above sessions, CSRF, authentication, languages and messages,
    which for such a visitor only add headers that are the same for every one of them and are
    kept with the page. So only a request they would treat as any other visitor's is answered
    here: a GET or HEAD with no session or message cookie at all (an empty one is deleted), no
    malformed CSRF cookie (replaced), no If-None-Match or If-Match (the 304 gets their headers),
    and on an English address a visitor whose language is English (the others are sent to their
    language's address). Everything else goes on as before."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = _visitor_language(request)
        if language is not None:
            kept = page_cache.answer_early(request, language)
            if kept is not None:
                return kept  # type: ignore[return-value]  # an HttpResponse
        response = self.get_response(request)
        if language is not None:
            page_cache.keep_whole(request, response)
        return response


def _visitor_language(request: HttpRequest) -> str | None:
    """The language of the page a plain visitor gets at this address, or None when the
    middleware below might treat this request differently from any other visitor's."""
    if request.method not in ("GET", "HEAD"):
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return None
    if "if-none-match" in request.headers or "if-match" in request.headers:
        return None
    csrf_cookie = cookies.get(settings.CSRF_COOKIE_NAME)
    if csrf_cookie is not None:
        try:
            _check_token_format(csrf_cookie)  # what CsrfViewMiddleware checks
        except InvalidTokenFormat:
            return None
    language = translation.get_language_from_path(request.path_info)
    if language:
        return language
    return settings.LANGUAGE_CODE if preferred_language(request) == settings.LANGUAGE_CODE else None


class DatabaseUnavailableMiddleware:
    """When the database can't be reached, fans get a friendly 503 page, not a traceback.

    The page is rendered without the usual context (which would query the database again).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError) or not _is_outage(
            exception
        ):
            return None
        logger.error("database unavailable: %s", exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response


def _is_outage(error: OperationalError | InterfaceError) -> bool:
    """Connection failures, not a bad query (which is a bug and should be a 500 we see)."""
    text = str(error).lower()
    return isinstance(error, InterfaceError) or any(
        phrase in text
        for phrase in (
            "connection",
            "could not connect",
            "server closed",
            "unable to open database",
            "database is locked",
            "terminating",
            "timeout",
        )
    )
