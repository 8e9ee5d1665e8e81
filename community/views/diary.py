"""The watch diary (what a fan watched, when) and the public year in review built from it."""

from __future__ import annotations

import datetime
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count, F, Max, Min, Prefetch, QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import ExtractMonth, RowNumber
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from catalog.models import MusicVideo, Status
from catalog.queries import featured_credits, video_cards
from community.decorators import may_write_required
from community.forms_watchlists import WatchLogForm
from community.http import AuthenticatedHttpRequest
from community.models import Rating, User, WatchEntry
from community.ratelimit import rate_limited
from community.services import watchlists as services
from foundation.redirects import redirect_next

ENTRIES_PER_PAGE = 50


def _day(date: datetime.date) -> str:
    return date_format(date, "j F Y")  # as dates read everywhere else on the site


def _get_entry_for_user(request: HttpRequest, pk: int) -> WatchEntry:
    entry = get_object_or_404(WatchEntry.objects.select_related("video"), pk=pk)
    if entry.user_id != request.user.pk:
        raise Http404("Not your diary.")
    return entry


def _with_watch_number(entries: QuerySet[WatchEntry]) -> QuerySet[WatchEntry]:
    """Number each line among the fan's watches of the same video: 2 and up are rewatches.

    The window is computed before pagination's LIMIT, so page 2 still knows about page 1.
    """
    return entries.annotate(
        watch_number=Window(
            RowNumber(),
            partition_by=[F("video_id")],
            order_by=[F("watched_on").asc(), F("id").asc()],
        )
    )


@login_required
@may_write_required
@require_POST
@rate_limited("list")
def log_watch(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    video = get_object_or_404(
        MusicVideo.objects.published().prefetch_related(featured_credits()), slug=slug
    )
    form = WatchLogForm(request.POST)
    if form.is_valid():
        try:
            entry = services.watch_log(user=request.user, video=video, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            times = WatchEntry.objects.filter(user=request.user, video=video).count()
            logged = {"title": video.display_title, "date": _day(entry.watched_on), "times": times}
            if times > 1:
                message = ngettext(
                    "Logged “%(title)s” as watched on %(date)s. You've watched it %(times)d time.",
                    "Logged “%(title)s” as watched on %(date)s. You've watched it %(times)d times.",
                    times,
                )
            else:
                message = _("Logged “%(title)s” as watched on %(date)s.")
            messages.success(request, message % logged)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect_next(request, video.get_absolute_url())


@login_required
@require_GET
def diary(request: AuthenticatedHttpRequest) -> HttpResponse:
    entries = _with_watch_number(WatchEntry.objects.filter(user=request.user)).prefetch_related(
        Prefetch("video", queryset=video_cards(MusicVideo.objects.all()))
    )
    page = Paginator(entries.order_by("-watched_on", "-id"), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    months = [
        (month, list(lines))
        for month, lines in groupby(page, key=lambda entry: entry.watched_on.replace(day=1))
    ]
    years = WatchEntry.objects.filter(user=request.user).dates("watched_on", "year", "DESC")
    return render(
        request,
        "community/diary.html",
        {"page": page, "months": months, "years": [d.year for d in years]},
    )


@login_required
@require_POST
@rate_limited("list")
def entry_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = _get_entry_for_user(request, pk)
    services.watch_entry_delete(entry=entry)
    messages.success(
        request,
        _("Removed “%(title)s” on %(date)s from your diary.")
        % {"title": entry.video.title, "date": _day(entry.watched_on)},
    )
    return redirect_next(request, reverse("community:diary"))


def _year_figures(fan: User, year: int) -> dict[str, Any]:
    """A fan's year from public activity only (diary lines and ratings): at most 8 queries."""
    entries = WatchEntry.objects.filter(
        user=fan, watched_on__year=year, video__status=Status.PUBLISHED
    )
    totals = entries.aggregate(watches=Count("id"), videos=Count("video", distinct=True))
    ratings = Rating.objects.filter(
        user=fan, created_at__year=year, video__status=Status.PUBLISHED
    ).aggregate(count=Count("id"), average=Avg("score"))
    figures: dict[str, Any] = {
        "watches": totals["watches"],
        "videos": totals["videos"],
        "ratings": ratings["count"],
        "average_stars": ratings["average"] / 2 if ratings["average"] is not None else None,
    }
    if not totals["watches"]:
        return figures

    # A rewatch is any watch of a video seen before, this year or earlier (as in the diary).
    first_seen_this_year = (
        WatchEntry.objects.filter(user=fan, video__status=Status.PUBLISHED)
        .values("video")
        .annotate(first=Min("watched_on"))
        .filter(first__gte=datetime.date(year, 1, 1), first__lte=datetime.date(year, 12, 31))
        .count()
    )
    figures["new_videos"] = first_seen_this_year
    figures["rewatches"] = totals["watches"] - first_seen_this_year

    per_month = dict(
        entries.annotate(month=ExtractMonth("watched_on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
        .values_list("month", "n")
    )
    figures["months"] = [
        (datetime.date(year, month, 1), per_month.get(month, 0)) for month in range(1, 13)
    ]
    figures["busiest_month"] = max(per_month.values())

    most = (
        entries.values("video")
        .annotate(n=Count("id"), last=Max("watched_on"))
        .filter(n__gt=1)
        .order_by("-n", "-last", "video")
        .first()
    )
    if most is not None:
        figures["most_rewatched"] = video_cards(MusicVideo.objects.filter(pk=most["video"])).get()
        figures["most_rewatched_times"] = most["n"]

    # The era: the release whose videos they watched most (then the one with more of its videos).
    figures["era"] = (
        entries.filter(video__release__status=Status.PUBLISHED)
        .values("video__release__title", "video__release__slug")
        .annotate(n=Count("id"), videos=Count("video", distinct=True))
        .order_by("-n", "-videos", "video__release__title")
        .first()
    )
    return figures


@require_GET
def year_in_review(request: HttpRequest, username: str, year: int) -> HttpResponse:
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise Http404("No such year.")
    fan = get_object_or_404(
        User.objects.select_related("profile"), username__iexact=username, is_active=True
    )
    this_year = timezone.localdate().year
    return render(
        request,
        "community/year_in_review.html",
        {
            "fan": fan,
            "year": year,
            "figures": _year_figures(fan, year),
            "is_self": fan.pk == request.user.pk,
            "previous_year": year - 1 if year > datetime.MINYEAR else None,
            "next_year": year + 1 if year < this_year else None,
        },
    )
