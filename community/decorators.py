"""View decorators for the community's write paths."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirmed_email_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Writing takes a confirmed e-mail address: otherwise a 403 page says so and offers to send
    the link again. Put it below @login_required (anonymous visitors are sent to log in)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.has_confirmed_email:
            return render(
                request,
                "community/confirm_email_required.html",
                # Where the resend button brings the fan back to (a POST-only URL can't be).
                {"next": request.get_full_path() if request.method == "GET" else ""},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped
