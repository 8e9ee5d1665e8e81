"""New-video alerts: the videos published since a fan followed the group or a member in them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from catalog.models import MusicVideo
from community.models import Follow, Profile, User


def new_videos_for(user: User) -> QuerySet[MusicVideo]:
    """Videos published after the fan followed the group or a member who appears in them."""
    condition = Q(pk__in=[])
    for follow in Follow.objects.filter(
        follower=user, kind__in=[Follow.Kind.GROUP, Follow.Kind.MEMBER]
    ).select_related("member"):
        since = Q(first_published_at__gt=follow.created_at)
        if follow.kind == Follow.Kind.GROUP:
            condition |= since
        else:  # the videos she is in: the group's of her time, and those listing her
            featuring = MusicVideo.objects.featuring(follow.member).values("pk")  # type: ignore[arg-type]  # a member follow has one
            condition |= since & Q(pk__in=featuring)
    ids = MusicVideo.objects.published().filter(condition).values("pk")
    return MusicVideo.objects.filter(pk__in=ids).order_by("-first_published_at")


def unread_alert_count(user: User) -> int:
    seen = Profile.objects.filter(user=user).values_list("alerts_seen_at", flat=True).first()
    videos = new_videos_for(user)
    if seen:
        videos = videos.filter(first_published_at__gt=seen)
    return videos.count()
