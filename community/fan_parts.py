"""A signed-in fan's own parts of a shared page (foundation/fan_pages.py): what fills the holes the
stand-in fan's rendering left, from a few keyed reads of this fan's rows."""

from __future__ import annotations

import functools
from html import escape
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest
from django.middleware.csrf import get_token

from community import fan_rows
from community.badges import alerts_key, unread_alerts, unread_key, unread_notification_count
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
from community.templatetags.follow_tags import alerts_badge_html
from community.templatetags.talk_tags import notifications_badge_html
from community.templatetags.watchlist_tags import WatchLater
from foundation.fan_pages import Copy, Hole, Part, stencil_list_pk


def read_with_copy(user: Any, copy_key: str) -> dict[str, str]:
    """What a fan's parts read with the copy, in its round trip: the header's unread counts
    (their caches are the badges'), and the fan's rows kept under their version."""
    return {
        "alerts": alerts_key(user.pk),
        "notifications": unread_key(user.pk),
        "version": fan_rows.version_key(user.pk),
        "own": fan_rows.own_key(user.pk),
        "page": fan_rows.page_key(user.pk, copy_key),
    }


# The tags of the rows every page shows the same (fan_rows.own_key); the rest are the page's.
# "all-": all of a fan's likes, reports, scores, blocks and held or hidden comments' videos, kept
# with their own rows when there are few, so that a page's talk rows need no read of their own.
OWN_TAGS = ("list", "list-named", "watch", "follow:", "follow-list", "all-")
# How many of each kind a fan's own rows carry at most; a fan with more reads a page's talk rows.
ALL_AT_MOST = 200


def keep_own_rows(fan: int) -> None:
    """Read the fan's own rows (fan_rows.own_key) into the cache, unless kept under their
    current version: done once a fan has logged in, so that their first page reads none."""
    entry_key, version_key = fan_rows.own_key(fan), fan_rows.version_key(fan)
    found = cache.get_many([version_key, entry_key])
    version, entry = found.get(version_key), found.get(entry_key)
    if version is not None and entry is not None and entry[0] == version:
        return
    if version is None:  # before the database, as in FanState.rows
        version = fan_rows.start(fan)
        if version is None:  # no cache
            return
    mine, name = _own(read_rows(fan, own=True, talk=None))
    cache.set(entry_key, (version, mine, name), fan_rows.SECONDS)


def logged_in(sender: type, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """A fan logged in: keep what their pages read with the copy once it commits (their own
    rows and the header's counts; community/identity.py keeps their row the same way)."""
    if user.pk is not None:
        transaction.on_commit(functools.partial(_keep, user), robust=True)


def _keep(user: Any) -> None:
    keep_own_rows(user.pk)
    unread_alerts(user)  # kept if not kept already, as a page would
    unread_notification_count(user)


def _own(read: dict[str, set[int]]) -> tuple[dict[str, set[int]], str | None]:
    """The own rows among those read, and the name of the fan's Watch later list when they
    gave it one (one more read)."""
    mine = {tag: ids for tag, ids in read.items() if tag.startswith(OWN_TAGS)}
    named = read.get("list-named")
    if not named:
        return mine, None
    return mine, Watchlist.objects.values_list("name", flat=True).get(pk=next(iter(named)))


class FanState:
    """What one fan's holes are filled with: their own rows, kept in the cache or read in one
    query when a hole first asks, and the header's counts, read with the copy."""

    def __init__(
        self,
        request: HttpRequest,
        copy: Copy,
        keys: dict[str, str] | None = None,
        kept: dict[str, Any] | None = None,
    ) -> None:
        self.request = request
        self.keys = copy.keys
        self.guards = copy.guards
        self.cache_keys = keys or {}
        self.kept = kept or {}
        self.list_name_kept: str | None = None

    def _ids(self, kind: str) -> list[int]:
        return [int(key) for key in self.keys.get(kind, ())]

    @functools.cached_property
    def talk(self) -> tuple[tuple[int, ...], ...]:
        """What the page's own rows depend on: the comments whose likes and reports it shows,
        the videos it rates, the videos whose talk it shows."""
        videos = [int(key.split(":", 1)[0]) for kind, key in self.guards if kind == "talk"]
        return (
            tuple(self._ids("like")),
            tuple(self._ids("report")),
            tuple(self._ids("rating")),
            tuple(videos),
        )

    @functools.cached_property
    def rows(self) -> dict[str, set[int]]:
        """Everything of the fan's own the copy asks for, as tagged sets of numbers: kept in the
        cache under the fan's version (community/fan_rows.py) when it is current, else read in
        one query and kept under the version read before it."""
        found: dict[str, set[int]] = {}
        own_wanted = any(kind in self.keys for kind in ("watch", "follow", "follow-list"))
        talk_wanted = any(self.talk)
        own = self._current("own")
        if own is not None:
            kept_rows, self.list_name_kept = own
            found.update(kept_rows)
            own_wanted = False
            if talk_wanted and (derived := talk_rows(kept_rows, self.talk)) is not None:
                found.update(derived)
                talk_wanted = False
        if talk_wanted and (page := self._current("page", self.talk)) is not None:
            (kept_rows,) = page
            found.update(kept_rows)
            talk_wanted = False
        if talk_wanted and own is None:  # read with the page's: the next page needs neither
            own_wanted = True
        if not (own_wanted or talk_wanted):
            return found
        fan = int(self.request.user.pk)  # type: ignore[arg-type]  # a fan: saved
        version = self.kept.get("version")
        if version is None:  # before the database: a write after this read moves it on
            version = fan_rows.start(fan)
        read = read_rows(fan, own=own_wanted, talk=self.talk if talk_wanted else None)
        found.update(read)
        if version is None:  # no cache
            return found
        keep: dict[str, Any] = {}
        if own_wanted:
            mine, self.list_name_kept = _own(read)
            keep[self.cache_keys["own"]] = (version, mine, self.list_name_kept)
        if talk_wanted:
            theirs = {tag: ids for tag, ids in read.items() if not tag.startswith(OWN_TAGS)}
            keep[self.cache_keys["page"]] = (version, self.talk, theirs)
        cache.set_many(keep, fan_rows.SECONDS)
        return found

    def _current(self, name: str, *depends_on: object) -> tuple[Any, ...] | None:
        """What was kept under `name` for the fan's current version (and `depends_on`), or None:
        an entry is (version, *depends_on, *what)."""
        entry, version = self.kept.get(name), self.kept.get("version")
        head = (version, *depends_on)
        if version is None or entry is None or tuple(entry[: len(head)]) != head:
            return None
        return tuple(entry[len(head) :])

    def allows(self) -> bool:
        """Whether the shared copy may serve this fan: a list's owner gets its page rendered
        (with their controls and forms); for talk, one who blocked or was blocked by anyone, has
        a held or hidden comment on the video, or wrote a comment the copy shows gets the page
        rendered (what they see of the talk is theirs alone)."""
        if ("owner", str(self.request.user.pk)) in self.guards:
            return False
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
        rows = self.rows
        pk = next(iter(rows.get("list", set()) | rows.get("list-named", set())), None)
        name = Watchlist.DEFAULT_NAME
        if pk is not None and rows.get("list-named"):  # a name of the fan's own: one more read
            name = self.list_name_kept or Watchlist.objects.values_list("name", flat=True).get(
                pk=pk
            )
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

    @property
    def followed_lists(self) -> set[int]:
        """The lists the fan follows (one of their own rows, kept with the others)."""
        return self.rows.get("follow-list", set())

    def badge(self, name: str) -> str:
        render = {"alerts": alerts_badge_html, "notifications": notifications_badge_html}[name]
        count = self.kept.get(name)
        if name == "alerts" and count is None and self._follows_no_one():
            count = 0  # alerts are new videos of the group or members the fan follows
        return render(self.request, count)

    def _follows_no_one(self) -> bool:
        """Whether the fan's own rows, kept under their current version, hold no follow of the
        group or of a member (without reading them: a fan's alerts count expires within a
        minute, their own rows don't)."""
        own = self._current("own")
        return own is not None and not any(tag.startswith("follow:") for tag in own[0])

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
        if hole.kind == "follow-list":  # variants: following, not following
            return self.join(hole.variants[0 if int(hole.key) in self.followed_lists else 1])
        if hole.kind == "like":  # variants: liked, not liked
            return self.join(hole.variants[0 if int(hole.key) in self.rows.get("like", ()) else 1])
        if hole.kind == "report":  # variants: reported, the form to report
            reported = int(hole.key) in self.rows.get("report", ())
            return self.join(hole.variants[0 if reported else 1])
        if hole.kind == "rating":  # variants: not rated, then each score from 1 to 10
            score = next(iter(self.rows.get(f"score:{hole.key}", ())), 0)
            return self.join(hole.variants[score])
        raise ValueError(f"No such part of a fan's page: {hole.kind}")


def talk_rows(
    own: dict[str, set[int]], talk: tuple[tuple[int, ...], ...]
) -> dict[str, set[int]] | None:
    """A page's talk rows (read_rows' `talk`) made from all of the fan's kept with their own
    rows, or None when they have too many of one kind for those to be all."""
    kinds = ("all-like", "all-report", "all-block", "all-held")
    scores = sum(1 for tag in own if tag.startswith("all-score:"))
    if scores > ALL_AT_MOST or any(len(own.get(kind, ())) > ALL_AT_MOST for kind in kinds):
        return None
    likes, reports, ratings, videos = talk
    found = {
        "like": own.get("all-like", set()) & set(likes),
        "report": own.get("all-report", set()) & set(reports),
    }
    for video in ratings:
        found[f"score:{video}"] = own.get(f"all-score:{video}", set())
    if videos:
        found["block"] = own.get("all-block", set())
        found["held"] = own.get("all-held", set()) & set(videos)
    return {tag: numbers for tag, numbers in found.items() if numbers}


def _columns(model: type[Any], *fields: str) -> tuple[str, ...]:
    """The model's table and the fields' columns, quoted for SQL."""
    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(name).column) for name in fields]
    return (quote(model._meta.db_table), *columns)


def read_rows(
    user: int, *, own: bool, talk: tuple[tuple[int, ...], ...] | None
) -> dict[str, set[int]]:
    """The rows in one query (a UNION ALL of tagged (kind, number) rows): with `own`, their
    Watch later list and its videos, their follows of the group, of members and of lists, and
    up to ALL_AT_MOST + 1 of each of their likes, reports, scores, blocks and held or hidden
    comments' videos (talk_rows()); with `talk`, their likes and reports among the comments
    shown, their score, and for talk, their blocks either way and their held or hidden comments
    on the video.

    Written as SQL: built with the ORM, a union of seven querysets cost more Python than
    the rest of the fill (docs/performance.md, "Decisions")."""
    reads: list[str] = []
    params: list[Any] = []

    def read(sql: str, *values: Any) -> None:
        reads.append(sql)
        params.extend(values)

    def ids(values: tuple[int, ...]) -> str:
        return ", ".join(["%s"] * len(values))

    def first(sql: str, *values: Any) -> None:
        """At most one more than ALL_AT_MOST of a kind: enough to tell there are too many."""
        read(f"SELECT * FROM ({sql} LIMIT {ALL_AT_MOST + 1}) AS rows", *values)

    likes, reports, ratings, videos = talk or ((), (), (), ())
    if likes:
        table, by, comment = _columns(CommentLike, "user", "comment")
        read(
            f"SELECT 'like', {comment} FROM {table} WHERE {by} = %s AND {comment} IN "
            f"({ids(likes)})",
            user,
            *likes,
        )
    if reports:
        table, by, comment = _columns(Report, "reporter", "comment")
        read(
            f"SELECT 'report', {comment} FROM {table} WHERE {by} = %s AND {comment} IN "
            f"({ids(reports)})",
            user,
            *reports,
        )
    for video in ratings:
        table, by, on, score = _columns(Rating, "user", "video", "score")
        tag = f"'score:{int(video)}'"
        read(f"SELECT {tag}, {score} FROM {table} WHERE {by} = %s AND {on} = %s", user, video)
    if own:
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
        table, by, kind, member, listed = _columns(
            Follow, "follower", "kind", "member", "watchlist"
        )
        read(
            f"SELECT CASE WHEN {kind} = %s THEN 'follow-list' ELSE 'follow:' || {kind} END, "
            f"COALESCE({member}, {listed}, 0) FROM {table} "
            f"WHERE {by} = %s AND {kind} IN (%s, %s, %s)",
            Follow.Kind.LIST.value,
            user,
            Follow.Kind.GROUP.value,
            Follow.Kind.MEMBER.value,
            Follow.Kind.LIST.value,
        )
        table, by, comment = _columns(CommentLike, "user", "comment")
        first(f"SELECT 'all-like', {comment} FROM {table} WHERE {by} = %s", user)
        table, by, comment = _columns(Report, "reporter", "comment")
        first(f"SELECT 'all-report', {comment} FROM {table} WHERE {by} = %s", user)
        table, by, on, score = _columns(Rating, "user", "video", "score")
        first(f"SELECT 'all-score:' || {on}, {score} FROM {table} WHERE {by} = %s", user)
        table, blocker, blocked = _columns(Block, "blocker", "blocked")
        first(
            f"SELECT 'all-block', id FROM {table} WHERE {blocker} = %s OR {blocked} = %s",
            user,
            user,
        )
        table, on, author, status = _columns(Comment, "video", "author", "status")
        first(
            f"SELECT 'all-held', {on} FROM {table} WHERE {author} = %s AND {status} IN (%s, %s)",
            user,
            Comment.Status.HELD.value,
            Comment.Status.HIDDEN.value,
        )
    if videos:
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
