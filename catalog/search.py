"""Search over the catalog: videos, releases, tracks, members, people and themes.

Every searchable model keeps a folded `search_text` (see Searchable) that also holds the initial
consonants of its Hangul words, so matching is one simple "contains" on every database: "yunjin",
"Huh Yunjin", "허윤진" and "ㅎㅇㅈ" all find HUH YUNJIN. A query in kana is also tried as romaji
(さくら finds SAKURA). Results are ranked by where the match is (a title that starts with the
query first).

When nothing matches as typed, the names are searched again forgiving typos ("impurites",
"yunijn"): an edit-distance pass in Python over the words of every name (`NameIndex`), the same
on SQLite and PostgreSQL, so both databases give the same answers. Its index is built in one
query per kind and is meant to be cached (fansite.views keeps it until the catalog changes).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from catalog.models import Member, MusicVideo, Person, Release, Tag, Track
from catalog.queries import video_cards
from catalog.structured_data import GROUP
from catalog.text import fold, has_kana, kana_to_romaji, search_text

MIN_QUERY = 2  # "a" would match everything; 허 or 咲 alone are still meaningful, see below


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise  # translated when shown
    queryset: Callable[[Any], QuerySet]
    title_field: str
    name_fields: tuple[str, ...]  # what the typo pass compares the query with


KINDS = [
    Kind(
        "videos",
        _("Videos"),
        lambda user: video_cards(MusicVideo.objects.visible_to(user)),
        "title",
        ("title", "native_title"),
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
            "ordinal_note_ko",
            "ordinal_note_ja",
            "released_on",
            "released_on_precision",
            "status",
            "verified",
        ),
        "title",
        ("title", "native_title"),
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
        ("title", "native_title"),
    ),
    Kind(
        "members",
        _("Members"),
        lambda user: Member.objects.all(),
        "stage_name",
        ("stage_name", "native_name", "romanized_name", "aliases"),
    ),
    Kind(
        "people",
        _("People"),
        # A member's person links to her page.
        lambda user: Person.objects.select_related("member").only(
            "name", "native_name", "kind", "note", "member__slug"
        ),
        "name",
        ("name", "native_name"),
    ),
    Kind(
        "themes",
        _("Themes"),
        lambda user: Tag.objects.all(),
        "name",
        ("name", "name_ko", "name_ja"),
    ),
]
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


def normalise_query(raw: str) -> str:
    # Control characters are no letters, and PostgreSQL refuses NUL in a query: a word break.
    return fold("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in raw))[:100]


def is_searchable(query: str) -> bool:
    # One CJK character (or Hangul initial) is a word; one Latin letter is not.
    return len(query) >= MIN_QUERY or any(ord(ch) > 0x1100 for ch in query)


def readings(query: str) -> list[str]:
    """The query as typed, and in romaji when it holds kana (カズハ: kazuha too)."""
    forms = [query]
    if has_kana(query):
        romaji = kana_to_romaji(query)
        if romaji and romaji != query:
            forms.append(romaji)
    return forms


def _contains_all(query: str) -> Q:
    condition = Q()
    for word in query.split():
        condition &= Q(search_text__contains=word)
    return condition


def matches(kind: Kind, query: str, user: Any, *, only: Iterable[int] | None = None) -> QuerySet:
    """Rows of one kind whose searched text holds every word of the query (in any of its
    readings), best first; or, given `only`, those rows (the typo pass's)."""
    queryset = kind.queryset(user)
    if only is not None:
        condition = Q(pk__in=list(only))
    else:
        condition = Q()
        for form in readings(query):
            condition |= _contains_all(form)
    title = f"{kind.title_field}__istartswith"
    return (
        queryset.filter(condition)
        .annotate(
            starts=Case(
                When(**{title: query}, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-starts", kind.title_field, "pk")
    )


# ---- The group itself: its names find the members page -----------------------------------------

GROUP_NAMES = (GROUP["name"], *GROUP["alternateName"])
_GROUP_TEXT = search_text(GROUP_NAMES)


def finds_group(query: str) -> bool:
    """LE SSERAFIM, 르세라핌, ㄹㅅㄹㅍ, ルセラフィム, "le sserafim" (or a near miss of one)."""
    if any(all(word in _GROUP_TEXT for word in form.split()) for form in readings(query)):
        return True
    return all(_close_to_any(word, _words(_GROUP_TEXT)) for word in query.split())


# ---- Forgiving typos --------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text))


def _is_cjk(word: str) -> bool:
    return any(ord(ch) > 0x2E80 or 0x1100 <= ord(ch) <= 0x11FF for ch in word)


def allowed_edits(word: str) -> int:
    """How many typos a word may carry: none in a short Latin word (too many near misses),
    one in a longer one or in a CJK word of two characters or more, two from seven letters."""
    if _is_cjk(word):
        return 1 if len(word) >= 2 else 0
    if len(word) < 4:
        return 0
    return 1 if len(word) < 7 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (a swap of neighbours is one edit), or limit + 1 once it is
    sure to exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _close_to_any(word: str, vocabulary: Iterable[str]) -> bool:
    limit = allowed_edits(word)
    if limit == 0:
        return any(word in known for known in vocabulary)
    return any(word in known or edit_distance(word, known, limit) <= limit for known in vocabulary)


def _bigrams(word: str) -> set[str]:
    padded = f" {word} "
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


@dataclass
class NameIndex:
    """The words of every name, per kind: word -> ids of the rows whose names hold it, and
    bigram -> words, to find the few words worth comparing with a misspelt one. Plain data,
    so it can be kept in the cache."""

    postings: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    bigrams: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls) -> NameIndex:
        """One query per kind: every row's id and names (drafts too: matches() leaves out what
        the reader may not see)."""
        postings: dict[str, dict[str, list[int]]] = {}
        vocabulary: set[str] = set()
        for kind in KINDS:
            model = kind.queryset(None).model
            words: dict[str, list[int]] = defaultdict(list)
            for pk, *names in model._default_manager.values_list("pk", *kind.name_fields):
                for word in _words(fold(" ".join(name or "" for name in names))):
                    words[word].append(pk)
            postings[kind.key] = dict(words)
            vocabulary.update(words)
        bigrams: dict[str, list[str]] = defaultdict(list)
        for word in sorted(vocabulary):
            for bigram in _bigrams(word):
                bigrams[bigram].append(word)
        return cls(postings, dict(bigrams))

    def near(self, word: str) -> dict[str, int]:
        """Known words within the typos `word` may carry, with their distance."""
        limit = allowed_edits(word)
        if limit == 0:
            return {}
        wanted = _bigrams(word)
        shared: dict[str, int] = defaultdict(int)
        for bigram in wanted:
            for known in self.bigrams.get(bigram, ()):
                shared[known] += 1
        # One edit changes at most three of a word's bigrams (a swap of neighbours).
        enough = max(1, len(wanted) - 3 * limit)
        found = {}
        for known, count in shared.items():
            if count >= enough:
                distance = edit_distance(word, known, limit)
                if distance <= limit:
                    found[known] = distance
        return found

    def matches(self, query: str) -> dict[str, list[int]]:
        """Per kind, the ids of rows whose names hold every word of the query, each one as
        typed or within its typos; the closest first."""
        near = {word: self.near(word) for word in query.split()}
        found = {}
        for kind, words in self.postings.items():
            scores: dict[int, int] | None = None
            for word, close in near.items():
                row_scores: dict[int, int] = {}
                for known, pks in words.items():
                    distance = 0 if word in known else close.get(known)
                    if distance is None:
                        continue
                    for pk in pks:
                        row_scores[pk] = min(distance, row_scores.get(pk, distance))
                if scores is None:
                    scores = row_scores
                else:
                    scores = {
                        pk: score + row_scores[pk]
                        for pk, score in scores.items()
                        if pk in row_scores
                    }
            if scores:
                found[kind] = sorted(scores, key=lambda pk: (scores[pk], pk))
        return found
