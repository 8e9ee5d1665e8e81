"""Pages for signed-in fans from one shared rendering, with each fan's own parts filled in.

A fan's home page or video list is the visitor's page plus a few parts of their own: their
name in the header and its unread badges, the CSRF token in each form, whether each card's
video is in their "Watch later" list, whether they follow the group. Rendering the whole page
for every fan on every request made signed-in pages cost what uncached ones do.

Instead the page is rendered once per address, language and kind of fan (e-mail address
confirmed or not) for a *stencil*: a stand-in fan with no rows of their own, whose name is a
secret word, while the tags for the fan's own parts leave *holes* in the HTML (a comment naming
the hole, with the markup for each state the part can take). The result is split into text and
holes and kept under the site's generation, as visitors' pages are (fansite/page_cache.py). A
fan's request then costs a few keyed reads: the shared copy and the generation (one round trip
to the cache), their list's video ids (one query), whether they follow the group (one query),
their badge counts (cached per fan), and a CSRF token; the holes are filled with their state,
every value escaped.

Left to the full rendering: staff (drafts and their badges), a fan with a message waiting, any
address with parameters the page doesn't read, and any response that isn't a plain 200. The
hole markers and the stencil's name derive from SECRET_KEY, so no text a fan writes can forge
one. Without the cache (Redis down) every page is rendered as before.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any, cast

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

ENTRY_FORMAT = 1  # (generation, Copy or None): change it when that changes
STENCIL_ATTR = "_fan_stencil"


@functools.cache
def _secret() -> str:
    return salted_hmac("fansite.fan_pages", "stencil", algorithm="sha256").hexdigest()[:20]


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
    them (talk: the video, and the authors whose comments the copy shows)."""

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


# ---- Each fan's state ----------------------------------------------------------------------------


class FanState:
    """What one fan's holes are filled with: their own rows, read in one query when a hole
    first asks, and the header's counts, read with the copy."""

    def __init__(
        self,
        request: HttpRequest,
        copy: Copy,
        counts: dict[str, int | None] | None = None,
    ) -> None:
        self.request = request
        self.keys = copy.keys
        self.guards = copy.guards
        self.counts = counts or {}

    def _ids(self, kind: str) -> list[int]:
        return [int(key) for key in self.keys.get(kind, ())]

    @functools.cached_property
    def rows(self) -> dict[str, set[int]]:
        """Everything of the fan's own the copy asks for, in one query (a UNION ALL of tagged
        (kind, number) rows): their likes and reports among the comments shown, their score,
        their Watch later list and its videos, their follows of the group and of members, and
        for talk, their blocks either way and their held or hidden comments on the video.

        Written as SQL: built with the ORM, a union of seven querysets cost more Python than
        the rest of the fill (docs/performance.md, "Decisions")."""
        from django.db import connection

        from community.models import (
            Block,
            Comment,
            CommentLike,
            Follow,
            Rating,
            Report,
            Watchlist,
            WatchlistItem,
        )

        user = self.request.user.pk
        reads: list[str] = []
        params: list[Any] = []

        def read(sql: str, *values: Any) -> None:
            reads.append(sql)
            params.extend(values)

        def ids(values: list[int]) -> str:
            return ", ".join(["%s"] * len(values))

        if likes := self._ids("like"):
            table, by, comment = _columns(CommentLike, "user", "comment")
            read(
                f"SELECT 'like', {comment} FROM {table} WHERE {by} = %s AND {comment} IN "
                f"({ids(likes)})",
                user,
                *likes,
            )
        if reports := self._ids("report"):
            table, by, comment = _columns(Report, "reporter", "comment")
            read(
                f"SELECT 'report', {comment} FROM {table} WHERE {by} = %s AND {comment} IN "
                f"({ids(reports)})",
                user,
                *reports,
            )
        for video in self._ids("rating"):
            table, by, on, score = _columns(Rating, "user", "video", "score")
            tag = f"'score:{int(video)}'"
            read(f"SELECT {tag}, {score} FROM {table} WHERE {by} = %s AND {on} = %s", user, video)
        if "watch" in self.keys:
            lists, owner, default, name = _columns(Watchlist, "owner", "is_default", "name")
            read(
                f"SELECT CASE WHEN {name} = %s THEN 'list' ELSE 'list-named' END, id FROM {lists} "
                f"WHERE {owner} = %s AND {default} = %s",
                Watchlist.DEFAULT_NAME,
                user,
                True,
            )
            items, in_list, video_column = _columns(WatchlistItem, "watchlist", "video")
            read(
                f"SELECT 'watch', i.{video_column} FROM {items} i JOIN {lists} w "
                f"ON w.id = i.{in_list} WHERE w.{owner} = %s AND w.{default} = %s",
                user,
                True,
            )
        if "follow" in self.keys:
            table, by, kind, member = _columns(Follow, "follower", "kind", "member")
            read(
                f"SELECT 'follow:' || {kind}, COALESCE({member}, 0) FROM {table} "
                f"WHERE {by} = %s AND {kind} IN (%s, %s)",
                user,
                Follow.Kind.GROUP.value,
                Follow.Kind.MEMBER.value,
            )
        if videos := [int(key.split(":", 1)[0]) for kind, key in self.guards if kind == "talk"]:
            table, blocker, blocked = _columns(Block, "blocker", "blocked")
            read(
                f"SELECT 'block', id FROM {table} WHERE {blocker} = %s OR {blocked} = %s",
                user,
                user,
            )
            table, on, author, status = _columns(Comment, "video", "author", "status")
            read(
                f"SELECT 'held', id FROM {table} WHERE {on} IN ({ids(videos)}) "
                f"AND {author} = %s AND {status} IN (%s, %s)",
                *videos,
                user,
                Comment.Status.HELD.value,
                Comment.Status.HIDDEN.value,
            )
        found: dict[str, set[int]] = {}
        if reads:
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(reads), params)
                for tag, number in cursor.fetchall():
                    found.setdefault(tag, set()).add(number)
        return found

    def allows(self) -> bool:
        """Whether the shared copy may serve this fan: for talk, one who blocked or was blocked
        by anyone, has a held or hidden comment on the video, or wrote a comment the copy shows
        gets the page rendered (what they see of the talk is theirs alone)."""
        talks = [key for kind, key in self.guards if kind == "talk"]
        if not talks:
            return True
        mine = str(self.request.user.pk)
        if any(mine in key.split(":", 1)[1].split(",") for key in talks):
            return False
        return not (self.rows.get("block") or self.rows.get("held"))

    def join(self, parts: list[Part]) -> str:
        return "".join(part if isinstance(part, str) else self.fill(part) for part in parts)

    @functools.cached_property
    def csrf(self) -> str:
        return escape(get_token(self.request))

    @functools.cached_property
    def username(self) -> str:
        return escape(self.request.user.get_username())

    @functools.cached_property
    def profile(self) -> str:
        return escape(self.request.user.get_absolute_url())  # type: ignore[union-attr]  # a fan

    @functools.cached_property
    def watch_later(self) -> Any:
        """The fan's Watch later list as the cards need it (community's WatchLater)."""
        from community.models import Watchlist
        from community.templatetags.watchlist_tags import WatchLater

        rows = self.rows
        pk = next(iter(rows.get("list", set()) | rows.get("list-named", set())), None)
        name = Watchlist.DEFAULT_NAME
        if pk is not None and rows.get("list-named"):  # a name of the fan's own: one more read
            name = Watchlist.objects.values_list("name", flat=True).get(pk=pk)
        return WatchLater(pk=pk, video_ids=frozenset(rows.get("watch", ())), name=name)

    @functools.cached_property
    def list_name(self) -> str:
        return escape(str(self.watch_later.display_name))

    @functools.cached_property
    def follows(self) -> set[str]:
        """The fan's follows of the group and of members, as the holes' keys name them."""
        return {
            f"{tag.removeprefix('follow:')}:{number or ''}"
            for tag, numbers in self.rows.items()
            if tag.startswith("follow:")
            for number in numbers
        }

    def badge(self, name: str) -> str:
        from community.templatetags.follow_tags import alerts_badge_html
        from community.templatetags.talk_tags import notifications_badge_html

        render = {"alerts": alerts_badge_html, "notifications": notifications_badge_html}[name]
        return render(self.request, self.counts.get(name))

    def fill(self, hole: Hole) -> str:
        if hole.kind == "csrf":
            return self.csrf
        if hole.kind == "username":
            return self.username
        if hole.kind == "profile":
            return self.profile
        if hole.kind == "list-name":
            return self.list_name
        if hole.kind == "badge":
            return self.badge(hole.key)
        if hole.kind == "watch":  # variants: saved, not saved
            watch_later = self.watch_later
            saved = watch_later.pk is not None and int(hole.key) in watch_later.video_ids
            html = self.join(hole.variants[0 if saved else 1])
            if saved:
                html = html.replace(str(stencil_list_pk()), str(watch_later.pk))
            return html
        if hole.kind == "follow":  # variants: following, not following
            return self.join(hole.variants[0 if hole.key in self.follows else 1])
        if hole.kind == "like":  # variants: liked, not liked
            return self.join(hole.variants[0 if int(hole.key) in self.rows.get("like", ()) else 1])
        if hole.kind == "report":  # variants: reported, the form to report
            reported = int(hole.key) in self.rows.get("report", ())
            return self.join(hole.variants[0 if reported else 1])
        if hole.kind == "rating":  # variants: not rated, then each score from 1 to 10
            score = next(iter(self.rows.get(f"score:{hole.key}", ())), 0)
            return self.join(hole.variants[score])
        raise ValueError(f"No such part of a fan's page: {hole.kind}")


def _columns(model: type[Any], *fields: str) -> tuple[str, ...]:
    """The model's table and the fields' columns, quoted for SQL."""
    from django.db import connection

    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(name).column) for name in fields]
    return (quote(model._meta.db_table), *columns)


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
    address = f"{translation.get_language()} {kind} {request.build_absolute_uri()}"
    return f"fan-page:{ENTRY_FORMAT}:" + hashlib.sha256(address.encode()).hexdigest()


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
    from community.badges import unread_key
    from community.templatetags.follow_tags import alerts_cache_key
    from fansite import page_cache

    kind = FanKind.of(request.user)
    key = _key(request, kind)
    fan = request.user.pk
    assert fan is not None  # for_fan(): signed in
    # The header's unread counts come in the same round trip (their caches are the badges').
    counts = {"alerts": alerts_cache_key(fan), "notifications": unread_key(fan)}
    found = cache.get_many([page_cache.GENERATION_KEY, key, *counts.values()])
    generation = found.get(page_cache.GENERATION_KEY)
    if generation is None:
        generation = page_cache._start(page_cache.GENERATION_KEY)
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        copy = entry[1]
    else:
        copy = _render_shared(request, view, args, kwargs, kind)
        if generation is not None:  # a refusal is kept too: the next fan goes straight on
            cache.set(key, (generation, copy), settings.PAGE_CACHE_SECONDS)
            page_cache._local.stored = True  # a write in this transaction makes it stale
    state = None
    if copy is not None:
        state = FanState(request, copy, {name: found.get(k) for name, k in counts.items()})
    if copy is None or state is None or not state.allows():
        response = view(request, *args, **kwargs)  # theirs alone, rendered
        _private(response)
        return response
    response = HttpResponse(state.join(copy.parts), headers=copy.headers)
    _private(response)
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
    from django.utils import timezone

    from community.models import User

    fan = request.user
    stand_in = User(pk=0, username=stencil_username(), is_active=True)
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


def _private(response: HttpResponseBase) -> None:
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True)
    patch_vary_headers(response, ("Cookie",))
