"""Whole pages for visitors from the cache: the home page, the video list, the video pages, the
release and member pages, and search results.

A visitor (no session cookie, no message waiting) asking for one of these pages with GET or HEAD
gets the copy rendered for an earlier visitor, as long as nothing they would see has changed
since. Every copy carries the site's *generation*, one number in the cache that each write to
what visitors see moves on, so a curator's edit, a new rating or a hidden comment shows at once.
Which writes those are, each app says in its ready() (`watch`, or receivers of its own calling
content_changed and version_changed): this module knows no app. Copies also expire after
PAGE_CACHE_SECONDS, for what no write announces (relative times, "on this day").

The key is the address (scheme, host, path and query string, the same for GET and HEAD) and the
active language. The generation is checked, not keyed: the page and the generation come back in
one round trip to the cache, and a new copy replaces the stale one instead of sitting beside it.
A hit runs no query and never loads the session.

Only what is the same for every visitor is stored: a 200 from the view that sets no cookie and
used no CSRF token, session or message. Signed-in fans get their page made from a shared copy
with their own parts filled in (foundation/fan_pages.py), marked private. Query strings are
limited to the parameters the page reads, one value each, so tracking parameters and made-up ones
are answered without filling the cache.

A hit is answered as early as the site's middleware allows: a middleware placed above sessions
calls answer_early(), and the copy is kept *whole*, with the headers the middleware below it added
on the way out (Vary, Content-Language, X-Frame-Options, Content-Length), so the session, CSRF,
authentication, language and message middleware don't run again for it. A copy that is not whole
(kept where no such middleware is installed, or for a request it let through) is served by the
view as before, and made whole by the next plain visit.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.safestring import SafeString, mark_safe

from foundation.after_commit import now_and_after_commit, once_after_commit

GENERATION_KEY = "page-cache:generation"
# A WSGI environ key (a client can't send it, unlike headers): the benchmark sets it, through
# bench/wsgi.py, to measure the pages as rendered.
SKIP = "foundation.page_cache.skip"
# The same, and no fragment either: the page rendered from scratch.
SKIP_FRAGMENTS = "foundation.page_cache.skip_fragments"
MAX_QUERY_STRING = 512
ENTRY_FORMAT = 2  # (generation, headers, content, whole): change it when that changes
# The request attributes between answer_early() and the view: what the early look-up read, and
# what the view left for keep_whole() to keep.
_EARLY = "_page_cache_early"
_TO_KEEP = "_page_cache_to_keep"
PARAMS = "page_cache_params"  # on each view for_visitors() wraps: the parameters it reads

View = Callable[..., HttpResponseBase]
_local = threading.local()


class FanPages(Protocol):
    """Signed-in fans' pages made from one shared copy (foundation/fan_pages.py)."""

    def for_fan(self, request: HttpRequest) -> bool: ...

    def serve(
        self, request: HttpRequest, view: View, args: Any, kwargs: Any
    ) -> HttpResponseBase: ...


# Set by foundation/fan_pages.py when it is imported (it builds on this module, not the reverse).
_fan_pages: FanPages | None = None


def serve_fans_with(pages: FanPages) -> None:
    global _fan_pages
    _fan_pages = pages


def for_visitors(*, params: Iterable[str] = ()) -> Callable[[View], View]:
    """Serve the view's page to visitors from the cache. `params`: the query parameters the page
    reads; an address with any other is rendered every time."""
    allowed = frozenset(params)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not _for_visitor(request):
                fans = _fan_pages
                if (
                    fans is not None
                    and fans.for_fan(request)
                    and not request.META.get(SKIP)
                    and _cacheable_address(request, allowed)
                ):
                    return fans.serve(request, view, args, kwargs)
                response = view(request, *args, **kwargs)
                if request.method in ("GET", "HEAD"):
                    private(response)
                return response
            if (
                request.META.get(SKIP)
                or not _cacheable_address(request, allowed)
                or settings.PAGE_CACHE_SECONDS <= 0
            ):
                response = view(request, *args, **kwargs)
                patch_vary_headers(response, ("Cookie",))
                return response
            key = _key(request)
            early = getattr(request, _EARLY, None)
            if early is not None and early[0] == key:
                _key_read, generation, kept = early
            else:
                early = None
                generation, kept, _found = read_kept(key)
            if kept is not None:
                headers, content, whole = kept
                response = HttpResponse(content, headers=headers)
                if early is not None and not whole:
                    setattr(request, _TO_KEEP, (key, generation, response, None))
                return _conditional(request, response)
            # Rendered after reading the generation: a write meanwhile makes this copy stale.
            response = view(request, *args, **kwargs)
            if not _same_for_everyone(request, response):
                private(response)
                return response
            if getattr(response, "is_rendered", True) is False:
                response.render()  # type: ignore[attr-defined]  # a TemplateResponse here
            content = response.content  # type: ignore[attr-defined]  # not a streaming response
            _shared(response, f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"')
            if early is not None:  # kept whole on the way out (keep_whole), or as it is here
                setattr(request, _TO_KEEP, (key, generation, response, dict(response.items())))
            else:
                keep(key, generation, dict(response.items()), content, False)
            return _conditional(request, response)

        setattr(cached_view, PARAMS, allowed)
        return cached_view

    return decorate


def answer_early(request: HttpRequest, language: str) -> HttpResponseBase | None:
    """A visitor's page kept whole, for a middleware to answer with before the rest run; None
    when there is none (the request goes on, and keep_whole() may keep its page whole).

    The caller vouches that the middleware below it would only add the same headers to this
    request's page as to any other visitor's of this address: no session, message or CSRF
    cookie to act on, not a conditional request, not a visitor the language middleware would
    send elsewhere; and `language` is the one the page would be in. Only the addresses of views
    for_visitors() wraps are looked up, with the parameters each reads."""
    if request.META.get(SKIP) or settings.PAGE_CACHE_SECONDS <= 0:
        return None
    try:
        with translation.override(language):
            match = resolve(request.path_info)
            allowed = getattr(match.func, PARAMS, None)
            if allowed is None or not _cacheable_address(request, allowed):
                return None
            key = _key(request)
    except (Resolver404, SuspiciousOperation):  # the site's middleware answers as it always has
        return None
    generation, kept, _found = read_kept(key)
    if kept is not None and kept[2]:
        headers, content, _whole = kept
        return HttpResponse(content, headers=headers)
    setattr(request, _EARLY, (key, generation, kept))
    return None


def keep_whole(request: HttpRequest, response: HttpResponseBase) -> None:
    """Keep the page the view stored or served for answer_early(), with the headers it has now,
    if nothing on the way out made it this visitor's (a cookie) or replaced it; else as the
    view left it."""
    to_keep = request.__dict__.pop(_TO_KEEP, None)
    if to_keep is None:
        return
    key, generation, kept_response, view_headers = to_keep
    content = kept_response.content
    if kept_response is response and response.status_code == 200 and not response.cookies:
        keep(key, generation, dict(response.items()), content, True)
    elif view_headers is not None:
        keep(key, generation, view_headers, content, False)


def _for_visitor(request: HttpRequest) -> bool:
    """A visitor's GET or HEAD: no session (so not signed in), no message waiting to be shown."""
    return (
        request.method in ("GET", "HEAD")
        and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        and not request.COOKIES.get(CookieStorage.cookie_name)
    )


def _cacheable_address(request: HttpRequest, allowed: frozenset[str]) -> bool:
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        return False
    return all(name in allowed and len(values) == 1 for name, values in request.GET.lists())


def _key(request: HttpRequest) -> str:
    return address_key(f"page:{ENTRY_FORMAT}", request)


def read_kept(key: str, *others: str) -> tuple[int | None, tuple[Any, ...] | None, dict[str, Any]]:
    """In one round trip: the site's generation, what was kept under `key` for it (without the
    generation; None if nothing, or a stale copy), and everything read (`others` too)."""
    found = cache.get_many([GENERATION_KEY, key, *others])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = _start(GENERATION_KEY)
    entry = found.get(key)
    kept = tuple(entry[1:]) if entry is not None and entry[0] == generation else None
    return generation, kept, found


def keep(key: str, generation: int | None, *value: Any) -> None:
    """Keep `value` under `key` for this generation (nothing without the cache): a write later
    in this transaction makes it stale."""
    if generation is not None:
        cache.set(key, (generation, *value), settings.PAGE_CACHE_SECONDS)
        _local.stored = True


def address_key(prefix: str, request: HttpRequest, *qualifiers: object) -> str:
    """The cache key of a page kept for this address in the active language (and `qualifiers`:
    what else the copy depends on)."""
    address = " ".join(map(str, [translation.get_language(), *qualifiers]))
    address += f" {request.build_absolute_uri()}"
    return f"{prefix}:" + hashlib.sha256(address.encode()).hexdigest()


def _same_for_everyone(request: HttpRequest, response: HttpResponseBase) -> bool:
    """A page that nothing about this visitor went into, and that sets nothing on them."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("Cache-Control"):  # the view decided (never_cache, private…)
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # a CSRF token is in the page
        return False
    session = getattr(request, "session", None)
    if session is not None and (session.modified or session.session_key):
        return False
    if getattr(getattr(request, "_messages", None), "added_new", False):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _shared(response: HttpResponseBase, etag: str) -> None:
    """Headers for browsers and shared caches (stored with the page): the same page for every
    visitor without cookies, revalidated (a 304 from here when unchanged) once
    PAGE_CACHE_MAX_AGE has passed. With the default 0 a visitor never sees a page older than the
    last write, which no one downstream could be told about."""
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
    if settings.PAGE_CACHE_MAX_AGE == 0:
        patch_cache_control(response, must_revalidate=True)
    patch_vary_headers(response, ("Cookie",))


def _conditional(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """304 Not Modified for a browser or CDN that has this page (If-None-Match: its ETag)."""
    if "if-none-match" not in request.headers and "if-match" not in request.headers:
        return response
    return get_conditional_response(request, etag=response["ETag"], response=response)  # type: ignore[arg-type,return-value]  # the stubs say HttpResponse; any response does


def private(response: HttpResponseBase) -> None:
    """A page made for this visitor (signed in, or given a token or a message): theirs alone."""
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True)
    patch_vary_headers(response, ("Cookie",))


def fragment(
    name: str,
    parts: Iterable[object],
    versions: Iterable[str],
    render: Callable[[], SafeString],
) -> SafeString:
    """A costly piece of a page that is the same for every visitor (the talk under a video),
    rendered once per language and `parts` and kept until one of its `versions` moves on
    (version_changed), or PAGE_CACHE_SECONDS pass (relative times).

    Not the site's generation: a rating on one video makes every whole page stale, but the talk
    under the others is still good, so re-rendering those pages costs only the rest. One round
    trip to the cache on a hit."""
    html = kept(name, parts, versions, lambda: str(render()))
    return mark_safe(html)  # a template's output, stored as a plain string


def kept[T](
    name: str, parts: Iterable[object], versions: Iterable[str], render: Callable[[], T]
) -> T:
    """What render() returns (plain data: text, or a dict of texts), kept per language and
    `parts` until one of `versions` moves on or PAGE_CACHE_SECONDS pass; see fragment()."""
    return kept_many(name, [parts], versions, lambda _index: render())[0]


def kept_many[T](
    name: str,
    parts: Sequence[Iterable[object]],
    versions: Iterable[str],
    render: Callable[[int], T],
) -> list[T]:
    """kept() for many pieces of one page at once (the cards of a list): render(i) for the
    pieces under parts[i] not kept yet. One round trip to read them all, one to keep those
    rendered."""
    if settings.PAGE_CACHE_SECONDS <= 0 or not parts:
        return [render(index) for index in range(len(parts))]
    language = translation.get_language() or ""
    keys = [
        f"fragment:{ENTRY_FORMAT}:"
        + hashlib.sha256("\x1f".join([name, language, *map(str, part)]).encode()).hexdigest()
        for part in parts
    ]
    version_keys = [f"version:{version}" for version in versions]
    found = cache.get_many([*version_keys, *keys])
    current = []
    for version_key in version_keys:
        value = found.get(version_key)
        if value is None:
            value = _start(version_key)
            if value is None:  # no cache: nothing can be kept
                return [render(index) for index in range(len(parts))]
        current.append(value)
    values: list[T] = []
    rendered: dict[str, tuple[list[Any], T]] = {}
    for index, key in enumerate(keys):
        entry = found.get(key)
        if entry is not None and entry[0] == current:
            values.append(entry[1])
            continue
        value = render(index)
        values.append(value)
        rendered[key] = (current, value)
    if rendered:
        cache.set_many(rendered, settings.PAGE_CACHE_SECONDS)
    return values


def keeps_for(request: HttpRequest, *, staff: bool = False) -> bool:
    """Whether this request may get fragments kept for visitors: not a signed-in fan's (their
    parts carry their own state and a CSRF token; with staff=True, only staff are left out, for
    parts that differ for them alone), and not the benchmark's page from scratch."""
    if request.META.get(SKIP_FRAGMENTS):
        return False
    user = getattr(request, "user", None)
    if staff:
        return not getattr(user, "is_staff", False)
    return user is not None and not user.is_authenticated


def version_changed(version: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """What fragments under `version` show was written: stale now, and again once the
    transaction commits (a fragment rendered in between may hold the old rows), once however
    many rows it writes (loading the catalog is one)."""
    now_and_after_commit(_bump_version, version, using=using)


def _bump_version(version: str) -> None:
    with contextlib.suppress(ValueError):  # not started yet: nothing is stored under it
        cache.incr(f"version:{version}")


# ---- The generation -----------------------------------------------------------------------------


def _start(key: str) -> int | None:
    """The generation, or a fragment's version, when there is none yet (or it was evicted): a
    random number, so copies stored under an earlier one never match."""
    cache.add(key, secrets.randbits(48), timeout=None)
    return cache.get(key)


def bump() -> None:
    """Every stored page is stale from now on (one INCR)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: any new number will do
        cache.set(GENERATION_KEY, secrets.randbits(48), timeout=None)


def content_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Something visitors see was written on database `using`: bump the generation once the
    transaction commits (earlier, readers would store the old page under the new number).

    One bump per transaction, however many rows it writes (loading the catalog is one). Also at
    once if this thread stored a page since its last write: pages it renders inside this
    transaction see the uncommitted rows (the tests, which never commit, rely on it)."""
    if not connections[using].in_atomic_block:
        bump()
        return
    once_after_commit(bump, using=using)
    if getattr(_local, "stored", False):
        _local.stored = False
        bump()


# ---- What the apps tell it ---------------------------------------------------------------------

# The models whose every row visitors see, and the fragment versions each write moves on.
_watched: dict[type[Model], tuple[str, ...]] = {}


def watch(model: type[Model], *, versions: Iterable[str] = ()) -> None:
    """Every save or delete of a `model` row changes what visitors see: stored pages are stale
    (content_changed), and so are the fragments under `versions`. Each app calls it from its
    AppConfig.ready() for its own models; writes that only sometimes show (a fan's settings)
    call content_changed and version_changed from receivers of the app's own."""
    _watched[model] = tuple(versions)
    uid = f"page_cache_{model._meta.label}"
    post_save.connect(_written, sender=model, dispatch_uid=uid)
    post_delete.connect(_written, sender=model, dispatch_uid=uid)


def _written(sender: type[Model], using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    content_changed(using)
    for version in _watched.get(sender, ()):
        version_changed(version, using)
