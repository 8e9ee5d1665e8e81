"""What writes tell open video pages. The services call these inside their transaction; the
event is published once it commits (never for a write that rolls back), and publishing never
fails the write: with the bus down, pages show the change on their next load.

An event names what changed, not how it looks: each server renders it for its own readers, in
their language and with what they may see (community.live.render).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction

from community.live.bus import get_bus

logger = logging.getLogger(__name__)

# Fans' blocks: heard by every server, logged nowhere (a reader who reconnects reads them anew).
FANS_TOPIC = "fans"


def video_topic(video_id: int) -> str:
    return f"video:{video_id}"


def _publish(topic: str, data: dict[str, Any], logged: bool) -> None:
    try:
        get_bus().publish(topic, data, logged=logged)
    except Exception:  # the write is committed: a missed live update must not turn it into a 500
        logger.exception("Live event on %s not published.", topic)


def _after_commit(topic: str, data: dict[str, Any], logged: bool = True) -> None:
    if settings.LIVE_ENABLED:
        transaction.on_commit(lambda: _publish(topic, data, logged))


def comment_changed(
    *,
    comment_id: int,
    video_id: int,
    parent_id: int | None,
    author_id: int | None,
    liker_id: int | None = None,
    liked: bool | None = None,
) -> None:
    """A comment or reply was posted, edited, liked or unliked, deleted, hidden, restored or
    approved: readers are sent it as it now is (or told it is gone)."""
    data: dict[str, Any] = {
        "kind": "comment",
        "comment": comment_id,
        "parent": parent_id,
        "author": author_id,
    }
    if liker_id is not None:
        data["liker"], data["liked"] = liker_id, bool(liked)
    _after_commit(video_topic(video_id), data)


def rating_changed(*, video_id: int, rater_id: int) -> None:
    """The video's rating figures moved."""
    _after_commit(video_topic(video_id), {"kind": "rating", "rater": rater_id})


def premiere_changed(*, video_id: int) -> None:
    """The premiere began, or was moved: open pages show the countdown's new state."""
    _after_commit(video_topic(video_id), {"kind": "premiere"})


def blocks_changed(*, fan_ids: tuple[int, int]) -> None:
    """One fan blocked or unblocked another: both fans' open pages read their blocks again."""
    _after_commit(FANS_TOPIC, {"kind": "blocks", "fans": list(fan_ids)}, logged=False)
