"""View decorators for the community's write paths."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from community.writing import write_refusal
from foundation.redirects import is_safe_redirect


def _back_to(request: HttpRequest) -> str:
    """Where the resend button brings the fan back to: this page for a GET; for a POST (an
    address that can't be opened again), the page the form was on, if it is on this site."""
    from community.adapters import next_from

    if request.method == "GET":
        return request.get_full_path()
    back = next_from(request)
    if back:
        return back
    referer = request.headers.get("Referer", "")
    if is_safe_redirect(request, referer):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return ""


def write_refused_page(request: HttpRequest) -> HttpResponse | None:
    """The 403 page saying why this fan may not write (community.writing), or None if they may.
    An unconfirmed address is offered the link again."""
    refusal = write_refusal(request.user)
    if refusal is not None and refusal.code == "unconfirmed":
        return render(
            request,
            "community/confirm_email_required.html",
            {"next": _back_to(request)},
            status=403,
        )
    if refusal is not None and refusal.code == "suspended":
        return render(
            request, "community/write_refused.html", {"message": refusal.message}, status=403
        )
    return None


def may_write_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only fans who may write get past; the others see write_refused_page. Put it below
    @login_required (anonymous visitors are sent to log in)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return write_refused_page(request) or view(request, *args, **kwargs)

    return wrapped
