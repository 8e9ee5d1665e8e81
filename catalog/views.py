"""Public catalog pages. Each one runs a fixed number of queries, whatever the catalog's size."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, date

from django.core.paginator import Page, Paginator
from django.db.models import Model, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from catalog import video_page
from catalog.citations import References, attach_sources
from catalog.forms import ReleaseFilterForm, VideoFilterForm
from catalog.models import (
    ChartAchievement,
    Credit,
    Member,
    MusicVideo,
    Release,
    Tag,
    TieIn,
    Track,
)
from catalog.queries import video_cards
from fansite.params import int_param

PAGE_SIZE = 24


def _page(request: HttpRequest, items: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _years(dates: QuerySet) -> list[int]:
    return sorted({d.year for d in dates}, reverse=True)


@require_GET
def release_list(request: HttpRequest) -> HttpResponse:
    releases = Release.objects.visible_to(request.user)
    form = ReleaseFilterForm(
        request.GET or None, years=_years(releases.dates("released_on", "year"))
    )
    if form.is_bound and form.is_valid():
        releases = form.filter(releases)
    releases = releases.only(
        "title",
        "native_title",
        "slug",
        "kind",
        "ordinal_note",
        "ordinal_note_ko",
        "ordinal_note_ja",
        "status",
        "verified",
        "released_on",
        "released_on_precision",
        "cover_small",
        "cover_alt",
        "market",
    )
    return render(
        request, "catalog/release_list.html", {"page": _page(request, releases), "form": form}
    )


@require_GET
def release_detail(request: HttpRequest, slug: str) -> HttpResponse:
    release = get_object_or_404(
        Release.objects.visible_to(request.user).prefetch_related(
            Prefetch(
                "tracks",
                queryset=Track.objects.prefetch_related(
                    Prefetch("credits", queryset=Credit.objects.select_related("person"))
                ),
            ),
            Prefetch("videos", queryset=video_cards(MusicVideo.objects.visible_to(request.user))),
            "links",
        ),
        slug=slug,
    )
    # Records of the release itself and of its songs ("UNFORGIVEN" on the Global 200).
    achievements = list(
        ChartAchievement.objects.filter(
            Q(release=release) | Q(track__release=release)
        ).select_related("track")
    )
    tracks = release.tracks.all()
    attach_sources([release, *tracks, *(c for t in tracks for c in t.credits.all()), *achievements])
    return render(
        request,
        "catalog/release_detail.html",
        {"release": release, "achievements": achievements, "references": References()},
    )


@require_GET
def video_list(request: HttpRequest) -> HttpResponse:
    videos = MusicVideo.objects.visible_to(request.user)
    form = VideoFilterForm(
        request.GET or None,
        user=request.user,
        years=_years(videos.dates("published_on", "year")),
    )
    if form.is_bound and form.is_valid():
        videos = form.filter(videos)
    page = _page(request, video_cards(videos))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/video_list.html",
        {"page": page, "form": form, "query": query.urlencode()},
    )


@require_GET
def video_detail(request: HttpRequest, slug: str) -> HttpResponse:
    video = get_object_or_404(
        MusicVideo.objects.visible_to(request.user).select_related("release", "track"), slug=slug
    )
    # A draft release is not linked from a published video's page for the public.
    release = video.release
    show_release = release is not None and (
        not release.is_draft or getattr(request.user, "is_staff", False)
    )
    return render(
        request,
        "catalog/video_detail.html",
        {
            "video": video,
            "show_release": show_release,
            "parts": video_page.catalog_parts(request, video, show_release),
        },
    )


@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    members = list(Member.objects.all())
    return render(
        request,
        "catalog/member_list.html",
        {
            "current": [m for m in members if m.is_current],
            "former": [m for m in members if not m.is_current],
        },
    )


@require_GET
def member_detail(request: HttpRequest, slug: str) -> HttpResponse:
    member = get_object_or_404(Member.objects.prefetch_related("links"), slug=slug)
    videos = video_cards(MusicVideo.objects.visible_to(request.user).featuring(member))
    credits = list(
        Credit.objects.filter(person__member=member, track__isnull=False)
        .filter(track__release__in=Release.objects.visible_to(request.user))
        .select_related("track__release")
        .order_by("track__release__released_on", "track__sequence")
    )
    collaborations = list(member.tie_ins.all())
    attach_sources([member, *credits, *collaborations])
    today = timezone.localdate()
    birthday = member.next_birthday(today) if member.is_current else None
    return render(
        request,
        "catalog/member_detail.html",
        {
            "member": member,
            "page": _page(request, videos),
            "credits": credits,
            "collaborations": collaborations,
            "references": References(),
            "birthday": birthday,
            "birthday_in_days": (birthday[0] - today).days if birthday else None,
        },
    )


@require_GET
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Tag, slug=slug)
    videos = video_cards(MusicVideo.objects.visible_to(request.user).filter(themes=theme))
    attach_sources([theme])
    return render(
        request,
        "catalog/theme_detail.html",
        {"theme": theme, "page": _page(request, videos), "references": References()},
    )


@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    """The group's story by date, one year at a time: releases, videos, chart records, tie-ins."""
    releases = Release.objects.visible_to(request.user).filter(released_on__isnull=False)
    videos = MusicVideo.objects.visible_to(request.user).filter(published_on__isnull=False)
    years = sorted(
        {d.year for d in releases.dates("released_on", "year")}
        | {d.year for d in videos.dates("published_on", "year")},
        reverse=True,
    )
    # Year 0, -1 or 10000 has no dates to filter by (a 500 before): a 400.
    year = int_param(
        request, "year", default=years[0] if years else MINYEAR, minimum=MINYEAR, maximum=MAXYEAR
    )
    events: list[tuple[date | None, str, Model]] = []
    events += [(r.released_on, "release", r) for r in releases.filter(released_on__year=year)]
    events += [
        (v.published_on, "video", v)
        for v in videos.filter(published_on__year=year).only(
            "title",
            "slug",
            "kind",
            "published_on",
            "published_on_precision",
            "status",
            "verified",
        )
    ]
    events += [
        (a.charted_on, "chart", a)
        for a in ChartAchievement.objects.filter(charted_on__year=year)
        .filter(Q(release__in=releases) | Q(track__release__in=releases))
        .select_related("release", "track__release")
    ]
    events += [(t.started_on, "tie_in", t) for t in TieIn.objects.filter(started_on__year=year)]
    events.sort(key=lambda event: (event[0], event[1]))
    attach_sources(item for _when, _kind, item in events)
    return render(
        request,
        "catalog/timeline.html",
        {
            "events": events,
            "years": years,
            "year": year if year in years else None,
            "references": References(),
        },
    )
