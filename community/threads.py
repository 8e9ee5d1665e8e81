"""Reading talk: a video's thread and a thread's replies in keyset pages, cited moments.

Which comments a viewer sees, and what a row shows of each, is Comment.objects.visible_to and
.for_display (community.models); the pages and the API both read talk through this module.

Pages are found by key, never by OFFSET, and the total shown is video.comment_count, never a
COUNT(*): the hundredth page of a 100,000-comment thread costs what the first does. A page shows
the first few replies of each comment and links the rest to the thread's own page, which pages
them by the same kind of key: a thread with 10,000 replies costs what one with three does.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import (
    Count,
    DateTimeField,
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import pgettext_lazy

from catalog.models import MusicVideo
from catalog.models import Status as VideoStatus
from community import text
from community.models import Comment, CommentMoment
from foundation.any_of import AnyOf
from foundation.compiled_queries import CompiledQuery, int_marks

DB_INT = 2**63  # ids and counts are 64-bit integers in the database: cursors stay inside
PAGE_SIZE = 20
REPLIES_SHOWN = 3  # under each comment of the video page; the rest on the thread's own page
REPLIES_PAGE_SIZE = 50  # replies per page of a thread's own page
MOST_CITED = 5
Status = Comment.Status
Position = tuple[datetime | int, int]  # (the sort's key, the id) of a comment

# sort: (label, key field); the id breaks ties, so pages never overlap or skip.
SORTS = {
    "newest": (pgettext_lazy("sort order", "Newest"), "created_at"),
    "oldest": (pgettext_lazy("sort order", "Oldest"), "created_at"),
    "liked": (pgettext_lazy("sort order", "Most liked"), "like_count"),
}
DEFAULT_SORT = "newest"
ASCENDING = {"oldest"}
REPLY_SORT = "oldest"  # replies read oldest first, paged by (created_at, id) cursors


# ---- Cursors: an opaque "after this comment" position ------------------------------------------


def encode_cursor(sort: str, key: datetime | int, pk: int) -> str:
    value = key.isoformat() if isinstance(key, datetime) else str(key)
    raw = f"{sort}~{value}~{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: str, cursor: str) -> Position | None:
    """The (key, id) a cursor points after; None for anything malformed, for another sort, or
    for a key or id the database can't compare with (the pages and the API answer 404 then)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        cursor_sort, value, pk = raw.split("~")
        if cursor_sort != sort:
            return None
        key: datetime | int = (
            datetime.fromisoformat(value) if SORTS[sort][1] == "created_at" else int(value)
        )
        if isinstance(key, datetime):
            if key.tzinfo is None:
                return None
            key.astimezone(UTC)  # the database compares in UTC: year 1 or 9999 may not fit
        elif not -DB_INT <= key < DB_INT:
            return None
        if not -DB_INT < int(pk) < DB_INT - 1:  # thread_url moves an id one either way
            return None
        return key, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, OverflowError):
        return None


def position_of(sort: str, after: str) -> Position | None:
    """The position an address's `after` asks for: None for the first page, a 404 for a cursor
    we never handed out (a forged one must not reach the database)."""
    if not after:
        return None
    position = decode_cursor(sort, after)
    if position is None:
        raise Http404("No such page of talk.")
    return position


def key_of(sort: str, comment: Comment | CommentRow) -> Position:
    """Where a comment stands in this sort: the position a page after (or before) it starts."""
    return getattr(comment, SORTS[sort][1]), comment.pk


def _cursor_of(sort: str, comment: Comment | CommentRow) -> str:
    return encode_cursor(sort, *key_of(sort, comment))


class _Row(Func):
    """(a, b) as an SQL row value."""

    function = ""
    template = "(%(expressions)s)"


def _beyond[RowT](
    comments: QuerySet[Comment, RowT], sort: str, position: Position, *, before: bool = False
) -> QuerySet[Comment, RowT]:
    """The comments a page in this sort shows after the one at position (before it: those
    shown before it)."""
    # A row comparison, (key, id) < (k, pk), is one index condition: the scan starts at the
    # cursor even deep inside a run of ties (thousands of comments with no likes).
    key, pk = position
    field = SORTS[sort][1]
    output = DateTimeField() if field == "created_at" else IntegerField()
    lookup = "gt" if (sort in ASCENDING) != before else "lt"
    return comments.alias(position=_Row(field, "id", output_field=output)).filter(
        **{f"position__{lookup}": _Row(Value(key), Value(pk), output_field=output)}
    )


def _order(sort: str, *, reverse: bool = False) -> tuple[str, str]:
    field = SORTS[sort][1]
    return (field, "pk") if (sort in ASCENDING) != reverse else (f"-{field}", "-pk")


def keyset_page[RowT](
    comments: QuerySet[Comment, RowT],
    sort: str,
    position: Position | None,
    size: int,
    *,
    backwards: bool = False,
) -> tuple[list[RowT], bool]:
    """Up to `size` comments in the sort's order, starting after `position` (None: at the
    start), and whether more follow them (1 query, however deep). Backwards: the `size` just
    before `position`, still in the sort's order, and whether more come before them.

    No OFFSET and no COUNT: a deep page costs what the first does, and comments posted
    meanwhile neither repeat nor skip any in newest or oldest order. The pages and the API
    both page talk here.
    """
    rows = list(_keyset_query(comments, sort, position, size, backwards=backwards))
    more = len(rows) > size
    rows = rows[:size]
    return (rows[::-1] if backwards else rows), more


def _keyset_query[RowT](
    comments: QuerySet[Comment, RowT],
    sort: str,
    position: Position | None,
    size: int,
    *,
    backwards: bool = False,
) -> QuerySet[Comment, RowT]:
    # keyset_page's query: one more than `size`, to tell whether more follow.
    if position is not None:
        comments = _beyond(comments, sort, position, before=backwards)
    return comments.order_by(*_order(sort, reverse=backwards))[: size + 1]


def mark_own(comments: Iterable[Comment], user: Any) -> None:
    """Set comment.is_own: whether the viewer wrote it."""
    viewer = user.pk if getattr(user, "is_authenticated", False) else None
    for comment in comments:
        # Not author_id == user.pk alone: a visitor and "a deleted fan" both have None.
        comment.is_own = viewer is not None and comment.author_id == viewer  # type: ignore[attr-defined]  # attached for the template and the API


def first_replies(user: Any) -> dict[str, Subquery]:
    """The ids of a comment's first REPLIES_SHOWN + 1 replies the viewer sees, a subquery each.

    Each stops within a few rows of the (parent, created_at) index, so a page costs the same
    whatever its threads' sizes; the last only tells whether there are more to link to.
    """
    replies = Comment.objects.filter(parent=OuterRef("pk")).visible_to(user)
    ids = replies.order_by("created_at", "pk").values("pk")
    return {f"first_reply_{n}": Subquery(ids[n : n + 1]) for n in range(REPLIES_SHOWN + 1)}


def top_level(video: MusicVideo, user: Any) -> QuerySet[Comment]:
    """A video's top-level comments as the viewer sees them, each with the ids of its first
    replies, for keyset_page and then with_first_replies."""
    comments = Comment.objects.filter(video=video, parent__isnull=True).for_display(user)
    return comments.annotate(**first_replies(user))


def with_first_replies(comments: list[Comment], user: Any) -> None:
    """Attach to each comment of a page of top_level() its first REPLIES_SHOWN replies, oldest
    first (.thread_replies), and whether its thread has more (.more_replies); mark_own them all.
    1 query, none when no comment has a reply."""
    shown = [
        pk
        for comment in comments
        for n in range(REPLIES_SHOWN)
        if (pk := getattr(comment, f"first_reply_{n}")) is not None
    ]
    replies: dict[int, list[Comment]] = {c.pk: [] for c in comments}
    if shown:
        rows = Comment.objects.filter(pk__in=shown).for_display(user)
        for reply in rows.order_by("created_at", "pk"):
            replies[reply.parent_id].append(reply)  # type: ignore[index]  # a reply has a parent
    for comment in comments:
        comment.thread_replies = replies[comment.pk]  # type: ignore[attr-defined]  # attached for the template and the API
        more = getattr(comment, f"first_reply_{REPLIES_SHOWN}") is not None
        comment.more_replies = more  # type: ignore[attr-defined]  # attached for the template and the API
        mark_own([comment, *replies[comment.pk]], user)


# What a row of the video page's talk reads of a comment (community.comment_markup), beside
# Comment.objects.for_display's author columns and first_replies' ids.
_ROW_FIELDS = (
    "id",
    "video_id",
    "author_id",
    "parent_id",
    "body",
    "status",
    "like_count",
    "reply_count",
    "created_at",
    "edited_at",
    "author_username",
    "author_display_name",
    "author_avatar",
)
_FAN_FIELDS = ("liked", "reported")  # for_display's, for a signed-in viewer


class CommentRow(SimpleNamespace):
    """A comment as the video page shows it: the attributes of a Comment that community's
    markup reads (pk, author_username, is_own...), without the model instance. Built from a
    values() row; a page of talk holds up to 80, and a model instance cost about twenty times
    what a row does to build."""


def _rows(comments: QuerySet[Comment], user: Any, *more: str) -> QuerySet[Comment, dict[str, Any]]:
    fields = _ROW_FIELDS + _FAN_FIELDS if getattr(user, "is_authenticated", False) else _ROW_FIELDS
    return comments.values(*fields, *more)


def _row(values: dict[str, Any], viewer: int | None) -> CommentRow:
    values["pk"] = values["id"]
    # Not author_id == viewer alone: a visitor and "a deleted fan" both have None.
    values["is_own"] = viewer is not None and values["author_id"] == viewer
    return CommentRow(**values)


@dataclass
class ThreadPage:
    # top-level CommentRows, each with .thread_replies (its first REPLIES_SHOWN, oldest first)
    # and .more_replies (whether the thread's own page has more)
    comments: list[CommentRow]
    sort: str
    next_cursor: str | None
    after: str | None


def thread_page(video: MusicVideo, user: Any, sort: str = "", after: str = "") -> ThreadPage:
    """One page of a video's top-level comments with their first replies (2 queries), as
    CommentRows: what keyset_page gives of top_level() with what with_first_replies attaches,
    is_own marked.

    Placeholders ("Removed by a moderator.") only appear beside visible talk: with none, a
    visitor gets no queries and a fan sees just their own held or hidden comments.
    """
    if not sort:
        sort = DEFAULT_SORT
    if sort not in SORTS:
        raise Http404("No such order of talk.")
    position = position_of(sort, after)
    signed_in = getattr(user, "is_authenticated", False)
    if not signed_in and video.comment_count == 0:
        return ThreadPage([], sort, None, None)
    # as for visitors, but the fan's own held/hidden ones
    own_only = video.comment_count == 0
    viewer = user.pk if signed_in else None
    if signed_in:
        query = _compiled(
            ("page", sort, position is None, own_only),
            lambda video_id, fan, *at: _page_query(
                video_id, _marker_fan(fan), sort, at or None, own_only
            ),
            (VIDEO_MARK, FAN_MARK, *_position_marks(sort, position)),
        )
        page = query.dicts(video.pk, viewer, *(position or ()))
    else:
        query = _compiled(
            ("visitor's page", sort, position is None),
            lambda video_id, *at: _page_query(video_id, AnonymousUser(), sort, at or None, False),
            (VIDEO_MARK, *_position_marks(sort, position)),
        )
        page = query.dicts(video.pk, *(position or ()))
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    shown = [
        pk for values in page for name in _FIRST[:REPLIES_SHOWN] if (pk := values[name]) is not None
    ]
    replies: dict[int, list[CommentRow]] = {values["id"]: [] for values in page}
    if shown:
        if signed_in:
            query = _compiled(
                ("replies",),
                lambda fan, ids: _replies_query(ids, _marker_fan(fan)),
                (FAN_MARK, REPLY_MARKS),
            )
            rows = query.dicts(viewer, shown)
        else:
            query = _compiled(
                ("visitor's replies",),
                lambda ids: _replies_query(ids, AnonymousUser()),
                (REPLY_MARKS,),
            )
            rows = query.dicts(shown)
        for values in rows:
            replies[values["parent_id"]].append(_row(values, viewer))
    comments = []
    for values in page:
        comment = _row(values, viewer)
        comment.thread_replies = replies[comment.pk]
        comment.more_replies = values[_FIRST[REPLIES_SHOWN]] is not None
        comments.append(comment)
    next_cursor = _cursor_of(sort, comments[-1]) if more else None
    return ThreadPage(comments, sort, next_cursor, after if position is not None else None)


_FIRST = [f"first_reply_{n}" for n in range(REPLIES_SHOWN + 1)]


def _page_query(
    video_id: int, fan: Any, sort: str, position: Position | None, own_only: bool
) -> QuerySet[Comment, dict[str, Any]]:
    top = Comment.objects.filter(video_id=video_id, parent__isnull=True).for_display(fan)
    top = top.annotate(**first_replies(fan))  # top_level()
    if own_only:
        top = top.filter(author=fan)
    return _keyset_query(_rows(top, fan, *_FIRST), sort, position, PAGE_SIZE)


def _replies_query(ids: Iterable[int], fan: Any) -> QuerySet[Comment, dict[str, Any]]:
    replies = Comment.objects.filter(AnyOf(F("pk"), ids)).for_display(fan)
    return _rows(replies, fan).order_by("created_at", "pk")


# ---- The talk's two queries, compiled once a process ----------------------------------------
#
# Building and compiling the two queries of a page of talk (four subqueries for the first
# replies, the author's columns, the viewer's blocks, likes and reports) took more Python
# calls than reading and drawing its comments. Their SQL depends only on the page's shape
# (sort, first page or not, visitor or fan): each shape is compiled once
# (foundation.compiled_queries), with marks where the video, the viewer, the position and the
# reply ids go.

VIDEO_MARK, FAN_MARK, _INT_MARK, _PK_MARK, _REPLY_MARK = int_marks(5)
REPLY_MARKS = [_REPLY_MARK]  # the replies' ids, one parameter (foundation.any_of)
_MOMENT_MARK = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def _position_marks(sort: str, position: Position | None) -> tuple[datetime | int, ...]:
    if position is None:
        return ()
    return (_MOMENT_MARK if SORTS[sort][1] == "created_at" else _INT_MARK, _PK_MARK)


def _marker_fan(pk: int) -> Any:
    fan = get_user_model()(pk=pk)
    fan._state.adding = False  # stands for a saved fan in the query's filters
    return fan


_COMPILED: dict[tuple[Any, ...], CompiledQuery] = {}


def _compiled(
    shape: tuple[Any, ...],
    build: Callable[..., QuerySet[Comment, dict[str, Any]]],
    marks: tuple[Any, ...],
) -> CompiledQuery:
    query = _COMPILED.get(shape)
    if query is None:
        query = _COMPILED[shape] = CompiledQuery(build, *marks)
    return query


def thread_comment(pk: int, user: Any) -> Comment | None:
    """A comment on a published video as the viewer may see it, with its video (1 query)."""
    comments = Comment.objects.filter(pk=pk, video__status=VideoStatus.PUBLISHED)
    comment = comments.for_display(user).select_related("video").first()
    if comment is not None:
        mark_own([comment], user)
    return comment


def replies_of(top: Comment, user: Any) -> QuerySet[Comment]:
    """A thread's replies as the viewer sees them, for keyset_page in REPLY_SORT."""
    return Comment.objects.filter(parent=top).for_display(user)


@dataclass
class RepliesPage:
    comment: Comment  # the thread's top-level comment
    replies: list[Comment]  # oldest first
    next_cursor: str | None
    after: str | None


def replies_page(top: Comment, user: Any, after: str = "") -> RepliesPage:
    """One page of a thread's replies, oldest first, after a cursor (1 query, any thread size)."""
    position = position_of(REPLY_SORT, after)
    replies, more = keyset_page(replies_of(top, user), REPLY_SORT, position, REPLIES_PAGE_SIZE)
    next_cursor = _cursor_of(REPLY_SORT, replies[-1]) if more else None
    mark_own(replies, user)
    return RepliesPage(top, replies, next_cursor, after if position is not None else None)


def thread_url(comment: Comment) -> str:
    """A link to a comment in its talk, for pages that list comments (no query): an address
    that finds the page holding it when followed (comment_url), so a page of fifty
    notifications or a form's "Cancel" costs no counting."""
    return reverse("community:comment-go", args=[comment.pk])


def comment_url(comment: Comment, user: Any) -> str:
    """Where the viewer reads a comment: the normal page of its talk that holds it, scrolled to
    it (#comment-<id>; the page highlights its :target). A top-level comment: the video page,
    newest first; a reply: its thread's own page, oldest first. The first page is the plain
    address; a later one is the page "Show more" reaches, starting where the page before it
    ends, never a page that starts at the comment itself.

    1 query on a first page (how many come before it), 2 further on (and the one that ends
    the page before). Counting reads the comments before it, so it is for following one link
    (after posting, from a notification), never for building a list of them. Needs
    comment.video for a top-level comment (a query if not fetched).
    """
    if comment.parent_id is None:
        page = reverse("catalog:video-detail", args=[comment.video.slug])
        siblings = Comment.objects.filter(video_id=comment.video_id, parent__isnull=True)
        sort, size = DEFAULT_SORT, PAGE_SIZE
    else:
        page = reverse("community:comment-thread", args=[comment.parent_id])
        siblings = Comment.objects.filter(parent_id=comment.parent_id)
        sort, size = REPLY_SORT, REPLIES_PAGE_SIZE
    shown = siblings.visible_to(user)
    before = _beyond(shown, sort, key_of(sort, comment), before=True).count()
    fragment = f"#comment-{comment.pk}"
    if before < size:
        return page + fragment
    # The last comment of the page before: its page starts after that one, as "Show more" does.
    start = (before // size) * size
    previous = shown.order_by(*_order(sort)).only(SORTS[sort][1], "pk")[start - 1]
    query = {"after": _cursor_of(sort, previous)}
    if comment.parent_id is None:
        query = {"sort": sort, **query}
    return f"{page}?{urlencode(query)}{fragment}"


def new_comment_url(comment: Comment, user: Any) -> str:
    """comment_url for a comment just posted: a new top-level comment is the newest, at the
    top of the video page's first page (no query); a new reply is the last of its thread."""
    if comment.parent_id is None:
        return reverse("catalog:video-detail", args=[comment.video.slug]) + f"#comment-{comment.pk}"
    return comment_url(comment, user)


@dataclass
class Moment:
    seconds: int
    label: str
    citations: int


MOMENTS_CACHE_SECONDS = 600


def moments_cited(video: MusicVideo, limit: int = MOST_CITED) -> list[Moment]:
    """The moments most visible comments cite, most cited first (none without talk).

    Counting them reads every moment of the video (slow on a video with a lot of talk:
    docs/performance.md, "Decisions"), so the result is cached; the key holds the comment
    count, so new talk shows at once.
    """
    if video.comment_count == 0:
        return []
    key = f"moments-cited:{video.pk}:{video.comment_count}:{limit}"
    cited = cache.get(key)
    if cited is None:
        rows = (
            CommentMoment.objects.filter(video=video, comment__status=Status.VISIBLE)
            .values("seconds")
            .annotate(n=Count("id"))
            .order_by("-n", "seconds")[:limit]
        )
        cited = [(row["seconds"], row["n"]) for row in rows]
        cache.set(key, cited, MOMENTS_CACHE_SECONDS)
    return [Moment(seconds, text.format_moment(seconds), n) for seconds, n in cited]
