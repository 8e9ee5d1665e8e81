"""Premieres: a curator sets the minute a video premieres (MusicVideo.premiere_at, in the zone it
was announced in); until then its page counts down and fans may follow it; at the minute a
background task tells each follower, once.

The task is queued for the premiere's minute when the curator saves it (community's video
admin). The database task backend (TASKS_BACKEND=database, `manage.py db_worker`) runs it then;
a backend that can't wait (the default, which runs tasks inside the request) leaves it to
`manage.py announce_premieres`, which tells every premiere's followers that are due. The task
may run twice, late, or for a premiere that moved: it checks the time it was queued for and
tells only followers not yet told.
"""

from __future__ import annotations

import datetime
import functools
import logging

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.tasks import task, task_backends
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import MusicVideo
from community.badges import unread_key
from community.live import events as live
from community.models import Notification, PremiereFollow, User
from community.writing import check_may_write

logger = logging.getLogger(__name__)

# How long after it begins the page still says "Premiering now".
LIVE_FOR = datetime.timedelta(hours=2)
BATCH = 1000  # followers told per transaction

UPCOMING, LIVE = "upcoming", "live"


def state(video: MusicVideo, now: datetime.datetime | None = None) -> str | None:
    """ "upcoming" before the premiere, "live" for a while after it begins, else None."""
    if video.premiere_at is None:
        return None
    now = now or timezone.now()
    if now < video.premiere_at:
        return UPCOMING
    if now < video.premiere_at + LIVE_FOR:
        return LIVE
    return None


# ---- Fans ---------------------------------------------------------------------------------------


@transaction.atomic
def premiere_follow(*, user: User, video: MusicVideo) -> PremiereFollow:
    """Wait for the premiere (again is harmless)."""
    check_may_write(user)
    if video.is_draft or state(video) != UPCOMING:
        raise ValidationError(_("This video has no premiere to wait for."))
    try:
        with transaction.atomic():  # a double click racing itself hits the unique constraint
            return PremiereFollow.objects.get_or_create(user=user, video=video)[0]
    except IntegrityError:
        return PremiereFollow.objects.get(user=user, video=video)


@transaction.atomic
def premiere_unfollow(*, user: User, video: MusicVideo) -> bool:
    deleted, _counts = PremiereFollow.objects.filter(user=user, video=video).delete()
    return bool(deleted)


# ---- Curators -----------------------------------------------------------------------------------


def premiere_scheduled(*, video: MusicVideo) -> None:
    """The curator set, moved or cleared the premiere (call inside the save's transaction).
    Followers of a premiere moved into the future are told again at its new minute."""
    if video.premiere_at is not None and video.premiere_at > timezone.now():
        PremiereFollow.objects.filter(video=video).update(notified_at=None)
    live.premiere_changed(video_id=video.pk)
    if video.premiere_at is not None:
        at = video.premiere_at
        transaction.on_commit(lambda: _queue(video.pk, at))


def _queue(video_id: int, at: datetime.datetime) -> None:
    premiere_at = at.isoformat()
    if at <= timezone.now():
        announce_premiere.enqueue(video_id=video_id, premiere_at=premiere_at)
    elif task_backends[announce_premiere.backend].supports_defer:
        announce_premiere.using(run_after=at).enqueue(video_id=video_id, premiere_at=premiere_at)
    else:
        logger.info(
            "The premiere of video %s at %s waits for `manage.py announce_premieres`: the task "
            "backend runs tasks at once and can't wait for it.",
            video_id,
            at.isoformat(),
        )


# ---- At the minute ------------------------------------------------------------------------------


@task()
def announce_premiere(*, video_id: int, premiere_at: str) -> int:
    """Tell the premiere's followers it began; how many were told. Does nothing if the premiere
    moved or was cleared since this was queued (the new minute has a task of its own)."""
    video = MusicVideo.objects.published().filter(pk=video_id).first()
    if video is None or video.premiere_at is None:
        return 0
    if video.premiere_at != datetime.datetime.fromisoformat(premiere_at):
        return 0
    if video.premiere_at > timezone.now():  # run early by a clock that is ahead: try again then
        _queue(video.pk, video.premiere_at)
        return 0
    return announce(video)


def announce(video: MusicVideo) -> int:
    """Notify every follower of the video's premiere not yet told, in batches; how many."""
    told = 0
    while True:
        with transaction.atomic():
            # Locked: two runs at once tell each follower once (the second skips the first's).
            waiting = list(
                PremiereFollow.objects.select_for_update()
                .filter(video=video, notified_at__isnull=True)
                .order_by("id")
                .values_list("id", "user_id")[:BATCH]
            )
            if not waiting:
                break
            Notification.objects.bulk_create(
                Notification(recipient_id=user_id, kind=Notification.Kind.PREMIERE, video=video)
                for _id, user_id in waiting
            )
            PremiereFollow.objects.filter(id__in=[pk for pk, _user in waiting]).update(
                notified_at=timezone.now()
            )
            keys = [unread_key(user_id) for _id, user_id in waiting]
            cache.delete_many(keys)
            transaction.on_commit(functools.partial(cache.delete_many, keys))
        told += len(waiting)
    with transaction.atomic():
        live.premiere_changed(video_id=video.pk)  # open pages: "Premiering now"
    return told


def announce_due(now: datetime.datetime | None = None) -> int:
    """Every premiere that has begun (within LIVE_FOR) and still has followers not yet told."""
    now = now or timezone.now()
    videos = MusicVideo.objects.published().filter(
        premiere_at__lte=now,
        premiere_at__gt=now - LIVE_FOR,
        pk__in=PremiereFollow.objects.filter(notified_at__isnull=True).values("video_id"),
    )
    return sum(announce(video) for video in videos)
