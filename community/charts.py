"""The rating charts: /top/ (all time) and the home page's month, ranked the same way."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Coalesce, ExtractYear, NullIf

from catalog.models import Member, MusicVideo, Release


def site_mean() -> Coalesce:
    """The mean of every rating on published videos, in half stars (0 before the first): a
    subquery, so ranking costs no query of its own."""
    totals = (
        MusicVideo.objects.published()
        .order_by()
        .annotate(everything=Value(1))
        .values("everything")
        .annotate(mean=Cast(Sum("rating_sum"), FloatField()) / NullIf(Sum("rating_count"), 0))
        .values("mean")
    )
    return Coalesce(Subquery(totals), 0.0, output_field=FloatField())


def ranked(
    videos: QuerySet[MusicVideo],
    *,
    total: str = "rating_sum",
    count: str = "rating_count",
    min_votes: int | None = None,
) -> QuerySet[MusicVideo]:
    """Videos with at least `min_votes` ratings (settings.TOP_MIN_VOTES), best first by IMDb's
    weighted rating, (v*R + m*C) / (v + m) = (sum + m*C) / (count + m), in half stars.

    C is the mean of every rating on the site (a subquery), so a video with few votes is
    pulled towards it and one five-star vote can't top the chart. `total` and `count` name the
    figures to rank by: the video's own, or annotations such as a month's ratings."""
    m = settings.TOP_MIN_VOTES if min_votes is None else min_votes
    mean = site_mean()
    return (
        videos.filter(**{f"{count}__gte": m})
        .annotate(
            weighted=(Cast(F(total), FloatField()) + m * mean) / (Cast(F(count), FloatField()) + m)
        )
        .order_by("-weighted", f"-{count}", "title")
    )


def ranked_since(videos: QuerySet[MusicVideo], since: datetime.datetime) -> QuerySet[MusicVideo]:
    """As ranked(), counting only the ratings given or changed since `since`: recent_votes and
    recent_sum (half stars) on each video."""
    recent = Q(ratings__updated_at__gte=since)
    return ranked(
        videos.annotate(
            recent_votes=Count("ratings", filter=recent),
            recent_sum=Sum("ratings__score", filter=recent),
        ),
        total="recent_sum",
        count="recent_votes",
    )


def _choice_rows(
    queryset: QuerySet[Any],
    *,
    kind: str,
    key: Combinable,
    label: Combinable,
    day: Combinable | None = None,
    rank: Combinable | None = None,
) -> QuerySet[Any]:
    """One kind of filter_choices()' rows, (kind, key, label, day, rank), for its UNION."""
    return (
        queryset.order_by()
        .annotate(
            c_kind=Value(kind),
            c_key=Cast(key, CharField()),
            c_label=Cast(label, CharField()),
            c_day=Cast(day or Value(None), DateField()),
            c_rank=Cast(rank or Value(0), IntegerField()),
        )
        .values_list("c_kind", "c_key", "c_label", "c_day", "c_rank")
    )


def filter_choices() -> dict[str, list[Any]]:
    """What /top/ filters by, as (value, label) lists: eras (releases with a published video,
    oldest first), years of published videos (newest first) and members (in the members
    page's order). One query: a UNION of the three."""
    published = MusicVideo.objects.published()
    eras = _choice_rows(
        Release.objects.published().filter(videos__in=published),
        kind="era",
        key=F("slug"),
        label=F("title"),
        day=F("released_on"),
    )
    years = _choice_rows(
        published.filter(published_on__isnull=False),
        kind="year",
        key=ExtractYear("published_on"),
        label=Value(""),
    )
    members = _choice_rows(
        Member.objects.all(), kind="member", key=F("slug"), label=F("stage_name"), rank=F("order")
    )
    by_kind: dict[str, set[tuple[Any, ...]]] = defaultdict(set)  # a set: UNION ALL would repeat
    for kind, key, label, day, rank in eras.union(years, members).order_by():
        by_kind[kind].add((day or datetime.date.max, rank, label, key))
    return {
        "eras": [(key, label) for *_, label, key in sorted(by_kind["era"])],
        "years": sorted((int(key) for *_, key in by_kind["year"]), reverse=True),
        "members": [(key, label) for *_, label, key in sorted(by_kind["member"])],
    }
