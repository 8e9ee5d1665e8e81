"""Reading talk: which comments a viewer sees, a video's thread in keyset pages, cited moments.

Pages are found by key, never by OFFSET, and the total shown is video.comment_count, never a
COUNT(*): the hundredth page of a 100,000-comment thread costs what the first does. A page shows
the first few replies of each comment and links the rest to the thread's own page, which pages
them by the same kind of key: a thread with 10,000 replies costs what one with three does.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
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
from community.models import Block, Comment, CommentLike, CommentMoment, Report

DB_INT = 2**63  # ids and counts are 64-bit integers in the database: cursors stay inside
PAGE_SIZE = 20
REPLIES_SHOWN = 3  # under each comment of the video page; the rest on the thread's own page
REPLIES_PAGE_SIZE = 50  # replies per page of a thread's own page
MOST_CITED = 5
Status = Comment.Status

# sort: (label, key field); the id breaks ties, so pages never overlap or skip.
SORTS = {
    "newest": (pgettext_lazy("sort order", "Newest"), "created_at"),
    "oldest": (pgettext_lazy("sort order", "Oldest"), "created_at"),
    "liked": (pgettext_lazy("sort order", "Most liked"), "like_count"),
}
DEFAULT_SORT = "newest"
ASCENDING = {"oldest"}
REPLY_SORT = "oldest"  # replies read oldest first, paged by (created_at, id) cursors


def visible_to(comments: QuerySet[Comment], user: Any) -> QuerySet[Comment]:
    """What a viewer sees: held comments only if their own, nothing of fans blocked either way.

    Hidden and deleted comments stay in, to be shown as placeholders that keep their threads.
    """
    shown = Q(status__in=[Status.VISIBLE, Status.HIDDEN, Status.DELETED])
    if not getattr(user, "is_authenticated", False):
        return comments.filter(shown)
    return (
        comments.filter(shown | Q(status=Status.HELD, author=user))
        .exclude(author__in=Block.objects.filter(blocker=user).values("blocked"))
        .exclude(author__in=Block.objects.filter(blocked=user).values("blocker"))
    )


# What a comment shows of its author is their name, their profile's address and their picture,
# read as columns beside the comment's own (comment_markup reads them): not a fan's row and its
# profile built as two more model instances per comment, which were a large share of the time
# of reading a page of talk (docs/performance.md, "Decisions").
def _for_display(comments: QuerySet[Comment], user: Any) -> QuerySet[Comment]:
    comments = visible_to(comments, user).annotate(
        author_username=F("author__username"),
        author_display_name=F("author__profile__display_name"),
        author_avatar=F("author__profile__avatar_small"),
    )
    if getattr(user, "is_authenticated", False):
        mine = CommentLike.objects.filter(user=user, comment=OuterRef("pk"))
        # Whether the viewer reported it already: "Reported" then, not a second "Report".
        reported = Report.objects.filter(reporter=user, comment=OuterRef("pk"))
        comments = comments.annotate(liked=Exists(mine), reported=Exists(reported))
    return comments


# ---- Cursors: an opaque "after this comment" position ------------------------------------------


def encode_cursor(sort: str, key: datetime | int, pk: int) -> str:
    value = key.isoformat() if isinstance(key, datetime) else str(key)
    raw = f"{sort}~{value}~{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: str, cursor: str) -> tuple[datetime | int, int] | None:
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


def position_of(sort: str, after: str) -> tuple[datetime | int, int] | None:
    """The position an address's `after` asks for: None for the first page, a 404 for a cursor
    we never handed out (a forged one must not reach the database)."""
    if not after:
        return None
    position = decode_cursor(sort, after)
    if position is None:
        raise Http404("No such page of talk.")
    return position


def _cursor_of(sort: str, comment: Comment) -> str:
    return encode_cursor(sort, getattr(comment, SORTS[sort][1]), comment.pk)


class _Row(Func):
    """(a, b) as an SQL row value."""

    function = ""
    template = "(%(expressions)s)"


def _after(
    comments: QuerySet[Comment], sort: str, key: datetime | int, pk: int
) -> QuerySet[Comment]:
    # A row comparison, (key, id) < (k, pk), is one index condition: the scan starts at the
    # cursor even deep inside a run of ties (thousands of comments with no likes).
    field = SORTS[sort][1]
    output = DateTimeField() if field == "created_at" else IntegerField()
    lookup = "gt" if sort in ASCENDING else "lt"
    return comments.alias(position=_Row(field, "id", output_field=output)).filter(
        **{f"position__{lookup}": _Row(Value(key), Value(pk), output_field=output)}
    )


def _mark_own(comments: list[Comment], user: Any) -> None:
    viewer = user.pk if getattr(user, "is_authenticated", False) else None
    for comment in comments:
        # Not author_id == user.pk alone: a visitor and "a deleted fan" both have None.
        comment.is_own = viewer is not None and comment.author_id == viewer  # type: ignore[attr-defined]  # attached for the template


def first_replies(user: Any) -> dict[str, Subquery]:
    """The ids of a comment's first REPLIES_SHOWN + 1 replies the viewer sees, a subquery each.

    Each stops within a few rows of the (parent, created_at) index, so a page costs the same
    whatever its threads' sizes; the last only tells whether there are more to link to.
    """
    replies = visible_to(Comment.objects.filter(parent=OuterRef("pk")), user)
    ids = replies.order_by("created_at", "pk").values("pk")
    return {f"first_reply_{n}": Subquery(ids[n : n + 1]) for n in range(REPLIES_SHOWN + 1)}


@dataclass
class ThreadPage:
    # top-level, each with .thread_replies (its first REPLIES_SHOWN, oldest first) and
    # .more_replies (whether the thread's own page has more)
    comments: list[Comment]
    sort: str
    next_cursor: str | None
    after: str | None


def thread_page(video: MusicVideo, user: Any, sort: str = "", after: str = "") -> ThreadPage:
    """One page of a video's top-level comments with their first replies (2 queries).

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
    field = SORTS[sort][1]
    order = (field, "pk") if sort in ASCENDING else (f"-{field}", "-pk")
    top = _for_display(Comment.objects.filter(video=video, parent__isnull=True), user)
    if video.comment_count == 0:
        top = top.filter(author=user)  # as for visitors, but the fan's own held/hidden ones
    if position is not None:
        top = _after(top, sort, *position)
    top = top.annotate(**first_replies(user))
    comments = list(top.order_by(*order)[: PAGE_SIZE + 1])
    next_cursor = None
    if len(comments) > PAGE_SIZE:
        comments = comments[:PAGE_SIZE]
        next_cursor = _cursor_of(sort, comments[-1])
    shown = [getattr(c, f"first_reply_{n}") for c in comments for n in range(REPLIES_SHOWN)]
    replies: dict[int, list[Comment]] = {c.pk: [] for c in comments}
    if any(pk is not None for pk in shown):
        rows = _for_display(Comment.objects.filter(pk__in=[pk for pk in shown if pk]), user)
        for reply in rows.order_by("created_at", "pk"):
            replies[reply.parent_id].append(reply)  # type: ignore[index]  # a reply has a parent
    for comment in comments:
        comment.thread_replies = replies[comment.pk]  # type: ignore[attr-defined]  # attached for the template
        more = getattr(comment, f"first_reply_{REPLIES_SHOWN}") is not None
        comment.more_replies = more  # type: ignore[attr-defined]  # attached for the template
        _mark_own([comment, *comment.thread_replies], user)  # type: ignore[attr-defined]  # attached above
    return ThreadPage(comments, sort, next_cursor, after if position is not None else None)


def thread_comment(pk: int, user: Any) -> Comment | None:
    """A comment on a published video as the viewer may see it, with its video (1 query)."""
    comments = Comment.objects.filter(pk=pk, video__status=VideoStatus.PUBLISHED)
    comment = _for_display(comments, user).select_related("video").first()
    if comment is not None:
        _mark_own([comment], user)
    return comment


@dataclass
class RepliesPage:
    comment: Comment  # the thread's top-level comment
    replies: list[Comment]  # oldest first
    next_cursor: str | None
    after: str | None


def replies_page(top: Comment, user: Any, after: str = "") -> RepliesPage:
    """One page of a thread's replies, oldest first, after a cursor (1 query, any thread size)."""
    position = position_of(REPLY_SORT, after)
    rows = _for_display(Comment.objects.filter(parent=top), user)
    if position is not None:
        rows = _after(rows, REPLY_SORT, *position)
    replies = list(rows.order_by("created_at", "pk")[: REPLIES_PAGE_SIZE + 1])
    next_cursor = None
    if len(replies) > REPLIES_PAGE_SIZE:
        replies = replies[:REPLIES_PAGE_SIZE]
        next_cursor = _cursor_of(REPLY_SORT, replies[-1])
    _mark_own(replies, user)
    return RepliesPage(top, replies, next_cursor, after if position is not None else None)


def thread_url(comment: Comment) -> str:
    """A link to a comment in its talk, for pages that list comments (no query): an address
    that finds the page holding it when followed (comment_url), so a page of fifty
    notifications or a form's "Cancel" costs no counting."""
    return reverse("community:comment-go", args=[comment.pk])


def _before(
    comments: QuerySet[Comment], sort: str, key: datetime | int, pk: int
) -> QuerySet[Comment]:
    """The comments a page in this sort shows before the one at (key, pk)."""
    field = SORTS[sort][1]
    output = DateTimeField() if field == "created_at" else IntegerField()
    lookup = "lt" if sort in ASCENDING else "gt"
    return comments.alias(position=_Row(field, "id", output_field=output)).filter(
        **{f"position__{lookup}": _Row(Value(key), Value(pk), output_field=output)}
    )


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
    shown = visible_to(siblings, user)
    key = getattr(comment, SORTS[sort][1])
    before = _before(shown, sort, key, comment.pk).count()
    fragment = f"#comment-{comment.pk}"
    if before < size:
        return page + fragment
    field = SORTS[sort][1]
    order = (field, "pk") if sort in ASCENDING else (f"-{field}", "-pk")
    # The last comment of the page before: its page starts after that one, as "Show more" does.
    start = (before // size) * size
    previous = shown.order_by(*order).only(field, "pk")[start - 1]
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
