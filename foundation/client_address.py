"""Who is asking: the client's address behind our proxies. The one answer for everything that
counts or checks per address: login lockouts and allauth's other limits, the sign-up IP
blocklist, write limits, the API's throttles and live streams' caps."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or what the first of our TRUSTED_PROXY_COUNT proxies
    saw, counted from the right of X-Forwarded-For (the left part is whatever the client sent).
    With no proxy trusted, X-Forwarded-For is the client's own claim and is ignored."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies and _is_address(forwarded[-proxies]):
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
