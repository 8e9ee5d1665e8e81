"""The site in English, Korean and Japanese: which language a visitor gets, and switching it.

English pages have no prefix (/videos/); Korean and Japanese ones live under /ko/ and /ja/, so every
page in every language has its own address to share and for search engines (the sitemap lists the
alternates). A visitor arriving at an English address is sent on to the same page in the language
they prefer: the one saved in their settings, else the one they last chose on this browser (the
language cookie), else the first one their browser asks for that we have.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from foundation.redirects import safe_next

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
_PREFIX = re.compile(rf"^/({'|'.join(re.escape(code) for code in LANGUAGE_CODES)})(/|$)")


def unprefixed(path: str) -> str:
    """/ko/videos/ → /videos/ (and / → /)."""
    match = _PREFIX.match(path)
    return "/" + path[match.end() :] if match else path


def localized_path(path: str, language: str) -> str:
    """The same page in another language: /videos/ → /ko/videos/, /ja/videos/ → /videos/."""
    path = unprefixed(path)
    return path if language == settings.LANGUAGE_CODE else f"/{language}{path}"


def has_languages(path: str) -> bool:
    """Whether a page exists in every language (the API, the admin and feeds-for-robots do not)."""
    language = next(code for code in LANGUAGE_CODES if code != settings.LANGUAGE_CODE)
    with translation.override(language):
        try:
            resolve(localized_path(path.split("?", 1)[0], language))
        except Resolver404:
            return False
    return True


def preferred_language(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    saved = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    if saved in LANGUAGE_CODES:
        return saved
    # The language cookie, then Accept-Language, then English.
    return translation.get_language_from_request(request)


class PreferredLanguageMiddleware:
    """Sends a visitor from an English address to the page in the language they prefer.

    After LocaleMiddleware (which reads the prefix) and AuthenticationMiddleware (saved setting).
    Only GET and HEAD are redirected: a form posted in English stays English.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        on_english_address = not translation.get_language_from_path(request.path_info)
        if on_english_address and request.method in ("GET", "HEAD"):
            language = preferred_language(request)
            if language != settings.LANGUAGE_CODE and has_languages(request.path_info):
                target = localized_path(request.get_full_path(), language)
                response: HttpResponse = HttpResponseRedirect(target)
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        response = self.get_response(request)
        if on_english_address:
            # Whether this address answers in English depends on both.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


@require_http_methods(["GET", "POST"])
def switch_language(request: HttpRequest) -> HttpResponse:
    """The header's language menu: remember the choice and show the same page in that language.

    Visitors follow a link (GET), which only sets the cookie, so the pages stay cacheable. Signed-in
    fans post a form (with its CSRF token), which also saves the choice in their settings.
    """
    data = request.POST if request.method == "POST" else request.GET
    language = data.get("language", "")
    next_url = data.get("next", "/")
    if language not in LANGUAGE_CODES:
        return HttpResponseRedirect(safe_next(request, "/", next_url))
    if request.method == "POST" and request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    # Only a path on this site gets the language's prefix, and the address is checked again
    # once the prefix is swapped: that is the one the browser will follow.
    home = localized_path("/", language)
    path = safe_next(request, "", next_url)
    target = safe_next(request, home, localized_path(path, language)) if path[:1] == "/" else home
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # "Lax" in settings
    )
    return response


def alternates(request: HttpRequest) -> list[dict[str, str]]:
    """This page in each language, for <link rel="alternate" hreflang> and the switcher."""
    paths = [(code, localized_path(request.path, code)) for code in LANGUAGE_CODES]
    return [
        {
            "code": code,
            "name": _NAMES[code],
            "url": request.build_absolute_uri(path),
            "path": path,
        }
        for code, path in paths
    ]


# Each language's name in itself, the same on every page (the switcher, every request).
_NAMES = {code: translation.get_language_info(code)["name_local"] for code in LANGUAGE_CODES}
