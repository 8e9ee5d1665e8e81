"""Who is asking (the client's IP behind our proxies) and django-axes' hooks for login lockouts.

Axes counts wrong passwords per (username, IP) in the database (settings.AXES_*); these
functions give it the client's real address, one spelling per username, the admin's stricter
limit and a friendly lockout page.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or what the first of our TRUSTED_PROXY_COUNT proxies
    saw, counted from the right of X-Forwarded-For (the left part is whatever the client sent)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """Usernames are unique ignoring case, so "Chaewon" and "chaewon" share one failure count."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username")
    return raw.strip().lower() if isinstance(raw, str) else raw


def _is_admin_login(request: HttpRequest) -> bool:
    return request.path.startswith(reverse("admin:index"))


def login_failure_limit(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """Wrong passwords allowed per (username, IP) before a lockout; fewer on the admin's login."""
    if _is_admin_login(request):
        return int(settings.ADMIN_LOGIN_FAILURE_LIMIT)
    return int(settings.LOGIN_FAILURE_LIMIT)


def _cool_off() -> datetime.timedelta:
    cool_off = settings.AXES_COOLOFF_TIME
    assert isinstance(cool_off, datetime.timedelta)
    return cool_off


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """A calm 429 page saying when to try again (the lock ends a while after the last failure
    that counted: failures during the lockout don't extend it)."""
    from axes.models import AccessAttempt

    cool_off = _cool_off()
    last = AccessAttempt.objects.filter(
        username=login_username(request, credentials), ip_address=client_ip(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    now = timezone.now()
    retry_at = max((last or now) + cool_off, now)
    seconds = max(1, math.ceil((retry_at - now).total_seconds()))
    response = render(
        request,
        "registration/locked_out.html",
        {
            "retry_at": retry_at,
            "minutes": math.ceil(seconds / 60),
            "lockout_minutes": int(cool_off.total_seconds() // 60),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
