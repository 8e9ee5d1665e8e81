"""The catalog data file: check it, load it into the database, export the database back to it.

A file is one JSON object::

    {"format": 1, "members": [...], "people": [...], "themes": [...], "releases": [...],
     "videos": [...], "tie_ins": [...], "chart_achievements": [...]}

Records name each other by slug; a track is named {"release": slug, "disc": 1, "sequence": 3}.
Dates are partial ("2025", "2025-03", "2025-03-14") except a member's revealed_on, joined_on and
left_on, which are whole days. Korean and Japanese versions of a text or a word
("description_ko", "name_ja") are optional keys, exported only when not empty. A credits list is
in credit order. A member's `aliases` is a list of the other forms of her name.

Any record, track or credit may carry `sources`, where its facts come from, in order: each one
the address read ("https://…", or "seed:<file>" for a press release), or an object
{"url": …, "title": …, "publisher": …, "read": "2026-11-21", "fact": "released"} where `fact`
names the one fact of the record it supports (its key in the file) and the others are optional.

Loading is an upsert: members, people, themes, releases, videos and tie-ins by slug, tracks by
(release, disc, sequence), chart achievements by (release, track, chart). A record's fields,
tracklist, credits, links, sources and many-to-many sets are made to match the file; records the
file does not mention are left alone. Rows that already match are not saved, so loading a file
twice writes nothing (and adds no history). The whole document is checked before anything is
written and all writes share one transaction, so a file with any problem leaves the database as
it was.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import json
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import slug_re
from django.db import models, transaction
from django.db.models import F, Prefetch

from catalog import art
from catalog.dates import PartialDate, PartialDateAccessor, Precision
from catalog.models import (
    ChartAchievement,
    Credit,
    ExternalLink,
    Member,
    MusicVideo,
    Person,
    Release,
    Source,
    Status,
    Tag,
    TieIn,
    Track,
)
from foundation.json_limits import TooDeep, check_depth

FORMAT = 1
DEMO_CATALOG = Path(__file__).resolve().parent / "data" / "lesserafim.json"
# Load order: every section refers only to sections before it.
SECTIONS = ("members", "people", "themes", "releases", "videos", "tie_ins", "chart_achievements")
# What a load counts, in report order: tracks are counted apart from their releases.
COUNTED = (*SECTIONS[:4], "tracks", *SECTIONS[4:])

Record = dict[str, Any]
TrackKey = tuple[str, int, int]  # (release slug, disc, sequence)


class CatalogError(Exception):
    """The file cannot be loaded; `problems` says where and why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Where:
    """A place in the document, for messages: "releases[3] 'easy': tracks[2].title"."""

    section: str
    index: int
    name: str | None = None  # the record's slug (or chart), when it has a usable one
    path: str = ""

    @classmethod
    def of(cls, section: str, index: int, record: Any) -> Where:
        name = (record.get("slug") or record.get("chart")) if isinstance(record, dict) else None
        return cls(section, index, name if isinstance(name, str) else None)

    def at(self, part: str) -> Where:
        return replace(self, path=f"{self.path}.{part}" if self.path else part)

    def problem(self, message: str) -> str:
        return f"{self}: {message}"

    def __str__(self) -> str:
        record = f"{self.section}[{self.index}]" + (f" {self.name!r}" if self.name else "")
        return f"{record}: {self.path}" if self.path else record


# Field values: each parser turns a file value into a model value or raises ValueError saying why.

Parser = Callable[[Any], Any]


_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """What no database column can store: NUL (PostgreSQL refuses it; SQLite would keep it) and
    a lone surrogate ("\\ud800" in JSON: half of a character, not encodable as UTF-8)."""
    if "\x00" in value:
        return "contains a NUL character"
    if _SURROGATE.search(value):
        return "contains a lone surrogate (half of a character, e.g. \\ud800)"
    return None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    if problem := text_problem(value):
        raise ValueError(problem)
    return value


def _colour(value: Any) -> str:
    if not isinstance(value, str) or not (value == "" or art.HEX_COLOUR.match(value)):
        raise ValueError(f'expected a colour as "#rrggbb", got {value!r}')
    return value.lower()


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def _slug(value: Any) -> str:
    if not slug_re.match(_text(value)):
        raise ValueError(f"{value!r} is not a slug (letters, digits, hyphens or underscores)")
    return value


def _partial_date(value: Any) -> PartialDate:
    try:
        return PartialDate.parse(_text(value))
    except ValueError:  # also impossible dates such as 2022-13-40, which fit the pattern
        raise ValueError(f"{value!r} is not a date like 2025, 2025-03 or 2025-03-14") from None


def _day(value: Any) -> datetime.date:
    date = _partial_date(value)
    if date.precision != Precision.DAY:
        raise ValueError(f"{value!r} is not a full date like 2025-03-14")
    return date.date


def _moment(value: Any) -> datetime.datetime:
    """A date and time with its UTC offset, as announced: 2026-02-20T18:00+09:00."""
    try:
        moment = datetime.datetime.fromisoformat(_text(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a date and time like 2026-02-20T18:00+09:00") from None
    if moment.utcoffset() is None:
        raise ValueError(f"{value!r} needs its UTC offset, like 2026-02-20T18:00+09:00")
    return moment


def _dump_moment(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _duration(value: Any) -> datetime.timedelta:
    match = re.fullmatch(r"(\d+):([0-5]\d)", _text(value))
    if not match:
        raise ValueError(f"{value!r} is not a running time like 3:25")
    return datetime.timedelta(minutes=int(match[1]), seconds=int(match[2]))


def _choice(choices: type[models.TextChoices]) -> Parser:
    def parse(value: Any) -> str:
        if value not in choices.values:
            raise ValueError(f"{value!r} is not one of {', '.join(choices.values)}")
        return str(value)

    return parse


def _optional(parse: Parser) -> Parser:
    def parse_or_none(value: Any) -> Any:
        return None if value is None else parse(value)

    return parse_or_none


def _same(value: Any) -> Any:
    return value


def _lines(value: Any) -> str:
    """A list of texts, kept one per line."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"expected a list of texts, got {value!r}")
    if any("\n" in item or not item.strip() for item in value):
        raise ValueError("each text must be one non-empty line")
    for item in value:
        _text(item)
    return "\n".join(item.strip() for item in value)


def _dump_lines(value: str) -> list[str]:
    return [line for line in value.splitlines() if line.strip()]


def _dump_date(value: PartialDate | datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _dump_duration(value: datetime.timedelta | None) -> str | None:
    if value is None:
        return None
    seconds = int(value.total_seconds())
    return f"{seconds // 60}:{seconds % 60:02d}"


@dataclass(frozen=True)
class Field:
    """A plain value in a record. The file key is the model attribute it sets."""

    parse: Parser
    default: Any = None  # the file value when the key is absent
    required: bool = False
    dump: Callable[[Any], Any] = _same
    exported_when_empty: bool = True


TEXT = Field(_text, default="")
TRANSLATION = Field(_text, default="", exported_when_empty=False)  # catalog.localize
REQUIRED_TEXT = Field(_text, required=True)
SLUG = Field(_slug, required=True)
ORDER = Field(_whole, default=0)
PARTIAL_DATE = Field(_optional(_partial_date), dump=_dump_date)  # through a PartialDateAccessor
DAY = Field(_optional(_day), dump=_dump_date)
YES = Field(_flag, default=True)
NO = Field(_flag, default=False)
STATUS = Field(_choice(Status), default=Status.DRAFT)
COLOUR = Field(_colour, default="", exported_when_empty=False)  # a release's palette


def _kind(choices: type[models.TextChoices], default: str | None = None) -> Field:
    return Field(_choice(choices), default=default, required=default is None)


LINES = Field(_lines, default=[], dump=_dump_lines)

MEMBER_FIELDS = {
    "slug": SLUG,
    "stage_name": REQUIRED_TEXT,
    "native_name": TEXT,
    "romanized_name": TEXT,
    "aliases": LINES,
    "birth": PARTIAL_DATE,
    "nationality": TEXT,
    "nationality_ko": TRANSLATION,
    "nationality_ja": TRANSLATION,
    "position_note": TEXT,
    "position_note_ko": TRANSLATION,
    "position_note_ja": TRANSLATION,
    "revealed_on": DAY,
    "joined_on": DAY,
    "joining_note": TEXT,
    "joining_note_ko": TRANSLATION,
    "joining_note_ja": TRANSLATION,
    "left_on": DAY,
    "departure_note": TEXT,
    "departure_note_ko": TRANSLATION,
    "departure_note_ja": TRANSLATION,
    "order": ORDER,
    "bio": TEXT,
    "bio_ko": TRANSLATION,
    "bio_ja": TRANSLATION,
}
PERSON_FIELDS = {
    "slug": SLUG,
    "name": REQUIRED_TEXT,
    "native_name": TEXT,
    "kind": _kind(Person.Kind, Person.Kind.PERSON),
    "note": TEXT,
    "note_ko": TRANSLATION,
    "note_ja": TRANSLATION,
}
THEME_FIELDS = {
    "slug": SLUG,
    "name": REQUIRED_TEXT,
    "name_ko": TRANSLATION,
    "name_ja": TRANSLATION,
    "description": TEXT,
    "description_ko": TRANSLATION,
    "description_ja": TRANSLATION,
}
RELEASE_FIELDS = {
    "slug": SLUG,
    "title": REQUIRED_TEXT,
    "native_title": TEXT,
    "kind": _kind(Release.Kind),
    "ordinal_note": TEXT,
    "ordinal_note_ko": TRANSLATION,
    "ordinal_note_ja": TRANSLATION,
    "market": TEXT,
    "market_ko": TRANSLATION,
    "market_ja": TRANSLATION,
    "released": PARTIAL_DATE,
    "label": TEXT,
    "description": TEXT,
    "description_ko": TRANSLATION,
    "description_ja": TRANSLATION,
    "palette_background": COLOUR,
    "palette_text": COLOUR,
    "palette_accent": COLOUR,
    "status": STATUS,
    "verified": NO,
    "verification_note": TEXT,
    "verification_note_ko": TRANSLATION,
    "verification_note_ja": TRANSLATION,
}
TRACK_FIELDS = {
    "disc": Field(_whole, default=1),
    "sequence": Field(_whole, required=True),
    "number": Field(_optional(_whole)),
    "title": REQUIRED_TEXT,
    "native_title": TEXT,
    "is_title_track": NO,
    "duration": Field(_optional(_duration), dump=_dump_duration),
    "note": TEXT,
    "note_ko": TRANSLATION,
    "note_ja": TRANSLATION,
}
VIDEO_FIELDS = {
    "slug": SLUG,
    "title": REQUIRED_TEXT,
    "native_title": TEXT,
    "kind": _kind(MusicVideo.Kind, MusicVideo.Kind.OFFICIAL),
    "whole_group": YES,
    "published": PARTIAL_DATE,
    "youtube_id": TEXT,
    # The premiere's minute and the zone it was announced in (checked by the model's validation).
    "premiere_at": Field(_optional(_moment), dump=_dump_moment, exported_when_empty=False),
    "premiere_time_zone": Field(_text, default="", exported_when_empty=False),
    "description": TEXT,
    "description_ko": TRANSLATION,
    "description_ja": TRANSLATION,
    "status": STATUS,
    "verified": NO,
    "verification_note": TEXT,
    "verification_note_ko": TRANSLATION,
    "verification_note_ja": TRANSLATION,
}
CREDIT_FIELDS = {
    "credited_as": TEXT,
    "role": _kind(Credit.Role),
    "role_note": TEXT,
    "role_note_ko": TRANSLATION,
    "role_note_ja": TRANSLATION,
    "join_phrase": TEXT,
    "verified": YES,
    "verification_note": TEXT,
    "verification_note_ko": TRANSLATION,
    "verification_note_ja": TRANSLATION,
}
TIE_IN_FIELDS = {
    "slug": SLUG,
    "name": REQUIRED_TEXT,
    "name_ko": TRANSLATION,
    "name_ja": TRANSLATION,
    "partner": REQUIRED_TEXT,
    "partner_ko": TRANSLATION,
    "partner_ja": TRANSLATION,
    "kind": _kind(TieIn.Kind),
    "started": PARTIAL_DATE,
    "description": TEXT,
    "description_ko": TRANSLATION,
    "description_ja": TRANSLATION,
    "url": TEXT,
    "verified": YES,
}
CHART_FIELDS = {
    "chart": REQUIRED_TEXT,
    "chart_ko": TRANSLATION,
    "chart_ja": TRANSLATION,
    "peak": Field(_optional(_whole)),
    "peak_label": TEXT,
    "peak_label_ko": TRANSLATION,
    "peak_label_ja": TRANSLATION,
    "charted": PARTIAL_DATE,
    "summary": REQUIRED_TEXT,
    "summary_ko": TRANSLATION,
    "summary_ja": TRANSLATION,
    "verified": YES,
    "verification_note": TEXT,
    "verification_note_ko": TRANSLATION,
    "verification_note_ja": TRANSLATION,
    "order": ORDER,
}
LINK_FIELDS = {"site": _kind(ExternalLink.Site), "url": REQUIRED_TEXT, "label": TEXT}
SOURCE_FIELDS = {
    "url": REQUIRED_TEXT,
    "title": TEXT,
    "publisher": TEXT,
    "read": Field(_optional(_day), dump=_dump_date),
    "fact": TEXT,
}
# The fields a record's sources are compared on, in the order the file gives them.
SOURCE_COLUMNS = ("field", "url", "title", "publisher", "read_on", "position")
TRACK_REF_FIELDS = {
    "release": SLUG,
    "disc": Field(_whole, default=1),
    "sequence": TRACK_FIELDS["sequence"],
}
TRACK_REF_HINT = 'expected {"release": slug, "disc": 1, "sequence": n}'


def _scalars(record: Record, fields: dict[str, Field], where: Where, problems: list[str]) -> Record:
    """The record's plain values as model values; a missing or malformed one becomes a problem."""
    values = {}
    for key, spec in fields.items():
        raw = record.get(key, spec.default)
        if spec.required and raw in (None, ""):
            problems.append(where.at(key).problem("this field is required"))
            continue
        try:
            values[key] = spec.parse(raw)
        except ValueError as error:
            problems.append(where.at(key).problem(str(error)))
    return values


def _dump(instance: models.Model, fields: dict[str, Field]) -> Record:
    values = {key: spec.dump(getattr(instance, key)) for key, spec in fields.items()}
    return {
        key: value
        for key, value in values.items()
        if value not in (None, "") or fields[key].exported_when_empty
    }


def _track_key(ref: Record) -> TrackKey:
    """The key of a track reference that has passed the checks."""
    return (ref["release"], ref.get("disc", 1), ref["sequence"])


# Reading and writing the file.


def _bad_strings(value: Any, where: str = "") -> Iterator[str]:
    """Every text in the document (keys too) that no column could store, with where it is."""
    if isinstance(value, str):
        if problem := text_problem(value):
            yield f"{where or 'the document'}: {problem}"
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _bad_strings(item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if problem := text_problem(key):
                yield f"{where or 'the document'}: a key {problem}"
            else:
                yield from _bad_strings(item, f"{where}.{key}" if where else key)


def read_catalog(path: Path) -> Any:
    """The file's document; CatalogError naming every problem that stops it being read."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        check_depth(text)
        document = json.loads(text)
    except OSError as error:
        raise CatalogError([f"{path}: cannot read the file ({error.strerror})"]) from error
    except UnicodeDecodeError as error:
        raise CatalogError([f"{path}: not UTF-8 text ({error.reason})"]) from error
    except json.JSONDecodeError as error:
        raise CatalogError(
            [f"{path}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"]
        ) from error
    except TooDeep as error:
        raise CatalogError([f"{path}: {error}"]) from error
    problems = [f"{path}: {problem}" for problem in _bad_strings(document)]
    if problems:
        raise CatalogError(problems)
    return document


def dump_catalog(document: Record) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# Checking a whole document before anything is written.


def validate_catalog(document: Any) -> list[str]:
    """Every problem in the document, each naming its record and field; empty when loadable."""
    return _Checker().check(document)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        # Slugs met so far, to resolve references and catch duplicates (value: index in section).
        self.seen: dict[type[models.Model], dict[str, int]] = defaultdict(dict)
        self.tracks: set[TrackKey] = set()
        self.chart_keys: dict[tuple[Any, TrackKey | None, Any], int] = {}
        self._in_database: dict[tuple[type[models.Model], Hashable], bool] = {}

    def check(self, document: Any) -> list[str]:
        if not isinstance(document, dict):
            return ["the file must hold one JSON object with a format and the catalog sections"]
        if document.get("format") != FORMAT:
            self.problems.append(f"format: expected {FORMAT}, got {document.get('format')!r}")
        self.problems.extend(
            f"{key}: unknown section" for key in document if key not in {"format", *SECTIONS}
        )
        checks: dict[str, Callable[[Record, Where], None]] = {
            "members": self.member,
            "people": self.person,
            "themes": self.theme,
            "releases": self.release,
            "videos": self.video,
            "tie_ins": self.tie_in,
            "chart_achievements": self.chart_achievement,
        }
        for section in SECTIONS:
            records = document.get(section, [])
            if not isinstance(records, list):
                self.problems.append(f"{section}: expected a list of records")
                continue
            for index, record in enumerate(records):
                where = Where.of(section, index, record)
                if isinstance(record, dict):
                    checks[section](record, where)
                else:
                    self.problems.append(where.problem("expected an object"))
        return self.problems

    def member(self, record: Record, where: Where) -> None:
        self._record(Member, record, MEMBER_FIELDS, where, "links")
        self._links(record, where)
        self._sources(Member, record, where)

    def person(self, record: Record, where: Where) -> None:
        self._record(Person, record, PERSON_FIELDS, where, "member")
        self._ref(Member, record.get("member"), where.at("member"))
        self._sources(Person, record, where)

    def theme(self, record: Record, where: Where) -> None:
        self._record(Tag, record, THEME_FIELDS, where)
        self._sources(Tag, record, where)

    def release(self, record: Record, where: Where) -> None:
        values = self._record(Release, record, RELEASE_FIELDS, where, "links", "tracks")
        self._links(record, where)
        self._sources(Release, record, where)
        positions: dict[tuple[int, int], int] = {}
        for index, track, place in self._objects(record, "tracks", where):
            self._unknown_keys(track, [*TRACK_FIELDS, "credits"], place)
            track_values = _scalars(track, TRACK_FIELDS, place, self.problems)
            self._credits(track, place)
            self._sources(Track, track, place)
            if "disc" not in track_values or "sequence" not in track_values:
                continue
            position = (track_values["disc"], track_values["sequence"])
            if position in positions:
                self.problems.append(
                    place.at("sequence").problem(
                        f"disc {position[0]}, sequence {position[1]} is also tracks"
                        f"[{positions[position]}]"
                    )
                )
            positions[position] = index
            if "slug" in values:
                self.tracks.add((values["slug"], *position))

    def video(self, record: Record, where: Where) -> None:
        others = ("release", "track", "members", "themes", "credits", "links")
        self._record(MusicVideo, record, VIDEO_FIELDS, where, *others)
        release = record.get("release")
        self._ref(Release, release, where.at("release"))
        track = self._track_ref(record.get("track"), where.at("track"))
        if track and release is None:
            self.problems.append(where.at("release").problem("required when a track is given"))
        elif track and track[0] != release:
            self.problems.append(
                where.at("track.release").problem(f"must be the video's release ({release!r})")
            )
        members = self._items(record, "members", where)
        for slug, place in members:
            self._ref(Member, slug, place, required=True)
        if members and record.get("whole_group", True) is True:
            self.problems.append(
                where.at("members").problem(
                    "a whole-group video lists no members: its lineup comes from the members' "
                    "dates (set whole_group to false for a unit or solo video)"
                )
            )
        for slug, place in self._items(record, "themes", where):
            self._ref(Tag, slug, place, required=True)
        self._credits(record, where)
        self._links(record, where)
        self._sources(MusicVideo, record, where)

    def tie_in(self, record: Record, where: Where) -> None:
        self._record(TieIn, record, TIE_IN_FIELDS, where, "videos", "tracks", "members")
        for slug, place in self._items(record, "videos", where):
            self._ref(MusicVideo, slug, place, required=True)
        for ref, place in self._items(record, "tracks", where):
            self._track_ref(ref, place, required=True)
        for slug, place in self._items(record, "members", where):
            self._ref(Member, slug, place, required=True)
        self._sources(TieIn, record, where)

    def chart_achievement(self, record: Record, where: Where) -> None:
        values = self._record(ChartAchievement, record, CHART_FIELDS, where, "release", "track")
        release = record.get("release")
        self._ref(Release, release, where.at("release"))
        track = self._track_ref(record.get("track"), where.at("track"))
        if release is None and record.get("track") is None:
            self.problems.append(where.problem("give the release or the track it is about"))
        self._sources(ChartAchievement, record, where)
        if not isinstance(release, str | None):
            return  # already reported; it cannot be part of a key
        # Chart records have no slug: (release, track, chart) is what finds them again.
        key = (release, track, values.get("chart"))
        if key in self.chart_keys:
            self.problems.append(
                where.problem(
                    f"same release, track and chart as chart_achievements[{self.chart_keys[key]}]"
                )
            )
        self.chart_keys.setdefault(key, where.index)

    def _record(
        self,
        model: type[models.Model],
        record: Record,
        fields: dict[str, Field],
        where: Where,
        *others: str,
    ) -> Record:
        """Check a top-level record's own fields and remember its slug."""
        self._unknown_keys(record, [*fields, *others], where)
        values = _scalars(record, fields, where, self.problems)
        slug = values.get("slug")
        if slug is not None:
            seen = self.seen[model]
            if slug in seen:
                self.problems.append(
                    where.at("slug").problem(
                        f"{slug!r} is also the slug of {where.section}[{seen[slug]}]"
                    )
                )
            seen.setdefault(slug, where.index)
        return values

    def _unknown_keys(self, record: Record, known: Iterable[str], where: Where) -> None:
        allowed = {*known, "sources"}
        self.problems.extend(
            where.at(key).problem("unknown field") for key in record if key not in allowed
        )

    def _items(self, record: Record, key: str, where: Where) -> list[tuple[Any, Where]]:
        items = record.get(key, [])
        if not isinstance(items, list):
            self.problems.append(where.at(key).problem("expected a list"))
            return []
        return [(item, where.at(f"{key}[{index}]")) for index, item in enumerate(items)]

    def _objects(self, record: Record, key: str, where: Where) -> list[tuple[int, Record, Where]]:
        objects = []
        for index, (item, place) in enumerate(self._items(record, key, where)):
            if isinstance(item, dict):
                objects.append((index, item, place))
            else:
                self.problems.append(place.problem("expected an object"))
        return objects

    def _credits(self, record: Record, where: Where) -> None:
        roles: set[tuple[str, Any]] = set()
        for _, credit, place in self._objects(record, "credits", where):
            self._unknown_keys(credit, [*CREDIT_FIELDS, "person"], place)
            values = _scalars(credit, CREDIT_FIELDS, place, self.problems)
            self._sources(Credit, credit, place)
            person = credit.get("person")
            self._ref(Person, person, place.at("person"))
            if person is None and not values.get("credited_as"):
                self.problems.append(place.problem("give a person or the credited_as name"))
            if isinstance(person, str):
                if (person, values.get("role")) in roles:
                    self.problems.append(
                        place.problem(f"{person!r} is credited twice in this role")
                    )
                roles.add((person, values.get("role")))

    def _sources(self, model: type[models.Model], record: Record, where: Where) -> None:
        seen: dict[tuple[str, str], int] = {}
        for index, (item, place) in enumerate(self._items(record, "sources", where)):
            if isinstance(item, str):
                item = {"url": item}
            elif not isinstance(item, dict):
                self.problems.append(place.problem('expected an address or {"url": …}'))
                continue
            self._unknown_keys(item, SOURCE_FIELDS, place)
            values = _scalars(item, SOURCE_FIELDS, place, self.problems)
            url, fact = values.get("url"), values.get("fact", "")
            if url is None:
                continue
            if problem := source_url_problem(url):
                self.problems.append(place.at("url").problem(problem))
            if fact and _field_name(model, fact) not in _fact_names(model):
                self.problems.append(place.at("fact").problem(f"{fact!r} is not a field here"))
            if (fact, url) in seen:
                self.problems.append(place.problem(f"same source as sources[{seen[fact, url]}]"))
            seen.setdefault((fact, url), index)

    def _links(self, record: Record, where: Where) -> None:
        for _, link, place in self._objects(record, "links", where):
            self._unknown_keys(link, LINK_FIELDS, place)
            _scalars(link, LINK_FIELDS, place, self.problems)

    def _ref(
        self, model: type[models.Model], slug: Any, where: Where, *, required: bool = False
    ) -> None:
        if slug is None:
            if required:
                self.problems.append(where.problem("this field is required"))
        elif not isinstance(slug, str):
            self.problems.append(where.problem(f"expected a slug, got {slug!r}"))
        elif not self._exists(model, slug):
            noun = model._meta.verbose_name
            self.problems.append(
                where.problem(f"unknown {noun} {slug!r} (not in the file or the database)")
            )

    def _track_ref(self, ref: Any, where: Where, *, required: bool = False) -> TrackKey | None:
        if ref is None:
            if required:
                self.problems.append(where.problem("this field is required"))
            return None
        if not isinstance(ref, dict):
            self.problems.append(where.problem(TRACK_REF_HINT))
            return None
        problems = len(self.problems)
        self._unknown_keys(ref, TRACK_REF_FIELDS, where)
        _scalars(ref, TRACK_REF_FIELDS, where, self.problems)
        if len(self.problems) > problems:
            return None
        key = _track_key(ref)
        release, disc, sequence = key
        if release in self.seen[Release]:
            found = key in self.tracks  # the file's tracklist replaces the stored one
        elif self._exists(Release, release):
            found = self._exists(Track, key)
        else:
            self.problems.append(
                where.at("release").problem(
                    f"unknown release {release!r} (not in the file or the database)"
                )
            )
            return None
        if not found:
            self.problems.append(
                where.problem(
                    f"release {release!r} has no track at disc {disc}, sequence {sequence}"
                )
            )
        return key

    def _exists(self, model: type[models.Model], key: Hashable) -> bool:
        if model is not Track and key in self.seen[model]:
            return True
        if (model, key) not in self._in_database:
            self._in_database[model, key] = _rows(model, key).exists()
        return self._in_database[model, key]


def _rows(model: type[models.Model], key: Hashable) -> models.QuerySet[Any]:
    """The stored row a slug, or for tracks a (release slug, disc, sequence), names."""
    if model is Track:
        release, disc, sequence = cast(tuple[str, int, int], key)
        return Track.objects.filter(release__slug=release, disc=disc, sequence=sequence)
    return model._default_manager.filter(slug=key)


# Loading.


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"

    def touched(self, changed: bool) -> Outcome:
        """This outcome once the record's credits, links or sets have (maybe) changed too."""
        return Outcome.UPDATED if changed and self is Outcome.UNCHANGED else self


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


Progress = Callable[[str, Tally], None]


def load_catalog(document: Any, *, progress: Progress | None = None) -> dict[str, Tally]:
    """Create or update the catalog from a parsed file; return counts per kind of record.

    Raises CatalogError, having written nothing, if the document or any record is invalid.
    `progress` hears each kind's counts as its section is done.
    """
    problems = validate_catalog(document)
    if problems:
        raise CatalogError(problems)
    loader = _Loader()
    with transaction.atomic():
        loader.load(document, progress)
        if loader.problems:
            raise CatalogError(loader.problems)  # leaving the block rolls everything back
    return loader.tallies


class _Unresolved(Exception):
    """A reference to a record of the file that failed to save (its problem is reported)."""


class _Loader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.tallies = {kind: Tally() for kind in COUNTED}
        # Primary keys by slug (or TrackKey): records loaded so far, then stored rows on demand.
        self._pks: dict[tuple[type[models.Model], Hashable], int | None] = {}

    def load(self, document: Record, progress: Progress | None) -> None:
        loaders: dict[str, Callable[[Record, Where], None]] = {
            "members": self.member,
            "people": self.person,
            "themes": self.theme,
            "releases": self.release,
            "videos": self.video,
            "tie_ins": self.tie_in,
            "chart_achievements": self.chart_achievement,
        }
        for section in SECTIONS:
            for index, record in enumerate(document.get(section, [])):
                with contextlib.suppress(_Unresolved):  # one message per cause is enough
                    loaders[section](record, Where.of(section, index, record))
            for kind in (section, "tracks") if section == "releases" else (section,):
                if progress:
                    progress(kind, self.tallies[kind])

    def member(self, record: Record, where: Where) -> None:
        values = _scalars(record, MEMBER_FIELDS, where, self.problems)
        member = Member.objects.filter(slug=values["slug"]).first() or Member()
        outcome = self._save(member, values, where)
        if outcome is not None:
            changed = [
                self._sync_links(member, record.get("links", []), where),
                self._sync_sources(member, record.get("sources", []), where),
            ]
            self._done("members", member, outcome.touched(any(changed)))

    def person(self, record: Record, where: Where) -> None:
        values = _scalars(record, PERSON_FIELDS, where, self.problems)
        values["member_id"] = self._pk(Member, record.get("member"))
        person = Person.objects.filter(slug=values["slug"]).first() or Person()
        outcome = self._save(person, values, where)
        if outcome is not None:
            changed = self._sync_sources(person, record.get("sources", []), where)
            self._done("people", person, outcome.touched(changed))

    def theme(self, record: Record, where: Where) -> None:
        values = _scalars(record, THEME_FIELDS, where, self.problems)
        theme = Tag.objects.filter(slug=values["slug"]).first() or Tag()
        outcome = self._save(theme, values, where)
        if outcome is not None:
            changed = self._sync_sources(theme, record.get("sources", []), where)
            self._done("themes", theme, outcome.touched(changed))

    def release(self, record: Record, where: Where) -> None:
        values = _scalars(record, RELEASE_FIELDS, where, self.problems)
        release = Release.objects.filter(slug=values["slug"]).first() or Release()
        outcome = self._save(release, values, where)
        if outcome is not None:
            changed = [
                self._sync_links(release, record.get("links", []), where),
                self._sync_sources(release, record.get("sources", []), where),
                self._sync_tracks(release, record.get("tracks", []), where),
            ]
            self._done("releases", release, outcome.touched(any(changed)))

    def video(self, record: Record, where: Where) -> None:
        values = _scalars(record, VIDEO_FIELDS, where, self.problems)
        values["release_id"] = self._pk(Release, record.get("release"))
        values["track_id"] = self._track_pk(record.get("track"))
        video = MusicVideo.objects.filter(slug=values["slug"]).first() or MusicVideo()
        outcome = self._save(video, values, where)
        if outcome is not None:
            changed = [
                _sync_set(video.members, [self._pk(Member, s) for s in record.get("members", [])]),
                _sync_set(video.themes, [self._pk(Tag, s) for s in record.get("themes", [])]),
                self._sync_credits(video, record.get("credits", []), where),
                self._sync_links(video, record.get("links", []), where),
                self._sync_sources(video, record.get("sources", []), where),
            ]
            self._done("videos", video, outcome.touched(any(changed)))

    def tie_in(self, record: Record, where: Where) -> None:
        values = _scalars(record, TIE_IN_FIELDS, where, self.problems)
        tie_in = TieIn.objects.filter(slug=values["slug"]).first() or TieIn()
        outcome = self._save(tie_in, values, where)
        if outcome is not None:
            videos = [self._pk(MusicVideo, slug) for slug in record.get("videos", [])]
            tracks = [self._track_pk(ref) for ref in record.get("tracks", [])]
            members = [self._pk(Member, slug) for slug in record.get("members", [])]
            changed = [
                _sync_set(tie_in.videos, videos),
                _sync_set(tie_in.tracks, tracks),
                _sync_set(tie_in.members, members),
                self._sync_sources(tie_in, record.get("sources", []), where),
            ]
            self._done("tie_ins", tie_in, outcome.touched(any(changed)))

    def chart_achievement(self, record: Record, where: Where) -> None:
        values = _scalars(record, CHART_FIELDS, where, self.problems)
        values["release_id"] = self._pk(Release, record.get("release"))
        values["track_id"] = self._track_pk(record.get("track"))
        key = {name: values[name] for name in ("release_id", "track_id", "chart")}
        achievement = ChartAchievement.objects.filter(**key).first() or ChartAchievement()
        outcome = self._save(achievement, values, where)
        if outcome is not None:
            changed = self._sync_sources(achievement, record.get("sources", []), where)
            self.tallies["chart_achievements"].add(outcome.touched(changed))

    def _sync_tracks(self, release: Release, records: list[Record], where: Where) -> bool:
        """Make the release's tracklist the file's; True if anything changed."""
        wanted = {}
        for index, record in enumerate(records):
            place = where.at(f"tracks[{index}]")
            values = _scalars(record, TRACK_FIELDS, place, self.problems)
            wanted[values["disc"], values["sequence"]] = (record, values, place)
        stored = {(track.disc, track.sequence): track for track in release.tracks.all()}
        # Drop tracks the file no longer lists first, so their numbers are free for the others.
        gone = [track.pk for position, track in stored.items() if position not in wanted]
        Track.objects.filter(pk__in=gone).delete()
        changed = bool(gone)
        for position, (record, values, place) in wanted.items():
            track = stored.get(position) or Track(release=release)
            outcome = self._save(track, values, place)
            if outcome is None:
                continue
            changed_parts = [
                self._sync_credits(track, record.get("credits", []), place),
                self._sync_sources(track, record.get("sources", []), place),
            ]
            outcome = outcome.touched(any(changed_parts))
            self._pks[Track, (release.slug, *position)] = track.pk
            self.tallies["tracks"].add(outcome)
            changed = changed or outcome is not Outcome.UNCHANGED
        return changed

    def _sync_credits(self, owner: Track | MusicVideo, records: list[Record], where: Where) -> bool:
        """Replace the owner's credits when they differ from the file; True if they did."""
        wanted = []
        for index, record in enumerate(records):
            values = _scalars(record, CREDIT_FIELDS, where.at(f"credits[{index}]"), self.problems)
            values["person_id"] = self._pk(Person, record.get("person"))
            values["position"] = index + 1
            wanted.append(values)
        columns = ["pk", *CREDIT_FIELDS, "person_id", "position"]
        rows = [dict(zip(columns, row, strict=True)) for row in owner.credits.values_list(*columns)]
        stored = [{key: value for key, value in row.items() if key != "pk"} for row in rows]
        changed = stored != wanted
        if changed:
            owner.credits.all().delete()  # and their sources
            target = {"track": owner} if isinstance(owner, Track) else {"video": owner}
            credits: list[Credit | None] = []
            for index, values in enumerate(wanted):
                new = Credit(**target)
                saved = self._save(new, values, where.at(f"credits[{index}]"))
                credits.append(new if saved is not None else None)
        else:
            stored_credits = list(Credit.objects.filter(pk__in=[row["pk"] for row in rows]))
            stored_credits.sort(key=lambda credit: credit.position)
            credits = [*stored_credits]
        for index, (credit, record) in enumerate(zip(credits, records, strict=True)):
            if credit is not None:
                place = where.at(f"credits[{index}]")
                changed |= self._sync_sources(credit, record.get("sources", []), place)
        return changed

    def _sync_links(self, owner: models.Model, records: list[Record], where: Where) -> bool:
        """Replace the owner's links when they differ from the file; True if they did."""
        places = [where.at(f"links[{index}]") for index in range(len(records))]
        wanted = [
            _scalars(r, LINK_FIELDS, p, self.problems) for r, p in zip(records, places, strict=True)
        ]
        stored = owner.links.values("site", "url", "label")  # type: ignore[attr-defined]  # owner: a model with links
        if sorted(map(_link_key, stored)) == sorted(map(_link_key, wanted)):
            return False
        owner.links.all().delete()  # type: ignore[attr-defined]  # owner: a model with links
        for values, place in zip(wanted, places, strict=True):
            self._save(ExternalLink(target=owner), values, place)
        return True

    def _sync_sources(self, owner: models.Model, records: list[Any], where: Where) -> bool:
        """Make the owner's sources the file's, in order; True if they changed."""
        wanted = []
        for index, item in enumerate(records):
            place = where.at(f"sources[{index}]")
            values = _scalars(
                item if isinstance(item, dict) else {"url": item},
                SOURCE_FIELDS,
                place,
                self.problems,
            )
            wanted.append(
                {
                    "field": _field_name(type(owner), values["fact"]),
                    "url": values["url"],
                    "title": values["title"],
                    "publisher": values["publisher"],
                    "read_on": values["read"],
                    "position": index + 1,
                }
            )
        stored = list(owner.sources.values(*SOURCE_COLUMNS))  # type: ignore[attr-defined]  # owner: a model with sources
        if stored == wanted:
            return False
        owner.sources.all().delete()  # type: ignore[attr-defined]  # owner: a model with sources
        for index, values in enumerate(wanted):
            self._save(Source(target=owner), values, where.at(f"sources[{index}]"))
        return True

    def _save(self, instance: models.Model, values: Record, where: Where) -> Outcome | None:
        """Apply values; validate and save only if something changed. None if invalid."""
        adding = instance._state.adding
        if not adding and all(getattr(instance, key) == value for key, value in values.items()):
            return Outcome.UNCHANGED
        for key, value in values.items():
            setattr(instance, key, value)
        try:
            instance.full_clean()
        except ValidationError as error:
            self.problems.extend(_model_problems(error, type(instance), where))
            return None
        instance.save()
        return Outcome.CREATED if adding else Outcome.UPDATED

    def _done(self, section: str, instance: models.Model, outcome: Outcome) -> None:
        self._pks[type(instance), instance.slug] = instance.pk  # type: ignore[attr-defined]  # sluggable models only
        self.tallies[section].add(outcome)

    def _pk(self, model: type[models.Model], key: Hashable | None) -> int | None:
        if key is None:
            return None
        if (model, key) not in self._pks:
            self._pks[model, key] = _rows(model, key).values_list("pk", flat=True).first()
        pk = self._pks[model, key]
        if pk is None:  # the checks found it in the file, so it is a record that failed
            raise _Unresolved
        return pk

    def _track_pk(self, ref: Record | None) -> int | None:
        return self._pk(Track, _track_key(ref)) if ref is not None else None


def _sync_set(manager: Any, pks: list[int | None]) -> bool:
    """Make a many-to-many set hold exactly these rows; True if it changed."""
    wanted = set(pks)
    if set(manager.values_list("pk", flat=True)) == wanted:
        return False
    manager.set(wanted)
    return True


def _link_key(link: Record) -> tuple[str, str, str]:
    return (link["site"], link["url"], link["label"])


def _model_problems(error: ValidationError, model: type[models.Model], where: Where) -> list[str]:
    """A model's validation errors, each placed at the file key of the field it is about."""
    problems: list[str] = []
    for name, messages in error.message_dict.items():
        place = where if name == NON_FIELD_ERRORS else where.at(_file_key(model, name))
        problems.extend(place.problem(message) for message in messages)
    return problems


def _file_key(model: type[models.Model], field_name: str) -> str:
    """The file key for a model field: "released" for released_on and its precision."""
    for key, attribute in vars(model).items():
        if isinstance(attribute, PartialDateAccessor) and field_name in (
            attribute.date_field,
            attribute.precision_field,
        ):
            return key
    return field_name


def _field_name(model: type[models.Model], key: str) -> str:
    """The model field a file key stands for: "released_on" for "released"."""
    attribute = vars(model).get(key)
    return attribute.date_field if isinstance(attribute, PartialDateAccessor) else key


def _fact_names(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.get_fields() if f.concrete or f.many_to_many}


def source_url_problem(url: str) -> str | None:
    """Why an address can't be a source, or None."""
    source = Source(url=url)
    try:
        source.clean_fields(exclude=["content_type", "object_id"])
        source.clean()
    except ValidationError as error:
        return " ".join(error.message_dict.get("url", [])) or None
    return None


# Exporting.


def export_catalog() -> Record:
    """The whole catalog in the file format, ordered so that equal catalogs give equal files."""
    credits = Prefetch(
        "credits", queryset=Credit.objects.select_related("person").prefetch_related("sources")
    )
    tracks = Prefetch("tracks", queryset=Track.objects.prefetch_related(credits, "sources"))
    releases = Release.objects.prefetch_related("links", "sources", tracks).order_by(
        F("released_on").asc(nulls_last=True), "slug"
    )
    videos = (
        MusicVideo.objects.select_related("release", "track__release")
        .prefetch_related("members", "themes", "links", "sources", credits)
        .order_by(F("published_on").asc(nulls_last=True), "slug")
    )
    tie_ins = TieIn.objects.prefetch_related(
        "videos", "tracks__release", "members", "sources"
    ).order_by("slug")
    achievements = ChartAchievement.objects.select_related(
        "release", "track__release"
    ).prefetch_related("sources")
    members = Member.objects.prefetch_related("links", "sources").order_by("order", "slug")
    people = Person.objects.select_related("member").prefetch_related("sources").order_by("slug")
    return {
        "format": FORMAT,
        "members": [
            {**_dump(member, MEMBER_FIELDS), "links": _export_links(member), **_sources(member)}
            for member in members
        ],
        "people": [
            {**_dump(person, PERSON_FIELDS), "member": _slug_of(person.member), **_sources(person)}
            for person in people
        ],
        "themes": [
            {**_dump(theme, THEME_FIELDS), **_sources(theme)}
            for theme in Tag.objects.prefetch_related("sources").order_by("slug")
        ],
        "releases": [_export_release(release) for release in releases],
        "videos": [_export_video(video) for video in videos],
        "tie_ins": [
            {
                **_dump(tie_in, TIE_IN_FIELDS),
                "videos": sorted(video.slug for video in tie_in.videos.all()),
                "tracks": sorted((_track_ref(t) for t in tie_in.tracks.all()), key=_track_key),
                "members": sorted(member.slug for member in tie_in.members.all()),
                **_sources(tie_in),
            }
            for tie_in in tie_ins
        ],
        "chart_achievements": [
            {
                **_dump(achievement, CHART_FIELDS),
                "release": _slug_of(achievement.release),
                "track": _track_ref(achievement.track),
                **_sources(achievement),
            }
            for achievement in achievements.order_by("order", "charted_on", "id")
        ],
    }


def _export_release(release: Release) -> Record:
    tracks = [
        {**_dump(track, TRACK_FIELDS), "credits": _export_credits(track), **_sources(track)}
        for track in release.tracks.all()
    ]
    return {
        **_dump(release, RELEASE_FIELDS),
        "tracks": tracks,
        "links": _export_links(release),
        **_sources(release),
    }


def _export_video(video: MusicVideo) -> Record:
    return {
        **_dump(video, VIDEO_FIELDS),
        "release": _slug_of(video.release),
        "track": _track_ref(video.track),
        "members": sorted(member.slug for member in video.members.all()),
        "themes": sorted(theme.slug for theme in video.themes.all()),
        "credits": _export_credits(video),
        "links": _export_links(video),
        **_sources(video),
    }


def _export_credits(owner: Track | MusicVideo) -> list[Record]:
    return [
        {"person": _slug_of(credit.person), **_dump(credit, CREDIT_FIELDS), **_sources(credit)}
        for credit in owner.credits.all()
    ]


def _sources(owner: models.Model) -> Record:
    """{"sources": [...]} when the record has any: an address alone, or an object when there is
    more to say about it. Nothing otherwise, which loads as none."""
    exported: list[Any] = []
    for source in owner.sources.all():  # type: ignore[attr-defined]  # owner: a model with sources
        details = {
            "title": source.title,
            "publisher": source.publisher,
            "read": _dump_date(source.read_on),
            "fact": _file_key(type(owner), source.field) if source.field else "",
        }
        details = {key: value for key, value in details.items() if value}
        exported.append({"url": source.url, **details} if details else source.url)
    return {"sources": exported} if exported else {}


def _export_links(owner: Member | Release | MusicVideo) -> list[Record]:
    return [_dump(link, LINK_FIELDS) for link in owner.links.all()]


def _track_ref(track: Track | None) -> Record | None:
    if track is None:
        return None
    return {"release": track.release.slug, "disc": track.disc, "sequence": track.sequence}


def _slug_of(instance: Member | Release | Person | None) -> str | None:
    return instance.slug if instance is not None else None
