"""Write limits per fan (and per IP), counted in the shared cache.

With REDIS_URL set the counters live in Redis, so the limit holds across every web process and
machine; the embedded default counts in local memory, and so does each process while Redis is
away (foundation/cache.py). The address is foundation.client_address.client_ip's: behind a
trusted proxy, each fan's own. Fixed windows: cheap and good enough to stop bursts, which is all
these limits are for.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from foundation.client_address import client_ip


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int


# What a fan may do per window; generous for people, tight for scripts.
WRITE_LIMITS = {
    "rate": Limit("rate", 60, 60),
    "list": Limit("list", 60, 60),
    "follow": Limit("follow", 60, 60),
    "account": Limit("account", 10, 3600),
    "confirm": Limit("confirm", 5, 3600),  # re-sending the e-mail confirmation link
    "comment": Limit("comment", 10, 60),
}


def _counts(keys: list[str], limit: Limit) -> list[int]:
    """Count one action in each of the window's counters; their counts so far."""
    window = int(time.time()) // limit.seconds
    keys = [f"ratelimit:{limit.scope}:{key}:{window}" for key in keys]
    if hasattr(cache, "incr_counters"):  # Redis: every counter in one round trip
        return cache.incr_counters(keys, timeout=limit.seconds + 1)
    counts = []
    for cache_key in keys:
        # add() is atomic: only the first caller in a window creates the counter.
        if cache.add(cache_key, 1, timeout=limit.seconds + 1):
            counts.append(1)
            continue
        try:
            counts.append(cache.incr(cache_key))
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=limit.seconds + 1)
            counts.append(1)
    return counts


def is_limited(request: HttpRequest, scope: str) -> bool:
    """Count this action for the address (with five times the fan's allowance: fans can share
    one) and for the fan; True once either is over."""
    limit = WRITE_LIMITS[scope]
    user = getattr(request, "user", None)
    keys = [f"ip:{client_ip(request) or 'unknown'}"]
    if user is not None and user.is_authenticated:
        keys.append(f"user:{user.pk}")
    counts = _counts(keys, limit)
    allowances = [limit.count * 5, limit.count]
    return any(count > allowed for count, allowed in zip(counts, allowances, strict=False))


def too_many(request: HttpRequest, scope: str) -> HttpResponse:
    limit = WRITE_LIMITS[scope]
    response = render(
        request,
        "429.html",
        {"seconds": limit.seconds},
        status=429,
    )
    response["Retry-After"] = str(limit.seconds)
    return response


def rate_limited(
    scope: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: POSTs beyond the scope's limit get a friendly 429 page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST" and is_limited(request, scope):
                return too_many(request, scope)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
