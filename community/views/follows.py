"""Following fans, lists, members and the group; the feed of followed fans; new-video alerts."""

from __future__ import annotations

from itertools import chain
from operator import itemgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Member, Status
from catalog.queries import video_cards
from community.alerts import new_videos_for
from community.badges import alerts_seen
from community.decorators import may_write_required
from community.http import AuthenticatedHttpRequest
from community.models import Follow, Profile, Rating, User, Watchlist, WatchlistItem
from community.ratelimit import rate_limited
from community.services.follows import Target, follow_create, follow_delete
from foundation.redirects import redirect_next

FEED_SIZE = 50


def _target(request: HttpRequest) -> tuple[str, Target, str]:
    """(kind, target, page to return to) from the POSTed kind and target; 404 if unknown."""
    kind = request.POST.get("kind", "")
    key = request.POST.get("target", "")
    if kind == Follow.Kind.FAN:
        fan = get_object_or_404(User, username__iexact=key, is_active=True)
        return kind, fan, fan.get_absolute_url()
    if kind == Follow.Kind.LIST:
        if not key.isdigit():
            raise Http404
        watchlist = get_object_or_404(Watchlist.objects.filter(is_public=True), pk=key)
        return kind, watchlist, watchlist.get_absolute_url()
    if kind == Follow.Kind.MEMBER:
        member = get_object_or_404(Member, slug=key)
        return kind, member, member.get_absolute_url()
    if kind == Follow.Kind.GROUP:
        return kind, None, "/"
    raise Http404


def _name(kind: str, target: Target) -> str:
    if isinstance(target, User):
        return target.public_name
    return str(target) if target is not None else "LE SSERAFIM"


@require_POST
@login_required
@may_write_required
@rate_limited("follow")
def follow(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind, target, fallback = _target(request)
    try:
        follow_create(follower=request.user, kind=kind, target=target)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if kind in (Follow.Kind.MEMBER, Follow.Kind.GROUP):
            messages.success(
                request,
                _("Following %(name)s: new videos will show in your alerts.")
                % {"name": _name(kind, target)},
            )
        else:
            messages.success(request, _("You follow %(name)s.") % {"name": _name(kind, target)})
    return redirect_next(request, fallback)


@require_POST
@login_required
@rate_limited("follow")
def unfollow(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind, target, fallback = _target(request)
    if follow_delete(follower=request.user, kind=kind, target=target):
        messages.success(
            request, _("You no longer follow %(name)s.") % {"name": _name(kind, target)}
        )
    return redirect_next(request, fallback)


@require_GET
@login_required
def feed(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the fans you follow rated and listed lately (public activity only)."""
    fans = Follow.objects.filter(follower=request.user, kind=Follow.Kind.FAN).values("fan")
    ratings = (
        Rating.objects.filter(user__in=fans, video__status=Status.PUBLISHED)
        .select_related("user__profile", "video")
        .order_by("-updated_at")[:FEED_SIZE]
    )
    items = (
        WatchlistItem.objects.filter(
            watchlist__owner__in=fans, watchlist__is_public=True, video__status=Status.PUBLISHED
        )
        .select_related("watchlist__owner__profile", "video")
        .order_by("-added_at")[:FEED_SIZE]
    )
    events = sorted(
        chain(
            ({"kind": "rating", "at": r.updated_at, "fan": r.user, "rating": r} for r in ratings),
            (
                {"kind": "listed", "at": i.added_at, "fan": i.watchlist.owner, "item": i}
                for i in items
            ),
        ),
        key=itemgetter("at"),
        reverse=True,
    )[:FEED_SIZE]
    return render(request, "community/feed.html", {"events": events})


@require_GET
@login_required
def alerts(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile, _ = Profile.objects.get_or_create(user=request.user)
    seen_before = profile.alerts_seen_at
    videos = list(video_cards(new_videos_for(request.user))[:FEED_SIZE])
    follows = Follow.objects.filter(
        follower=request.user, kind__in=[Follow.Kind.GROUP, Follow.Kind.MEMBER]
    ).select_related("member")
    profile.alerts_seen_at = timezone.now()
    profile.save(update_fields=["alerts_seen_at"])
    alerts_seen(request.user.pk)
    return render(
        request,
        "community/alerts.html",
        {"videos": videos, "seen_before": seen_before, "follows": follows},
    )
