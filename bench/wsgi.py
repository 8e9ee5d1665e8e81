"""The site's WSGI application as the benchmark serves it: each simulated client has an address.

wrk connects from 127.0.0.1 only, so every request would come from one address, and the write
limits (per address as well as per fan) and the API's anonymous throttle would answer 429 within
seconds: the figures would measure the limiter, not the site. In production a trusted proxy
supplies each visitor's address; here bench/wrk.lua does, in X-Bench-Client. Nothing else
differs from fansite/wsgi.py: same middleware and limits, and the site's settings with the floor's
URL added (bench/settings.py, which bench/run.py names in DJANGO_SETTINGS_MODULE).

X-Bench-Page-Cache: off asks for a visitor's page as rendered, skipping the page cache
(foundation/page_cache.py), as after a write elsewhere made every page stale; "render" skips the
fragments kept across such writes too (the talk under a video, its catalog part, the rating
widget, the header): the page made from scratch.

/bench/bare/ is the bare floor: Django's own request handling (the WSGI handler, URL resolving,
a view, its response) with no middleware at all, in the same gunicorn workers as the site.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler

from fansite.wsgi import application as site
from foundation.page_cache import SKIP, SKIP_FRAGMENTS

BARE_PATH = "/bench/bare/"


class BareHandler(WSGIHandler):
    """Django's WSGI handler without the MIDDLEWARE setting: resolve, call the view, answer."""

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        get_response = self._get_response  # type: ignore[attr-defined]  # Django's private API
        self._middleware_chain = convert_exception_to_response(get_response)


bare = BareHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    client = environ.pop("HTTP_X_BENCH_CLIENT", "")
    if client:
        with contextlib.suppress(ValueError):  # not an address: keep the real one
            environ["REMOTE_ADDR"] = str(ipaddress.ip_address(client))
    if environ.get("PATH_INFO") == BARE_PATH:
        return bare(environ, start_response)
    skip = environ.pop("HTTP_X_BENCH_PAGE_CACHE", "")
    if skip in ("off", "render"):
        environ[SKIP] = True
    if skip == "render":
        environ[SKIP_FRAGMENTS] = True
    return site(environ, start_response)
