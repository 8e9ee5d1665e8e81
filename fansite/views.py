"""Site-wide views: home, search, health, robots, and the helpful 404."""

from __future__ import annotations

import datetime
import difflib
import functools
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from catalog.dates import Precision
from catalog.invalidation import CATALOG_VERSION
from catalog.models import Member, MusicVideo, Release
from catalog.queries import video_cards
from catalog.search import (
    KINDS,
    KINDS_BY_KEY,
    Kind,
    NameIndex,
    finds_group,
    first_matches,
    is_searchable,
    matches,
    normalise_query,
)
from community.charts import ranked_since
from community.models import Comment
from foundation import page_cache

HOME_VIDEOS = 8
HOME_CHART = 5
# The chart sections aggregate many rows; a few minutes' delay is fine for "this week".
CHART_CACHE_SECONDS = 300


def _top_rated_since(since: datetime.datetime) -> list[MusicVideo]:
    """The month's chart, ranked as /top/ is (weighted, same minimum), on the month's ratings."""
    chart = list(video_cards(ranked_since(MusicVideo.objects.published(), since))[:HOME_CHART])
    for video in chart:
        # Attached for the template: the month's average in stars.
        video.recent_stars = video.recent_sum / video.recent_votes / 2  # type: ignore[attr-defined]
    return chart


def _most_discussed_since(since: datetime.datetime) -> list[MusicVideo]:
    talk = Q(comments__created_at__gte=since, comments__status=Comment.Status.VISIBLE)
    videos = (
        MusicVideo.objects.published()
        .annotate(recent_comments=Count("comments", filter=talk))
        .filter(recent_comments__gte=1)
        .order_by("-recent_comments", "title")
    )
    return list(video_cards(videos)[:HOME_CHART])


def on_this_day(today: datetime.date) -> list[tuple[str, object, int]]:
    """Releases and videos whose anniversary is today (known to the day), oldest first."""
    releases = Release.objects.published().filter(
        released_on__month=today.month,
        released_on__day=today.day,
        released_on__year__lt=today.year,
        released_on_precision=Precision.DAY,
    )
    videos = MusicVideo.objects.published().filter(
        published_on__month=today.month,
        published_on__day=today.day,
        published_on__year__lt=today.year,
        published_on_precision=Precision.DAY,
    )
    # Both dates are set: the filters above match their day and month.
    items: list[tuple[str, object, int]] = [
        ("release", r, today.year - r.released_on.year) for r in releases if r.released_on
    ]
    items += [
        ("video", v, today.year - v.published_on.year)
        for v in videos.only("title", "slug", "published_on")
        if v.published_on
    ]
    return sorted(items, key=lambda item: -item[2])


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = timezone.localdate()
    videos = video_cards(MusicVideo.objects.published())[:HOME_VIDEOS]
    # Called by the template, only when the sections showing them are rendered, not kept.
    featured = functools.cache(
        lambda: Release.objects.published().filter(released_on__isnull=False).first()
    )
    members = Member.objects.filter(left_on__isnull=True)
    charts = cache.get("home:charts")
    if charts is None:
        charts = {
            "top_month": _top_rated_since(now - datetime.timedelta(days=30)),
            "discussed_week": _most_discussed_since(now - datetime.timedelta(days=7)),
        }
        cache.set("home:charts", charts, CHART_CACHE_SECONDS)
    return render(
        request,
        "home.html",
        {
            "videos": videos,
            "featured": featured,
            "members": members,
            "anniversaries": functools.cache(lambda: on_this_day(today)),
            "today": today.isoformat(),
            "min_votes": settings.TOP_MIN_VOTES,
            **charts,
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: this process answers. Cheap and touches nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness, for load balancers: 503 when the database doesn't answer. The cache is named
    but never makes it 503: without it the site serves on from the database (foundation/cache.py),
    and taking every server out of the balancer for it would turn a slow site into none."""
    problems = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "not ready"; the reason goes in the body
        problems["database"] = error.__class__.__name__
    cache_problem = None
    try:
        cache.set("readyz", "1", 5)
        if cache.get("readyz") != "1":
            cache_problem = "no answer"
    except Exception as error:  # a backend that lets Redis's errors through
        cache_problem = error.__class__.__name__
    outage = getattr(cache, "outage", None)
    if outage is not None and outage():
        cache_problem = outage()
    if problems:
        if cache_problem:
            problems["cache"] = cache_problem
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    if cache_problem:
        return JsonResponse(
            {
                "status": "degraded",
                "database": "ok",
                "cache": "unavailable",
                "problems": {"cache": cache_problem},
            }
        )
    return JsonResponse({"status": "ok", "database": "ok", "cache": "ok"})


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        "Allow: /",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap-index'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


# The site's colours for a phone's browser bar and an installed app's splash screen.
THEME_COLOUR = "#b3124a"
BACKGROUND_COLOUR = "#fbf8f6"


@require_safe
def web_manifest(request: HttpRequest) -> HttpResponse:
    """What a phone needs to keep the site on its home screen (the web app manifest)."""
    icons = [
        {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("img/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": static("img/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    manifest = {
        "name": f"{settings.SITE_NAME} · LE SSERAFIM",
        "short_name": settings.SITE_NAME,
        "description": "LE SSERAFIM's releases, members and music videos, and the fans who talk "
        "about them.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
    response = JsonResponse(manifest, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and crawlers ask for whatever the page says: the icon's
    static file (its address carries a hash in production, so this is not permanent)."""
    return HttpResponseRedirect(static("img/favicon.ico"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A 404 that helps: it suggests published pages whose address looks like the one asked for."""
    wanted = request.path.strip("/").rsplit("/", 1)[-1].lower()
    suggestions = _suggestions(wanted) if wanted else []
    return render(request, "404.html", {"suggestions": suggestions}, status=404)


def _suggestions(wanted: str) -> list[tuple[str, str]]:
    pages: dict[str, tuple[str, str]] = {}
    for video in MusicVideo.objects.published().only("title", "slug")[:2000]:
        pages.setdefault(video.slug, (video.title, video.get_absolute_url()))
    for release in Release.objects.published().only("title", "slug")[:2000]:
        pages.setdefault(release.slug, (release.title, release.get_absolute_url()))
    for member in Member.objects.only("stage_name", "slug"):
        pages.setdefault(member.slug, (member.stage_name, member.get_absolute_url()))
    close = difflib.get_close_matches(wanted, list(pages), n=3, cutoff=0.6)
    return [pages[slug] for slug in close]


GROUP_SIZE = 5
# What search() reads from the query string.
SEARCH_PARAMS = ("q", "kind", "page", "suggest")


def _name_index() -> NameIndex:
    """The names' words for the typo pass, kept until the catalog changes."""

    def build() -> tuple[dict, dict]:
        index = NameIndex.build()
        return index.postings, index.bigrams

    postings, bigrams = page_cache.kept("search-names", (), (CATALOG_VERSION,), build)
    return NameIndex(postings, bigrams)


def _grouped(query: str, user: object) -> tuple[list[tuple[Kind, list, bool]], bool]:
    """(kind, its first results, whether it has more) for each kind that matches, and whether
    they were found by forgiving typos: only when nothing matches as typed."""
    found = first_matches(query, user, GROUP_SIZE + 1)
    near_misses = not found
    if near_misses:
        found = first_matches(query, user, GROUP_SIZE + 1, only=_name_index().matches(query))
    groups = [
        (each, rows[:GROUP_SIZE], len(rows) > GROUP_SIZE)
        for each in KINDS
        if (rows := found.get(each.key))
    ]
    return groups, near_misses


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """/search/?q= — grouped by kind; ?kind= pages through one kind; ?suggest=1 is the header's
    search-as-you-type fragment."""
    raw = request.GET.get("q", "").strip()
    kind = KINDS_BY_KEY.get(request.GET.get("kind", ""))
    number = request.GET.get("page")

    def results() -> SafeString:
        context = _search_results(request, raw, kind, number)
        return render_to_string("search.html#suggestions", context, request)

    # The results are the catalog's alone: kept until it changes, so a rating (which makes the
    # whole page stale) costs the page around them, not the search. Staff get drafts too.
    if page_cache.keeps_for(request, staff=True):
        parts = (raw, kind.key if kind else "", number or "")
        found = page_cache.fragment("search-results", parts, (CATALOG_VERSION,), results)
    else:
        found = results()
    if request.GET.get("suggest"):
        return HttpResponse(found)
    context = {"q": raw, "kind": kind, "results": found}
    return render(request, "search.html", context)


def _search_results(
    request: HttpRequest, raw: str, kind: Kind | None, number: str | None
) -> dict[str, object]:
    query = normalise_query(raw)
    context: dict[str, object] = {"q": raw, "kind": kind, "too_short": False}
    if not query or not is_searchable(query):
        context["too_short"] = bool(query)
    elif kind is not None:
        results = matches(kind, query, request.user)
        if not results.exists():
            near = _name_index().matches(query).get(kind.key, [])
            results = matches(kind, query, request.user, only=near)
            context["near_misses"] = True
        context["page"] = Paginator(results, 20).get_page(number)
        context["query_string"] = urlencode({"q": raw, "kind": kind.key})
    else:
        context["groups"], context["near_misses"] = _grouped(query, request.user)
        context["group"] = finds_group(query)
    return context
