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

import datetime
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, connections
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from catalog.dates import PartialDate
from catalog.models import Credit, Member, MusicVideo, Person, Release, Tag, Track, featuring
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


# ---- Every kind's first results in one statement ----------------------------------------------
#
# The grouped page shows a few rows of each kind. matches() builds them as six ORM querysets (and
# a seventh for the videos' featured artists); compiling those querysets and making model
# instances of their rows cost far more than the database's work. first_matches() reads the same
# rows, ranked the same way, in one plain SQL statement: one CTE per kind (a CTE, as SQLite allows
# no ORDER BY or LIMIT in a member of a compound select), joined by UNION ALL into columns every
# kind shares, as plain values. The LIKE tests are the ones the ORM writes for `contains` and
# `istartswith` on this database, so both databases find what matches() finds. Which rows a
# reader may see is not written here: it is the WHERE the ORM compiles for the kind's queryset
# (visible_to), once a process for staff and once for everyone else, as the search results are
# kept (fansite.views). tests/catalog/test_search.py compares the two.

# The shared columns: the kind's place in KINDS (len(KINDS) for a video's featured artist), the
# row's rank within it, its id, the row it points to (a person's member, a credit's video), the
# ranked title, six more texts, a date.
_COLUMNS = "k, n, id, ref, title, t1, t2, t3, t4, t5, t6, day"


@dataclass(frozen=True)
class _Source:
    """How the statement reads one kind: FROM and its joins (the kind's own table under `alias`),
    the title ranked and sorted by, the folded text searched, and the columns put in t1…t6, day
    and ref."""

    tables: str
    alias: str
    title: str
    search_text: str
    texts: tuple[str, ...]
    day: str = "CAST(NULL AS DATE)"
    ref: str = "CAST(NULL AS INTEGER)"


_SOURCES = {
    "videos": _Source(
        f'"{MusicVideo._meta.db_table}" v',
        "v",
        "v.title",
        "v.search_text",
        ("v.slug", "v.published_on_precision"),
        "v.published_on",
    ),
    "releases": _Source(
        f'"{Release._meta.db_table}" r',
        "r",
        "r.title",
        "r.search_text",
        (
            "r.slug",
            "r.native_title",
            "r.kind",
            "r.ordinal_note",
            "r.ordinal_note_ko",
            "r.ordinal_note_ja",
        ),
    ),
    "tracks": _Source(
        f'"{Track._meta.db_table}" t JOIN "{Release._meta.db_table}" r ON r.id = t.release_id',
        "t",
        "t.title",
        "t.search_text",
        ("r.slug", "r.title"),
    ),
    "members": _Source(
        f'"{Member._meta.db_table}" m',
        "m",
        "m.stage_name",
        "m.search_text",
        ("m.slug", "m.native_name", "m.romanized_name", "m.aliases"),
    ),
    "people": _Source(
        f'"{Person._meta.db_table}" p LEFT JOIN "{Member._meta.db_table}" m ON m.id = p.member_id',
        "p",
        "p.name",
        "p.search_text",
        ("m.slug", "p.native_name", "p.kind", "p.note", "p.note_ko", "p.note_ja"),
        ref="p.member_id",
    ),
    "themes": _Source(
        f'"{Tag._meta.db_table}" g',
        "g",
        "g.name",
        "g.search_text",
        ("g.slug", "g.name_ko", "g.name_ja"),
    ),
}


def _like(lookup: str, column: str) -> str:
    """`column` tested as the ORM tests a `lookup` ("contains", "istartswith") here."""
    lhs = connection.ops.lookup_cast(lookup, "TextField") % column
    operator = connection.operators[lookup]  # type: ignore[attr-defined]  # each backend has them
    return f"{lhs} {operator % '%s'}"


@functools.cache
def _visible(key: str, staff: bool, using: str) -> tuple[str, tuple[Any, ...]]:
    """The rows of a kind that a reader (staff or not) may see: the WHERE the ORM compiles for
    the kind's queryset (visible_to), its table under the source's alias; "" if every row.
    Compiled once a process, as it depends on nothing else."""
    connection = connections[using]
    query = KINDS_BY_KEY[key].queryset(SimpleNamespace(is_staff=staff)).query
    where = query.where.relabeled_clone({query.get_initial_alias(): _SOURCES[key].alias})
    try:
        sql, params = where.as_sql(query.get_compiler(connection=connection), connection)
    except FullResultSet:
        return "", ()
    except EmptyResultSet:
        return "1 = 0", ()
    return sql, tuple(params)


def _kind_sql(
    position: int,
    source: _Source,
    query: str,
    visible: tuple[str, tuple[Any, ...]],
    size: int,
    only: list[int] | None,
) -> tuple[str, list[Any]]:
    """One kind's CTE: its first `size` rows that are `visible` as matches() ranks them."""
    params: list[Any] = [f"{connection.ops.prep_for_like_query(query)}%"]
    id_column = f"{source.alias}.id"
    starts = f"CASE WHEN {_like('istartswith', source.title)} THEN 1 ELSE 0 END"
    conditions = []
    if visible[0]:
        conditions.append(visible[0])
        params.extend(visible[1])
    if only is not None:
        conditions.append(f"{id_column} IN ({', '.join(['%s'] * len(only))})")
        params.extend(only)
    else:
        # As matches(): every word of one reading; a reading without words is no condition.
        forms = []
        for form in readings(query):
            words = form.split()
            if words:
                forms.append(" AND ".join([_like("contains", source.search_text)] * len(words)))
                params.extend(f"%{connection.ops.prep_for_like_query(w)}%" for w in words)
        if forms:
            conditions.append("(" + " OR ".join(f"({form})" for form in forms) + ")")
    texts = [*source.texts, *["NULL"] * (6 - len(source.texts))]
    sql = (
        f"SELECT {position} AS k,"
        f" ROW_NUMBER() OVER (ORDER BY {starts} DESC, {source.title}, {id_column}) AS n,"
        f" {id_column} AS id, {source.ref} AS ref, {source.title} AS title,"
        + "".join(f" {text} AS t{i}," for i, text in enumerate(texts, 1))
        + f" {source.day} AS day FROM {source.tables}"
        + (f" WHERE {' AND '.join(conditions)}" if conditions else "")
        + f" ORDER BY n LIMIT {int(size)}"
    )
    return sql, params


def _featured_sql(position: int) -> tuple[str, list[Any]]:
    """The featured artists of the videos found, in credit order: `display_title` on a card."""
    credit, person = Credit._meta.db_table, Person._meta.db_table
    sql = (
        f"SELECT {position} AS k,"
        " ROW_NUMBER() OVER (PARTITION BY c.video_id ORDER BY c.position, c.id) AS n,"
        " c.id AS id, c.video_id AS ref,"
        " CASE WHEN c.credited_as <> '' THEN c.credited_as ELSE COALESCE(p.name, '') END AS title,"
        " c.join_phrase AS t1, NULL AS t2, NULL AS t3, NULL AS t4, NULL AS t5, NULL AS t6,"
        " CAST(NULL AS DATE) AS day"
        f' FROM "{credit}" c LEFT JOIN "{person}" p ON p.id = c.person_id'
        " WHERE c.role = %s AND c.video_id IN (SELECT id FROM found_videos)"
    )
    return sql, [Credit.Role.FEATURED.value]


def first_matches(
    query: str, user: Any, size: int, *, only: dict[str, list[int]] | None = None
) -> dict[str, list[Any]]:
    """Per kind key, its first `size` rows as matches() ranks them (or, given `only`, of those
    ids per kind: the typo pass's), as Found* objects; kinds with none are left out. One query."""
    ctes, members, params = [], [], []
    staff, using = bool(getattr(user, "is_staff", False)), connection.alias
    for position, kind in enumerate(KINDS):
        ids = None if only is None else only.get(kind.key)
        if only is not None and not ids:
            continue
        visible = _visible(kind.key, staff, using)
        sql, kind_params = _kind_sql(position, _SOURCES[kind.key], query, visible, size, ids)
        ctes.append(f"found_{kind.key} AS ({sql})")
        members.append(f"SELECT {_COLUMNS} FROM found_{kind.key}")
        params.extend(kind_params)
    if not ctes:
        return {}
    if only is None or only.get("videos"):  # the videos' CTE is in the statement
        sql, credit_params = _featured_sql(len(KINDS))
        members.append(sql)
        params.extend(credit_params)
    statement = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(members) + " ORDER BY 1, 2"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    found: dict[str, list[Any]] = {}
    featured: dict[int, list[tuple[str, str]]] = defaultdict(list)  # (name, join phrase)
    for k, _n, pk, ref, title, *texts, day in rows:
        if k == len(KINDS):
            featured[ref].append((title, texts[0]))
        else:
            key = KINDS[k].key
            found.setdefault(key, []).append(_FOUND[key](pk, ref, title, texts, day))
    for video in found.get("videos", ()):
        video.display_title = featuring(video.title, featured.get(video.pk, ()))
    return found


@dataclass(slots=True)
class Link:
    """A row another row links to, as far as its result line shows it."""

    slug: str
    title: str = ""


@dataclass(slots=True)
class FoundVideo:
    pk: int
    title: str
    slug: str
    published: PartialDate | None
    display_title: str = ""


def _found_video(pk: int, ref: Any, title: str, texts: list[Any], day: Any) -> FoundVideo:
    if isinstance(day, str):  # SQLite gives a date as text to a plain cursor
        day = datetime.date.fromisoformat(day)
    return FoundVideo(pk, title, texts[0], PartialDate(day, texts[1]) if day else None)


_RELEASE_KINDS = dict(Release.Kind.choices)
_PERSON_KINDS = dict(Person.Kind.choices)


@dataclass(slots=True)
class FoundRelease:
    pk: int
    title: str
    slug: str
    native_title: str
    kind: str
    ordinal_note: str
    ordinal_note_ko: str
    ordinal_note_ja: str

    def get_kind_display(self) -> str:
        return str(_RELEASE_KINDS.get(self.kind, self.kind))


@dataclass(slots=True)
class FoundTrack:
    pk: int
    title: str
    release: Link


@dataclass(slots=True)
class FoundMember:
    pk: int
    stage_name: str
    slug: str
    native_name: str
    romanized_name: str
    aliases: str

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


@dataclass(slots=True)
class FoundPerson:
    pk: int
    name: str
    member_id: int | None
    member: Link | None
    native_name: str
    kind: str
    note: str
    note_ko: str
    note_ja: str

    def get_kind_display(self) -> str:
        return str(_PERSON_KINDS.get(self.kind, self.kind))


@dataclass(slots=True)
class FoundTheme:
    pk: int
    name: str
    slug: str
    name_ko: str
    name_ja: str


# Each kind's row from the shared columns: (id, ref, title, [t1…t6], day).
_FOUND: dict[str, Callable[[int, Any, str, list[Any], Any], Any]] = {
    "videos": _found_video,
    "releases": lambda pk, ref, title, t, day: FoundRelease(pk, title, *t),
    "tracks": lambda pk, ref, title, t, day: FoundTrack(pk, title, Link(t[0], t[1])),
    "members": lambda pk, ref, title, t, day: FoundMember(pk, title, *t[:4]),
    "people": lambda pk, ref, title, t, day: FoundPerson(
        pk, title, ref, Link(t[0]) if ref else None, *t[1:]
    ),
    "themes": lambda pk, ref, title, t, day: FoundTheme(pk, title, *t[:3]),
}


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
                # The words that hold it as typed, then those within its typos: a scan of
                # every word in a comprehension costs no call per word, as a loop did.
                held = [(known, 0) for known in words if word in known]
                row_scores: dict[int, int] = {}
                for known, distance in [*held, *close.items()]:
                    for pk in words.get(known, ()):
                        if distance < row_scores.get(pk, distance + 1):
                            row_scores[pk] = distance
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
