"""Where a form or link may send the visitor next: the one check every `next` goes through.

A `next` comes from the address or the form, so anyone can write one. Check the address the
response will really carry, after every rewrite (the language switch strips a /ko/ or /ja/
prefix: "/ja//evil.example/" becomes "//evil.example/", another site), never the raw value.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_redirect(request: HttpRequest, url: str) -> bool:
    """Whether `url` is a page on this site that a Location header can carry as it is.

    Control characters are refused outright: a line break would end the header (a 500), and
    browsers drop tabs and newlines inside addresses, so what we checked isn't what they follow.
    """
    if not url or any(ord(char) < 32 or ord(char) == 127 for char in url):
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, fallback: str, url: str | None = None) -> str:
    """`url` (by default the POSTed or linked `next`) if it is safe, else `fallback`.

    Pass the final address when the view rewrites `next` before redirecting."""
    if url is None:
        url = request.POST.get("next") or request.GET.get("next") or ""
    return url if is_safe_redirect(request, url) else fallback


def redirect_next(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Back to the page the form or link named in `next` if it is safe, else to `fallback`."""
    return HttpResponseRedirect(safe_next(request, fallback))
