"""Pages for signed-in fans from one shared rendering, with each fan's own parts filled in.

A fan's home page or video list is the visitor's page plus a few parts of their own: their
name in the header and its unread badges, the CSRF token in each form, whether each card's
video is in their "Watch later" list, whether they follow the group. Rendering the whole page
for every fan on every request made signed-in pages cost what uncached ones do.

Instead the page is rendered once per address, language and kind of fan (e-mail address
confirmed or not) for a *stencil*: a stand-in fan with no rows of their own, whose name is a
secret word, while the tags for the fan's own parts leave *holes* in the HTML (a comment naming
the hole, with the markup for each state the part can take). The result is split into text and
holes and kept under the site's generation, as visitors' pages are (foundation/page_cache.py). A
fan's request then costs one round trip to the cache, for the shared copy, the generation, their
badge counts and their own rows (their list's video ids, their follows; kept per fan under a
version of theirs, community/fan_rows.py), and a CSRF token; the holes are filled with their
state, every value escaped.

Left to the full rendering: staff (drafts and their badges), a fan with a message waiting, any
address with parameters the page doesn't read, any response that isn't a plain 200 (or a page
the stand-in may not see: a private list), and a fan a guard turns away (a list's owner). The
hole markers and the stencil's name derive from SECRET_KEY, so no text a fan writes can forge
one. Without the cache (Redis down) every page is rendered as before.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from foundation import page_cache

ENTRY_FORMAT = 1  # (generation, Copy or None): change it when that changes
STENCIL_ATTR = "_fan_stencil"


@functools.cache
def _secret() -> str:
    return salted_hmac("foundation.fan_pages", "stencil", algorithm="sha256").hexdigest()[:20]


def stencil_username() -> str:
    """The stand-in fan's name: a valid username no one can pick without knowing SECRET_KEY."""
    return "stencil" + _secret()


def stencil_list_name() -> str:
    """The stand-in "Watch later" list's name, replaced by the name of the fan's, escaped."""
    return "stencillist" + _secret()


def stencil_list_pk() -> int:
    """The stand-in "Watch later" list's id, replaced by the fan's in the markup."""
    return 900_000_000_000_000_000 + int(_secret()[:12], 16) % 10**15


def _marker() -> str:
    return "fanpart-" + _secret()


@dataclass
class Stencil:
    """Set on the request while the shared copy is rendered: the tags of the fan's own parts
    ask for it (stencil_of) and leave holes, or refuse to be shared (a premiere's "remind me"
    that no hole covers yet). `guards`: what a fan's request checks before the copy may serve
    them (talk: the video, and the authors whose comments the copy shows; a list: its owner)."""

    kind: FanKind
    refused: bool = False
    guards: list[tuple[str, str]] = field(default_factory=list)

    def hole(self, kind: str, key: str = "", variants: Iterable[str] = ()) -> SafeString:
        """A hole of `kind` for `key`, carrying the markup of each state the part can take."""
        marker = _marker()
        text = [f"<!--{marker} {kind} {key}-->"]
        for variant in variants:
            text += [variant, f"<!--{marker} |-->"]
        text.append(f"<!--{marker} end-->")
        return mark_safe("".join(text))  # the variants are templates' output

    def refuse(self) -> None:
        self.refused = True

    def guard(self, kind: str, key: str) -> None:
        self.guards.append((kind, key))


@dataclass(frozen=True)
class FanKind:
    """What, beside their own rows, makes fans' pages differ: whether they may write."""

    confirmed: bool
    suspended: bool

    @classmethod
    def of(cls, user: Any) -> FanKind:
        return cls(bool(user.has_confirmed_email), bool(user.is_suspended))

    def __str__(self) -> str:
        return f"{'confirmed' if self.confirmed else 'unconfirmed'}-{int(self.suspended)}"


def stencil_of(request: HttpRequest | None) -> Stencil | None:
    return getattr(request, STENCIL_ATTR, None)


@dataclass
class Hole:
    kind: str
    key: str
    variants: list[list[Part]] = field(default_factory=list)


type Part = str | Hole


def split(html: str) -> list[Part]:
    """The shared copy as text and holes. Within text and each hole's variants, CSRF tokens and
    the stencil's name (and its profile address) become holes too."""
    marker = re.escape(_marker())
    pattern = re.compile(rf"<!--{marker} (\S+) (\S*)-->(.*?)<!--{marker} end-->", re.DOTALL)
    separator = f"<!--{_marker()} |-->"
    parts: list[Part] = []
    position = 0
    for found in pattern.finditer(html):
        parts += _inline(html[position : found.start()])
        variants = found.group(3).split(separator)[:-1]
        parts.append(Hole(found.group(1), found.group(2), [_inline(v) for v in variants]))
        position = found.end()
    parts += _inline(html[position:])
    return parts


_CSRF = re.compile(r'(?<=name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(?=")')


def _inline(html: str) -> list[Part]:
    """Text with the CSRF tokens, the stencil's profile address and its name as holes."""
    from django.urls import reverse

    profile = reverse("community:profile", args=[stencil_username()])
    pattern = re.compile(
        f"(?P<csrf>{_CSRF.pattern})|(?P<profile>{re.escape(profile)})"
        f"|(?P<list_name>{stencil_list_name()})|(?P<username>{stencil_username()})"
    )
    parts: list[Part] = []
    position = 0
    for found in pattern.finditer(html):
        parts.append(html[position : found.start()])
        kind = found.lastgroup
        assert kind is not None
        parts.append(Hole(kind.replace("_", "-"), ""))
        position = found.end()
    parts.append(html[position:])
    return [part for part in parts if part != ""]


# ---- Each fan's parts ---------------------------------------------------------------------------


class Filler(Protocol):
    """Fills one fan's holes (community.fan_parts.FanState, registered by the community app)."""

    def allows(self) -> bool: ...

    def join(self, parts: list[Part]) -> str: ...


@dataclass
class Parts:
    """What the app that owns the fans' rows registers: the cache keys to read with the copy
    (name: key), given the fan and the copy's own key (the header's counts, the fan's rows kept
    between requests), and their filler, given those keys and what was read under them."""

    filler: Callable[[HttpRequest, Copy, dict[str, str], dict[str, Any]], Filler]
    read_with_copy: Callable[[Any, str], dict[str, str]]


_parts: list[Parts] = []


def register(parts: Parts) -> None:
    """Called once, from the community app's ready(): this module imports no app above it."""
    _parts[:] = [parts]


# ---- Serving ------------------------------------------------------------------------------------


def for_fan(request: HttpRequest) -> bool:
    """A signed-in fan's GET or HEAD that a shared copy may answer: not staff (they see drafts
    and their badges), no message waiting to be shown (in the cookie or the session)."""
    user = getattr(request, "user", None)
    return (
        request.method in ("GET", "HEAD")
        and user is not None
        and user.is_authenticated
        and not user.is_staff
        and not request.COOKIES.get(CookieStorage.cookie_name)
        and not request.session.get(SessionStorage.session_key)
        and settings.PAGE_CACHE_SECONDS > 0
    )


def _key(request: HttpRequest, kind: FanKind) -> str:
    return page_cache.address_key(f"fan-page:{ENTRY_FORMAT}", request, kind)


@dataclass
class Copy:
    """A page as every fan of a kind shares it, kept under the site's generation."""

    headers: dict[str, str]
    parts: list[Part]
    guards: list[tuple[str, str]]
    keys: dict[str, list[str]]  # the holes' keys by kind, for the fan's reads of the page


def serve(
    request: HttpRequest, view: Callable[..., HttpResponseBase], args: Any, kwargs: Any
) -> HttpResponseBase:
    """The fan's page from the shared copy, rendered (and kept) first if there is none."""
    parts = _parts[0]
    kind = FanKind.of(request.user)
    key = _key(request, kind)
    # What the filler reads of its own (the header's badges, the fan's kept rows) comes in the
    # same round trip.
    theirs = parts.read_with_copy(request.user, key)
    generation, kept, found = page_cache.read_kept(key, *theirs.values())
    if kept is not None:
        (copy,) = kept
    else:
        copy = _render_shared(request, view, args, kwargs, kind)
        # A refusal is kept too: the next fan goes straight on.
        page_cache.keep(key, generation, copy)
    state: Filler | None = None
    if copy is not None:
        values = {name: found.get(k) for name, k in theirs.items()}
        state = parts.filler(request, copy, theirs, values)
    if copy is None or state is None or not state.allows():
        response = view(request, *args, **kwargs)  # theirs alone, rendered
        page_cache.private(response)
        return response
    response = HttpResponse(state.join(copy.parts), headers=copy.headers)
    page_cache.private(response)
    return response


def _render_shared(
    request: HttpRequest,
    view: Callable[..., HttpResponseBase],
    args: Any,
    kwargs: Any,
    kind: FanKind,
) -> Copy | None:
    """The page rendered for a stand-in fan of this kind, split into text and holes; None if
    it can't be shared. No real CSRF token goes into it: the stand-in's forms get one made
    from a throwaway secret (and the request's own is put back after)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    fan = request.user
    stand_in = get_user_model()(pk=0, username=stencil_username(), is_active=True)
    stand_in.primary_email_verified = kind.confirmed  # as with_email_state() annotates
    stand_in.suspended_at = timezone.now() if kind.suspended else None
    stand_in._state.adding = False
    stencil = Stencil(kind)
    csrf = {name: request.META[name] for name in _CSRF_META if name in request.META}
    request.META["CSRF_COOKIE"] = _secret()[:16] * 2
    request.user = stand_in
    setattr(request, STENCIL_ATTR, stencil)
    # No message of the fan's (one kept in the session, too long for the cookie) in the copy.
    messages = request.__dict__.pop("_messages", None)
    request._messages = []  # type: ignore[attr-defined]  # what get_messages() reads
    try:
        response = view(request, *args, **kwargs)
        if getattr(response, "is_rendered", True) is False:
            response.render()  # type: ignore[attr-defined]  # a TemplateResponse here
    except Http404:
        # Not found for the stand-in is not the fan's answer: a private list may be theirs.
        return None
    finally:
        request.user = fan
        delattr(request, STENCIL_ATTR)
        del request._messages  # type: ignore[attr-defined]  # set above
        if messages is not None:
            request._messages = messages  # type: ignore[attr-defined]  # the middleware's
        for name in _CSRF_META:
            request.META.pop(name, None)
        request.META.update(csrf)
    if (
        stencil.refused
        or response.status_code != 200
        or response.streaming
        or response.cookies
        or response.has_header("Cache-Control")
    ):
        return None
    content = cast(HttpResponse, response).content.decode(response.charset)
    headers = {k: v for k, v in response.items() if k.lower() not in {"content-length", "vary"}}
    parts = split(content)
    keys: dict[str, list[str]] = {}
    for part in parts:
        if isinstance(part, Hole) and part.key:
            keys.setdefault(part.kind, []).append(part.key)
    return Copy(headers, parts, stencil.guards, keys)


_CSRF_META = ("CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE")


class _Pages:
    """This module, as the page cache asks for it (page_cache.FanPages)."""

    for_fan = staticmethod(for_fan)
    serve = staticmethod(serve)


page_cache.serve_fans_with(_Pages())
