"""Live events as each reader sees them: the page's own markup, in the reader's language, with
the page's visibility rules.

Each server renders an event for its own readers when it hears it, from the rows as they are
then, with the same template tags the video page uses ({% comment_thread %}, {% comment_item %},
{% rating_widget %}, {% premiere_countdown %}), so the live markup is the page's markup. What
differs between readers of one event is its *variant*: their language, what they are to the
comment (a visitor, a fan who may post, one who may not, its author) and whether they liked it.
Each variant is rendered once per server and event; a reader's frame is that HTML with their own
CSRF token put in. Rendering an event costs the same for 10 readers as for 2,000.

Who sees what is the thread's rule (Comment.objects.visible_to): nothing by a fan blocked
either way, held comments by their author only, hidden ones as the moderator's placeholder
(their author still sees them, marked). A comment that is gone, or whose video is no longer
published, is removed from every page.
"""

from __future__ import annotations

import collections
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import translation

from catalog.models import MusicVideo
from catalog.models import Status as VideoStatus
from community import threads
from community.live.bus import Event, parse_id
from community.models import Block, Comment, CommentLike, Report, User
from community.widgets import talk_context

# Stands for each reader's CSRF token in the shared HTML (letters and digits, as tokens are).
CSRF_MARKER = "livecsrfmarker0000000000000000000000000000000000000000000000000000"
_MARKER = CSRF_MARKER.encode()

VISITOR, FAN, READ_ONLY, OWN = "visitor", "fan", "read-only", "own"
# (role, language, liked, reported): what differs between readers of one event.
Variant = tuple[str, str, bool, bool]
REMOVE = "remove"


@dataclass(eq=False)
class Reader:
    """One open page: who reads it, in which language, and what is theirs (blocks, likes)."""

    user_id: int | None
    language: str
    can_post: bool = False
    csrf_token: str = ""
    blocked: set[int] = field(default_factory=set)
    liked: set[int] = field(default_factory=set)
    reported: set[int] = field(default_factory=set)

    @classmethod
    def for_request(cls, request: HttpRequest, video: MusicVideo, language: str) -> Reader:
        """The reader behind a request (2 queries for a signed-in fan, none for a visitor)."""
        user = request.user
        if not user.is_authenticated:
            return cls(None, language)
        reader = cls(
            user.pk,
            language,
            can_post=bool(talk_context(request, video)["can_post"]),  # the page's rule
            csrf_token=get_token(request),
            liked=set(
                CommentLike.objects.filter(user=user, comment__video=video).values_list(
                    "comment_id", flat=True
                )
            ),
            # So a comment they reported shows "Reported" when it changes, as on the page.
            reported=set(
                Report.objects.filter(reporter=user, comment__video=video).values_list(
                    "comment_id", flat=True
                )
            ),
        )
        reader.read_blocks()
        return reader

    def read_blocks(self) -> None:
        """The fans this reader blocked or is blocked by (1 query)."""
        rows = Block.objects.filter(Q(blocker_id=self.user_id) | Q(blocked_id=self.user_id))
        self.blocked = {
            blocked if blocker == self.user_id else blocker
            for blocker, blocked in rows.values_list("blocker_id", "blocked_id")
        }

    @property
    def role(self) -> str:
        if self.user_id is None:
            return VISITOR
        return FAN if self.can_post else READ_ONLY


def frame(event_id: str | None, kind: str, data: dict[str, Any]) -> bytes:
    """One Server-Sent Event (JSON on one line: it escapes any newline). Without an id the
    page's last event id stays as it was."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {kind}\ndata: {payload}\n\n".encode()


def _page_request(video: MusicVideo, user: Any) -> HttpRequest:
    """The video page's request as the template tags see it: its address in the active
    language (forms send fans back there) and the reader's kind of user."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = video.get_absolute_url()
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80"}
    request.user = user
    return request


def _render(template: str, video: MusicVideo, user: Any, can_post: bool, **extra: Any) -> str:
    request = _page_request(video, user)
    context = {
        "request": request,
        "user": user,
        "video": video,
        "can_post": can_post,
        "csrf_token": CSRF_MARKER,
        **extra,
    }
    return str(get_template(template).render(context))


class Rendering:
    """One event as this server shows it: its subject read once, each variant rendered once.
    Not for async code: it reads the database (call it through sync_to_async)."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.kind = str(event.data.get("kind", ""))
        self.video_id = int(event.topic.partition(":")[2] or 0)
        self._lock = threading.Lock()
        self._prepared = False
        self._frames: dict[Variant, bytes] = {}
        # The comment's state, for kind "comment".
        self.comment_id = int(event.data.get("comment") or 0)
        self.status: str | None = None  # None: gone
        self.author_id: int | None = None
        self.parent_id: int | None = None
        self._public: Comment | None = None
        self._video: MusicVideo | None = None

    # -- what the event is about

    def _prepare(self, public: Comment | bool | None = False) -> None:
        """Read what the event is about; `public`: the comment as a visitor sees it, when it
        was read already with others (None: not shown to visitors)."""
        if self._prepared:
            return
        self._prepared = True
        if self.kind == "comment":
            # As a visitor would see it; None if held, gone or no longer on a published video.
            if public is False:
                public = threads.thread_comment(self.comment_id, AnonymousUser())
            if isinstance(public, Comment):
                self._public, self._video = public, public.video
                self.status, self.author_id, self.parent_id = (
                    public.status,
                    public.author_id,
                    public.parent_id,
                )
                return
            row = (
                Comment.objects.filter(
                    pk=self.comment_id, status=Comment.Status.HELD, video__status="published"
                )
                .values_list("author_id", "parent_id")
                .first()
            )
            if row is not None:
                self.status = Comment.Status.HELD
                self.author_id, self.parent_id = row
        elif self.kind in ("rating", "premiere"):
            self._video = MusicVideo.objects.published().filter(pk=self.video_id).first()

    # -- who sees which variant

    def _variant(self, reader: Reader) -> Variant | None:
        if self.kind == "comment":
            if self.status is None:
                return (REMOVE, "", False, False)
            if self.author_id is not None and self.author_id in reader.blocked:
                return None
            own = reader.user_id is not None and reader.user_id == self.author_id
            if self.status == Comment.Status.HELD and not own:
                return None
            if own:
                return (OWN, reader.language, False, False)
            cid = self.comment_id
            return (reader.role, reader.language, cid in reader.liked, cid in reader.reported)
        if self.kind in ("rating", "premiere"):
            if self._video is None:
                return None
            return (VISITOR if reader.user_id is None else FAN, reader.language, False, False)
        return None

    def _render_variant(self, variant: Variant) -> bytes:
        role, language, liked, reported = variant
        event, data = self.event, self.event.data
        if role == REMOVE:
            return frame(event.id, "comment", {"id": self.comment_id, "remove": True})
        with translation.override(language):
            if self.kind == "comment":
                html = self._comment_html(role, liked, reported)
                if html is None:  # the author's own copy is gone meanwhile
                    return frame(event.id, "comment", {"id": self.comment_id, "remove": True})
                return frame(
                    event.id,
                    "comment",
                    {"id": self.comment_id, "parent": self.parent_id, "html": html},
                )
            assert self._video is not None
            if self.kind == "rating":
                user: Any = AnonymousUser()
                if role != VISITOR:
                    # The widget as a fan sees it around their own form (which pages keep).
                    user = User.objects.filter(pk=data.get("rater")).first() or AnonymousUser()
                html = _render("community/live/rating.html", self._video, user, role != VISITOR)
                return frame(event.id, "rating", {"html": html})
            user = AnonymousUser() if role == VISITOR else User(username="")
            html = _render("community/live/premiere.html", self._video, user, role != VISITOR)
            return frame(event.id, "premiere", {"html": html})

    def _comment_html(self, role: str, liked: bool, reported: bool) -> str | None:
        if role == OWN:
            author = User(pk=self.author_id)
            comment = threads.thread_comment(self.comment_id, author)
            if comment is None:
                return None
            user: Any = author
        else:
            assert self._public is not None
            comment = self._public
            comment.is_own = False  # type: ignore[attr-defined]  # attached for the template
            comment.liked = liked  # type: ignore[attr-defined]  # attached for the template
            comment.reported = reported  # type: ignore[attr-defined]  # attached for the template
            user = AnonymousUser() if role == VISITOR else User(username="")
        # A thread's item as the page lists it, before its replies arrive.
        comment.thread_replies = []  # type: ignore[attr-defined]  # attached for the template
        comment.more_replies = False  # type: ignore[attr-defined]  # attached for the template
        return _render(
            "community/live/comment.html", comment.video, user, role in (FAN, OWN), comment=comment
        )

    # -- frames

    def frame_for(self, reader: Reader) -> bytes | None:
        """The event as this reader may see it, or None when they may not see it at all."""
        with self._lock:
            self._prepare()
            liker = self.event.data.get("liker")
            if self.kind == "comment" and liker is not None and liker == reader.user_id:
                if self.event.data.get("liked"):
                    reader.liked.add(self.comment_id)
                else:
                    reader.liked.discard(self.comment_id)
            variant = self._variant(reader)
            if variant is None:
                return None
            found = self._frames.get(variant)
            if found is None:
                found = self._frames[variant] = self._render_variant(variant)
        if variant[0] in (VISITOR, REMOVE) or not reader.csrf_token:
            return found
        return found.replace(_MARKER, reader.csrf_token.encode())


def prepare(events: list[Event]) -> None:
    """Read the comments that new events are about in one query, not one each: what a batch of
    events costs the server grows with its rendering, not with its queries."""
    renderings = [
        rendering
        for rendering in map(_recent, events)
        if rendering.kind == "comment" and not rendering._prepared
    ]
    if len(renderings) < 2:
        return
    ids = {rendering.comment_id for rendering in renderings}
    # threads.thread_comment as a visitor sees it, for many comments at once.
    visitor = AnonymousUser()
    rows = Comment.objects.filter(pk__in=ids, video__status=VideoStatus.PUBLISHED)
    public = {comment.pk: comment for comment in rows.for_display(visitor).select_related("video")}
    threads.mark_own(public.values(), visitor)
    for rendering in renderings:
        comment = public.get(rendering.comment_id)
        with rendering._lock:
            rendering._prepare(comment)


def frames_for(event: Event, readers: list[Reader]) -> list[bytes | None]:
    """What each reader is sent for this event; blocks events read those fans' blocks again.
    Reads the database: call it from a thread (sync_to_async in the event loop)."""
    if event.data.get("kind") == "blocks":
        fans = set(event.data.get("fans") or ())
        for reader in readers:
            if reader.user_id in fans:
                reader.read_blocks()
        return [None] * len(readers)
    rendering = _recent(event)
    # Visitors of one language get the same bytes: worked out once, not once per visitor (a
    # premiere's thousands of readers are mostly visitors).
    visitors: dict[str, bytes | None] = {}
    frames = []
    for reader in readers:
        if reader.user_id is None:
            if reader.language not in visitors:
                visitors[reader.language] = rendering.frame_for(reader)
            frames.append(visitors[reader.language])
        else:
            frames.append(rendering.frame_for(reader))
    return frames


_RECENT_SIZE = 256
_recent_lock = threading.Lock()
_recent_renderings: collections.OrderedDict[str, Rendering] = collections.OrderedDict()


def _recent(event: Event) -> Rendering:
    """The event's rendering on this server, shared by every reader that is sent it."""
    key = f"{event.topic} {event.id}"
    with _recent_lock:
        rendering = _recent_renderings.get(key)
        if rendering is None:
            rendering = _recent_renderings[key] = Rendering(event)
            while len(_recent_renderings) > _RECENT_SIZE:
                _recent_renderings.popitem(last=False)
        return rendering


def replay(events: list[Event], reader: Reader) -> list[bytes]:
    """Frames that bring a page that missed `events` up to date: each comment, the figures and
    the premiere as they are now, once each, in the order they first changed (a thread before
    its replies), rendered afresh (what the events first showed may have changed since), without
    their ids: the caller ends with the id they bring the page up to."""
    latest: dict[tuple[str, int], Event] = {}
    for event in events:
        latest[(str(event.data.get("kind")), int(event.data.get("comment") or 0))] = event
    frames = []
    for event in latest.values():
        found = Rendering(event).frame_for(reader)
        if found is not None:
            frames.append(found.split(b"\n", 1)[1])  # without its id line
    return frames


def newer(event_id: str, than: str) -> bool:
    return (parse_id(event_id) or (0, 0)) > (parse_id(than) or (0, 0))
