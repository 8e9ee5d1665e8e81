"""Public catalog pages. Each one runs a fixed number of queries, whatever the catalog's size."""

from __future__ import annotations

import hashlib
from datetime import MAXYEAR, MINYEAR, date

from django.core.paginator import Page, Paginator
from django.db.models import Model, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from catalog import art, video_page
from catalog.citations import References, attach_sources
from catalog.forms import ReleaseFilterForm, VideoFilterForm
from catalog.localize import localized, names
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
from catalog.queries import featured_credits, video_cards
from foundation.params import int_param

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
        "updated_at",
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
                    Prefetch("credits", queryset=Credit.objects.select_related("person__member"))
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
    video = video_page.video_for_page(request, slug)
    # A draft release is not linked from a published video's page for the public.
    release = video.release
    show_release = release is not None and (
        not release.is_draft or getattr(request.user, "is_staff", False)
    )
    # The page's two summaries (<meta> and Open Graph) share it: worked out once, not twice
    # by filters in the template.
    description = localized(video, "description")
    return render(
        request,
        "catalog/video_detail.html",
        {
            "video": video,
            "show_release": show_release,
            "summary": Truncator(description.text).chars(160) if description else "",
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


# ---- The site's own pictures (catalog/art.py) -----------------------------------------------

ART_SCHEMES = ("light", "dark")
ART_MAX_AGE = 24 * 60 * 60  # addresses carry the item's version (?v=…): a change is a new one


def _art_response(request: HttpRequest, svg: str) -> HttpResponse:
    """The drawing as image/svg+xml, cached by browsers and revalidated by its ETag."""
    etag = '"' + hashlib.sha256(svg.encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={ART_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _art_scheme(scheme: str) -> str:
    if scheme not in ART_SCHEMES:
        raise Http404("No such colour scheme.")
    return scheme


def _with_year(label: str, day: date | None) -> str:
    return f"{label} · {day.year}" if day else label


@require_GET
def release_art(request: HttpRequest, slug: str, scheme: str) -> HttpResponse:
    scheme = _art_scheme(scheme)
    release = get_object_or_404(Release.objects.visible_to(request.user), slug=slug)
    title = names(release.title, release.native_title)
    kind = str(localized(release, "ordinal_note")) or release.get_kind_display()
    return _art_response(
        request,
        art.release_art(
            key=release.slug,
            title=str(title.first),
            native_title=str(title.second or ""),
            label=_with_year(kind, release.released_on),
            palette=art.release_palette(release),
            scheme=scheme,
        ),
    )


@require_GET
def video_art(request: HttpRequest, slug: str, scheme: str) -> HttpResponse:
    scheme = _art_scheme(scheme)
    video = get_object_or_404(
        MusicVideo.objects.visible_to(request.user)
        .select_related("release")
        .prefetch_related(featured_credits()),
        slug=slug,
    )
    return _art_response(
        request,
        art.video_art(
            key=video.slug,
            title=str(names(video.display_title, video.native_title).first),
            kind=video.kind,
            label=_with_year(video.get_kind_display(), video.published_on),
            palette=art.release_palette(video.release),
            scheme=scheme,
        ),
    )


@require_GET
def member_art(request: HttpRequest, slug: str, scheme: str) -> HttpResponse:
    scheme = _art_scheme(scheme)
    member = get_object_or_404(Member, slug=slug)
    return _art_response(
        request,
        art.member_art(
            key=member.slug,
            name=member.stage_name,
            native_name=member.native_name,
            full_name=member.romanized_name,
            label="LE SSERAFIM",
            scheme=scheme,
        ),
    )
