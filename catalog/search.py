"""Search over the catalog: videos, releases, tracks, members, people and themes.

Every searchable model keeps a folded `search_text` (see Searchable), so matching is the same
simple lookup everywhere. On PostgreSQL, results are ranked by trigram word similarity, which also
forgives typos ("yunijn") when nothing matches as typed; results are ranked by where the match
is (a title that starts with the query first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from catalog.models import Member, MusicVideo, Person, Release, Tag, Track
from catalog.queries import video_cards
from catalog.text import fold

MIN_QUERY = 2  # "a" would match everything; 허 or 咲 alone are still meaningful, see below
TYPO_SIMILARITY = 0.4


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise  # translated when shown
    queryset: Callable[[Any], QuerySet]
    title_field: str


KINDS = [
    Kind(
        "videos",
        _("Videos"),
        lambda user: video_cards(MusicVideo.objects.visible_to(user)),
        "title",
    ),
    Kind(
        "releases",
        _("Releases"),
        lambda user: Release.objects.visible_to(user).only(
            "title",
            "native_title",
            "slug",
            "kind",
            "ordinal_note",
            "released_on",
            "released_on_precision",
            "status",
            "verified",
        ),
        "title",
    ),
    Kind(
        "tracks",
        _("Songs"),
        lambda user: (
            Track.objects.filter(release__in=Release.objects.visible_to(user))
            .select_related("release")
            .only("title", "native_title", "release__title", "release__slug")
        ),
        "title",
    ),
    Kind("members", _("Members"), lambda user: Member.objects.all(), "stage_name"),
    Kind("people", _("People"), lambda user: Person.objects.all(), "name"),
    Kind("themes", _("Themes"), lambda user: Tag.objects.all(), "name"),
]
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


def normalise_query(raw: str) -> str:
    return fold(raw)[:100]


def is_searchable(query: str) -> bool:
    # One CJK character is a word; one Latin letter is not.
    return len(query) >= MIN_QUERY or any(ord(ch) > 0x2E80 for ch in query)


def matches(kind: Kind, query: str, user: Any, *, typos: bool = False) -> QuerySet:
    """Matching rows of one kind, best first. With typos=True (PostgreSQL only), near misses
    count too; that compares trigrams of every row, so callers ask for it only when the plain
    match found nothing."""
    queryset = kind.queryset(user)
    words = query.split()
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    title = f"{kind.title_field}__istartswith"
    if typos and connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        queryset = queryset.annotate(similarity=TrigramWordSimilarity(query, "search_text"))
        condition |= Q(similarity__gte=TYPO_SIMILARITY)
        order = ["-starts", "-similarity", kind.title_field]
    else:
        order = ["-starts", kind.title_field]
    return (
        queryset.filter(condition)
        .annotate(
            starts=Case(
                When(**{title: query}, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by(*order)
    )
