"""Fandom-scale data for the benchmark: videos, fans, ratings, talk and watchlists.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fansite_bench \\
        .venv/bin/python bench/generate.py [--scale small] [--videos 1000 --fans 100000 …]

PostgreSQL only: rows go in with COPY, so a million of them take seconds. Everything random comes
from one seeded generator, so the same arguments give the same rows (timestamps are relative to
the day it runs, so "this month" charts always have something to show). Every figure the pages
show (rating_count/sum/histogram, comment_count, reply_count, like_count, item_count) is set from
what was inserted, never estimated.

Bench rows are recognisable: catalog rows have slugs starting "bench-", fans are "fan000001"…,
and the signed-in load uses "benchfan000"… with BENCH_PASSWORD. It refuses to run on a database
that already has fans unless --reset, which empties the community tables (and the sessions) and
deletes the bench catalog rows; staff accounts and the real catalog stay.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fansite.settings")

import django  # noqa: E402  (the path and settings above come first)

# Not a secret: these accounts exist only in benchmark databases.
BENCH_PASSWORD = "fansite-bench-password"
BENCH_USERNAME = "benchfan{:03d}"
FAN_USERNAME = "fan{:06d}"
SLUG_PREFIX = "bench-"

FULL = {
    "videos": 1000,
    "fans": 100_000,
    "ratings": 1_000_000,
    "comments": 1_000_000,
    "hot_comments": 200_000,
    "growth_comments": "10,10000",
    "watchlists": 50_000,
    "items_per_list": 8,
    "likes": 300_000,
    # Not data: signed-in writers. A fan may post 10 comments a minute (community/ratelimit.py);
    # at some 300 writes/s for 12 s, 1,000 fans post fewer than 4 each, so no write is refused.
    "bench_accounts": 1000,
}
# 1/100 of the rows; 100 videos rather than 10, so ratings can stay one per fan per video.
SMALL = {
    **FULL,
    "videos": 100,
    "fans": 1000,
    "ratings": 10_000,
    "comments": 10_000,
    "hot_comments": 2000,
    "growth_comments": "10,100",
    "watchlists": 500,
    "likes": 3000,
}

REPLY_SHARE = 0.2  # of a video's comments, replies
MOMENT_SHARE = 0.1  # of comments, citing a moment ("1:23")
HIDDEN_SHARE = 0.01  # removed by a moderator
DELETED_SHARE = 0.02  # of threads with replies, deleted by their author (placeholder kept)

WORDS = (  # noqa: SIM905  (one string reads better than 80 quoted words)
    "love this part the choreo is unreal chaewon sakura yunjin kazuha eunchae vocals "
    "fearless antifragile unforgiven easy perfect night crazy smart hot eve psyche "
    "comeback stage visuals camera work outfit set design bridge chorus rap line high note "
    "fimnol forever proud of them again and again cannot stop watching best era so good "
    "styling concept lyrics meaning details colour grading story tribute dance break"
).split()
TITLE_WORDS = (  # noqa: SIM905
    "fearless antifragile unforgiven easy perfect night crazy smart hot eve psyche "
    "impurities burn the bridge blue flame sour grapes no celestial ash good parts swan song "
    "flash forward come over one two three pierrot chasing lightning fire in the belly"
).split()
LIST_NAMES = [
    "Favourites",
    "Comeback stages",
    "Choreography",
    "For new fans",
    "Rewatch weekly",
    "Best visuals",
    "Era by era",
    "Live vocals",
]
KINDS = ["official", "official", "performance", "visualizer", "teaser", "special"]
RELEASE_KINDS = ["ep", "album", "single_album", "digital_single", "japanese_single"]


def say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


class Stage:
    """Times one step and reports rows per second."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows = 0

    def __enter__(self) -> Stage:
        self.started = time.perf_counter()
        say(f"==> {self.name}")
        return self

    def __exit__(self, *exc: object) -> None:
        seconds = time.perf_counter() - self.started
        rate = f", {self.rows / seconds:,.0f} rows/s" if self.rows and seconds > 0 else ""
        say(f"    {self.name}: {self.rows:,} rows in {seconds:.1f} s{rate}")
        TIMINGS.append((self.name, self.rows, seconds))


TIMINGS: list[tuple[str, int, float]] = []


# ---- COPY ---------------------------------------------------------------------------------------


def _copy_text(value: Any) -> str:
    """One value in COPY's text format (defaults only: generated values are built inline)."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (list, dict)):
        value = json.dumps(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _default(field: Any) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return dt.datetime.now(dt.UTC)
    return field.get_default()


class CopyInto:
    """COPY rows into a model's table. The generator gives `fields` in order; every other column
    gets the field's default, so a column added later needs no change here unless it has none."""

    CHUNK = 1 << 20

    def __init__(self, model: Any, fields: Sequence[str]) -> None:
        meta = model._meta
        self.table = meta.db_table
        given = [meta.get_field(name) for name in fields]
        # An id left out comes from its identity sequence.
        others = [f for f in meta.concrete_fields if f not in given and not f.primary_key]
        missing = [
            f.name
            for f in others
            if not (f.has_default() or f.null or f.blank or getattr(f, "auto_now_add", False))
        ]
        if missing:
            raise SystemExit(
                f"bench/generate.py doesn't fill {self.table}.{', '.join(missing)}: "
                "give it a value there."
            )
        self.columns = ", ".join(f'"{f.column}"' for f in [*given, *others])
        self.suffix = "".join("\t" + _copy_text(_default(f)) for f in others) + "\n"

    def write(self, cursor: Any, lines: Iterable[str]) -> int:
        """Lines are tab-separated values without the newline; returns how many went in."""
        count = 0
        buffer: list[str] = []
        size = 0
        suffix = self.suffix
        with cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
            for line in lines:
                buffer.append(line + suffix)
                size += len(line)
                count += 1
                if size >= self.CHUNK:
                    copy.write("".join(buffer))
                    buffer.clear()
                    size = 0
            if buffer:
                copy.write("".join(buffer))
        return count


def ts(moment: dt.datetime) -> str:
    return moment.isoformat()


# ---- Setup and reset ----------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    """Drop and create the database DATABASE_URL names (only ones whose name says bench)."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    if "bench" not in name:
        raise SystemExit(f"--create-database only recreates a database named *bench*; not {name}.")
    conninfo = psycopg.conninfo.make_conninfo(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    say(f"==> Recreated the database {name}")


def existing_bench_data() -> tuple[int, int]:
    from catalog.models import MusicVideo
    from community.models import User

    fans = User.objects.filter(is_staff=False, is_superuser=False).count()
    videos = MusicVideo.objects.filter(slug__startswith=SLUG_PREFIX).count()
    return fans, videos


def reset(cursor: Any) -> None:
    """Empty the community tables and sessions, delete non-staff accounts and bench catalog rows."""
    from django.apps import apps

    from catalog.models import (
        ChartAchievement,
        Credit,
        MusicVideo,
        Person,
        Release,
        Tag,
        TieIn,
        Track,
    )
    from community.models import User

    community = [
        m._meta.db_table
        for m in apps.get_app_config("community").get_models(include_auto_created=True)
        if m is not User
    ]
    cursor.execute(f"TRUNCATE {', '.join(community)}, django_session")
    # Every table that refers to accounts was just emptied, bar the admin's log and the catalog's
    # history, which bench fans never write: skip 100,000 rows' worth of deferred FK checks.
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute(f"DELETE FROM {User._meta.db_table} WHERE NOT is_staff AND NOT is_superuser")
    cursor.execute("SET LOCAL session_replication_role = origin")

    def table(model: Any) -> str:
        return str(model._meta.db_table)

    videos = f"SELECT id FROM {table(MusicVideo)} WHERE slug LIKE 'bench-%'"
    releases = f"SELECT id FROM {table(Release)} WHERE slug LIKE 'bench-%'"
    tracks = f"SELECT id FROM {table(Track)} WHERE release_id IN ({releases})"
    tags = f"SELECT id FROM {table(Tag)} WHERE slug LIKE 'bench-%'"
    people = f"SELECT id FROM {table(Person)} WHERE slug LIKE 'bench-%'"
    statements = [
        f"DELETE FROM {table(Credit)} WHERE video_id IN ({videos}) OR track_id IN ({tracks}) "
        f"OR person_id IN ({people})",
        f"DELETE FROM {table(MusicVideo.members.through)} WHERE musicvideo_id IN ({videos})",
        f"DELETE FROM {table(MusicVideo.themes.through)} "
        f"WHERE musicvideo_id IN ({videos}) OR tag_id IN ({tags})",
        f"DELETE FROM {table(TieIn.videos.through)} WHERE musicvideo_id IN ({videos})",
        f"DELETE FROM {table(TieIn.tracks.through)} WHERE track_id IN ({tracks})",
        f"DELETE FROM {table(ChartAchievement)} "
        f"WHERE track_id IN ({tracks}) OR release_id IN ({releases})",
        f"DELETE FROM {table(MusicVideo)} WHERE id IN ({videos})",
        f"DELETE FROM {table(Track)} WHERE id IN ({tracks})",
        f"DELETE FROM {table(Release)} WHERE id IN ({releases})",
        f"DELETE FROM {table(Tag)} WHERE id IN ({tags})",
        f"DELETE FROM {table(Person)} WHERE id IN ({people})",
    ]
    for statement in statements:
        cursor.execute(statement)


def next_id(cursor: Any, model: Any) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
    return int(cursor.fetchone()[0])


def sync_sequence(cursor: Any, model: Any) -> None:
    table = model._meta.db_table
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"GREATEST((SELECT MAX(id) FROM {table}), 1))"
    )


# ---- Distributions ------------------------------------------------------------------------------


def zipf_split(total: int, buckets: int, exponent: float, cap: int | None = None) -> list[int]:
    """`total` split over `buckets`, the first largest (weights 1/rank^exponent), summing exactly;
    no bucket above `cap`."""
    if buckets <= 0:
        return []
    if cap is not None and cap * buckets < total:
        raise SystemExit(f"Can't fit {total:,} into {buckets} buckets of at most {cap:,}.")
    weights = [1 / (rank**exponent) for rank in range(1, buckets + 1)]
    scale = total / sum(weights)
    counts = [int(w * scale) if cap is None else min(cap, int(w * scale)) for w in weights]
    short = total - sum(counts)
    i = 0
    while short > 0:
        j = i % buckets
        if cap is None or counts[j] < cap:
            counts[j] += 1
            short -= 1
        i += 1
    return counts


def spread_times(
    rng: random.Random, count: int, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    """`count` sorted moments between start and end, microseconds apart at least."""
    span = max((end - start).total_seconds(), 1.0)
    offsets = sorted(rng.random() * span for _ in range(count))
    return [start + dt.timedelta(seconds=o, microseconds=i % 1000) for i, o in enumerate(offsets)]


def sentence(rng: random.Random, low: int = 6, high: int = 28) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high))).capitalize()


# ---- Stages -------------------------------------------------------------------------------------


class Generator:
    def __init__(self, args: argparse.Namespace, cursor: Any) -> None:
        self.args = args
        self.cursor = cursor
        self.rng = random.Random(args.seed)
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.growth = [int(n) for n in str(args.growth_comments).split(",") if n.strip()]

    # -- catalog --

    def catalog(self) -> None:
        from catalog.dates import Precision
        from catalog.models import Credit, Member, MusicVideo, Person, Release, Status, Tag, Track
        from catalog.text import fold

        rng, args = self.rng, self.args
        with Stage("catalog: releases, tracks, videos, members, themes, credits") as stage:
            members = list(Member.objects.all())
            if not members:
                members = Member.objects.bulk_create(
                    Member(
                        stage_name=f"Bench member {i}",
                        slug=f"{SLUG_PREFIX}member-{i}",
                        search_text=f"bench member {i}",
                        order=i,
                    )
                    for i in range(1, 6)
                )
            themes = list(Tag.objects.all())
            themes += Tag.objects.bulk_create(
                Tag(
                    name=f"{word.capitalize()} (bench {i})",
                    slug=f"{SLUG_PREFIX}theme-{i:02d}",
                    description=sentence(rng),
                    search_text=fold(f"{word} bench {i}"),
                )
                for i, word in enumerate(rng.sample(TITLE_WORDS, 20), start=1)
            )
            directors = Person.objects.bulk_create(
                Person(
                    name=f"Director {i}",
                    slug=f"{SLUG_PREFIX}person-{i:03d}",
                    search_text=f"director {i}",
                )
                for i in range(1, 41)
            )
            release_count = max(1, args.videos // 5)
            releases = []
            for i in range(release_count):
                title = " ".join(rng.sample(TITLE_WORDS, 2)).title() + f" {i + 1}"
                day = self.now.date() - dt.timedelta(days=rng.randint(30, 1500))
                releases.append(
                    Release(
                        title=title,
                        slug=f"{SLUG_PREFIX}release-{i + 1:04d}",
                        kind=rng.choice(RELEASE_KINDS),
                        released_on=day,
                        released_on_precision=Precision.DAY,
                        label="Source Music",
                        description=sentence(rng, 20, 60),
                        status=Status.PUBLISHED,
                        verified=True,
                        search_text=fold(f"{title} Source Music"),
                    )
                )
            releases = Release.objects.bulk_create(releases, batch_size=1000)
            tracks = []
            for release in releases:
                for n in range(1, 6):
                    title = " ".join(rng.sample(TITLE_WORDS, rng.randint(1, 3))).title()
                    tracks.append(
                        Track(
                            release=release,
                            number=n,
                            sequence=n,
                            title=title,
                            is_title_track=n == 1,
                            duration=dt.timedelta(seconds=rng.randint(140, 230)),
                            search_text=fold(title),
                        )
                    )
            tracks = Track.objects.bulk_create(tracks, batch_size=2000)
            videos = []
            for i in range(args.videos):
                release = releases[i // 5 % len(releases)]
                track = tracks[
                    (i // 5 % len(releases)) * 5 + (0 if i % 5 == 0 else rng.randint(1, 4))
                ]
                # Video 0 is the newest: the comeback everyone is talking about.
                age = 3 if i == 0 else rng.randint(10, 1500)
                day = self.now.date() - dt.timedelta(days=age)
                title = f"{track.title} {i + 1}"
                description = sentence(rng, 15, 50)
                videos.append(
                    MusicVideo(
                        title=title,
                        slug=f"{SLUG_PREFIX}mv-{i + 1:04d}",
                        kind=rng.choice(KINDS),
                        release=release,
                        track=track,
                        published_on=day,
                        published_on_precision=Precision.DAY,
                        youtube_id=f"bnch{i + 1:07d}",
                        description=description,
                        whole_group=False,  # each lists a random lineup, below
                        status=Status.PUBLISHED,
                        verified=rng.random() < 0.9,
                        first_published_at=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
                        search_text=fold(f"{title} {description}"),
                    )
                )
            videos = MusicVideo.objects.bulk_create(videos, batch_size=1000)
            member_rows = [
                MusicVideo.members.through(musicvideo_id=v.pk, member_id=m.pk)
                for v in videos
                for m in rng.sample(members, rng.randint(min(3, len(members)), len(members)))
            ]
            MusicVideo.members.through.objects.bulk_create(member_rows, batch_size=5000)
            theme_rows = [
                MusicVideo.themes.through(musicvideo_id=v.pk, tag_id=t.pk)
                for v in videos
                for t in rng.sample(themes, rng.randint(1, 3))
            ]
            MusicVideo.themes.through.objects.bulk_create(theme_rows, batch_size=5000)
            credits = [
                Credit(video=v, person=rng.choice(directors), role=Credit.Role.DIRECTOR)
                for v in videos
            ]
            credits += [
                Credit(video=v, credited_as=f"Guest {i}", role=Credit.Role.FEATURED, position=1)
                for i, v in enumerate(videos)
                if rng.random() < 0.05
            ]
            credits += [
                Credit(track=t, credited_as="Bang Si-hyuk", role=Credit.Role.LYRICIST)
                for t in tracks
            ]
            Credit.objects.bulk_create(credits, batch_size=5000)
            stage.rows = (
                len(releases)
                + len(tracks)
                + len(videos)
                + len(member_rows)
                + len(theme_rows)
                + len(credits)
            )
        self.video_ids = [v.pk for v in videos]
        # Every bench video has its first publication (set above).
        self.published = {
            v.pk: v.first_published_at for v in videos if v.first_published_at is not None
        }

    # -- fans --

    def fans(self) -> None:
        from allauth.account.models import EmailAddress
        from django.contrib.auth.hashers import make_password

        from community.models import Profile, User

        rng, args, cursor = self.rng, self.args, self.cursor
        with Stage(f"fans: {args.fans:,} fans + {args.bench_accounts} bench accounts") as stage:
            first = next_id(cursor, User)
            self.fan_ids = range(first, first + args.fans)
            self.bench_ids = range(first + args.fans, first + args.fans + args.bench_accounts)
            bench_hash = make_password(BENCH_PASSWORD)  # one hash for all: they share a password
            copy = CopyInto(
                User,
                [
                    "id",
                    "password",
                    "username",
                    "email",
                    "is_superuser",
                    "is_staff",
                    "is_active",
                    "date_joined",
                ],
            )
            span = 3 * 365 * 86400

            def user(pk: int, password: str, name: str, domain: str, joined: dt.datetime) -> str:
                addresses.append(f"{pk}\t{name}@{domain}\tt\tt")
                return f"{pk}\t{password}\t{name}\t{name}@{domain}\tf\tf\tt\t{ts(joined)}"

            def users() -> Iterator[str]:
                for n, pk in enumerate(self.fan_ids, start=1):
                    joined = self.now - dt.timedelta(seconds=rng.randrange(span))
                    unusable = f"!{rng.getrandbits(160):040x}"  # as set_unusable_password() does
                    yield user(pk, unusable, FAN_USERNAME.format(n), "fans.invalid", joined)
                joined = self.now - dt.timedelta(days=365)  # not new: no link-review holds
                for n, pk in enumerate(self.bench_ids):
                    yield user(pk, bench_hash, BENCH_USERNAME.format(n), "bench.invalid", joined)

            addresses: list[str] = []
            stage.rows += copy.write(cursor, users())
            # Fans who write have confirmed their address: allauth's primary, verified one.
            emails = CopyInto(EmailAddress, ["user_id", "email", "verified", "primary"])
            stage.rows += emails.write(cursor, addresses)
            profiles = CopyInto(Profile, ["user_id"])
            stage.rows += profiles.write(
                cursor, (str(pk) for pk in [*self.fan_ids, *self.bench_ids])
            )

    # -- ratings --

    def ratings(self) -> None:
        from catalog.models import MusicVideo
        from community.models import Rating

        rng, args, cursor = self.rng, self.args, self.cursor
        with Stage(f"ratings: {args.ratings:,}") as stage:
            # Popularity: the comeback (video 0) first, then the rest in a shuffled order.
            order = [self.video_ids[0], *rng.sample(self.video_ids[1:], len(self.video_ids) - 1)]
            cap = int(len(self.fan_ids) * 0.8)
            counts = zipf_split(args.ratings, len(order), 0.8, cap=cap)
            copy = CopyInto(
                Rating, ["id", "user_id", "video_id", "score", "created_at", "updated_at"]
            )
            first = next_id(cursor, Rating)
            self.figures: dict[int, list[int]] = {}
            fan_ids = self.fan_ids

            def rows() -> Iterator[str]:
                pk = first
                for video_id, count in zip(order, counts, strict=True):
                    histogram = [0] * 10
                    quality = rng.uniform(5.0, 9.0)
                    span = max(1, int((self.now - self.published[video_id]).total_seconds()))
                    for index in rng.sample(range(len(fan_ids)), count):
                        score = min(10, max(1, round(rng.gauss(quality, 2.0))))
                        histogram[score - 1] += 1
                        created = self.now - dt.timedelta(seconds=rng.randrange(span))
                        when = ts(created)
                        yield f"{pk}\t{fan_ids[index]}\t{video_id}\t{score}\t{when}\t{when}"
                        pk += 1
                    self.figures[video_id] = histogram

            stage.rows = copy.write(cursor, rows())
            values = [
                (sum(h), sum(n * s for s, n in enumerate(h, start=1)), json.dumps(h), video_id)
                for video_id, h in self.figures.items()
            ]
            cursor.executemany(
                f"UPDATE {MusicVideo._meta.db_table} SET rating_count = %s, rating_sum = %s, "
                "rating_histogram = %s::jsonb WHERE id = %s",
                values,
            )

    # -- comments, moments and likes --

    def comments(self) -> None:
        from catalog.models import MusicVideo
        from community.models import Comment, CommentLike, CommentMoment

        rng, args, cursor = self.rng, self.args, self.cursor
        growth = self.growth
        others = self.video_ids[1 + len(growth) :]
        rest = args.comments - args.hot_comments - sum(growth)
        if rest < 0 or (rest and not others):
            raise SystemExit("--comments must be at least --hot-comments plus --growth-comments.")
        per_video = [
            (self.video_ids[0], args.hot_comments),
            *zip(self.video_ids[1 : 1 + len(growth)], growth, strict=True),
            *zip(others, zipf_split(rest, len(others), 0.7), strict=True),
        ]
        label = f"comments: {args.comments:,} ({args.hot_comments:,} on one video), likes, moments"
        with Stage(label) as stage:
            comment_copy = CopyInto(
                Comment,
                [
                    "id",
                    "video_id",
                    "author_id",
                    "parent_id",
                    "body",
                    "status",
                    "like_count",
                    "reply_count",
                    "created_at",
                ],
            )
            moment_copy = CopyInto(CommentMoment, ["id", "comment_id", "video_id", "seconds"])
            like_copy = CopyInto(CommentLike, ["id", "user_id", "comment_id", "created_at"])
            next_comment = next_id(cursor, Comment)
            moments: list[str] = []
            likes: list[str] = []
            next_moment = next_id(cursor, CommentMoment)
            next_like = next_id(cursor, CommentLike)
            counts: dict[int, int] = {}
            fan_ids = self.fan_ids

            def rows() -> Iterator[str]:
                nonlocal next_comment, next_moment, next_like
                for video_id, total in per_video:
                    if total == 0:
                        counts[video_id] = 0
                        continue
                    start = self.published[video_id]
                    replies = int(total * REPLY_SHARE) if total >= 5 else 0
                    top = total - replies
                    # [id, author, parent, body, status, likes, replies, created]
                    threads: list[list[Any]] = []
                    for created in spread_times(rng, top, start, self.now):
                        threads.append(
                            [
                                next_comment,
                                fan_ids[rng.randrange(len(fan_ids))],
                                None,
                                None,
                                "visible",
                                0,
                                0,
                                created,
                            ]
                        )
                        next_comment += 1
                    answers: list[list[Any]] = []
                    for _ in range(replies):
                        # Replies gather under a few popular threads.
                        parent = threads[int(top * rng.random() ** 3)]
                        gap = (self.now - parent[7]).total_seconds()
                        created = parent[7] + dt.timedelta(seconds=rng.random() * gap)
                        answers.append(
                            [
                                next_comment,
                                fan_ids[rng.randrange(len(fan_ids))],
                                parent[0],
                                None,
                                "visible",
                                0,
                                0,
                                created,
                            ]
                        )
                        next_comment += 1
                    by_id = {t[0]: t for t in threads}
                    for row in threads:
                        if rng.random() < HIDDEN_SHARE:
                            row[4] = "hidden"
                    for row in answers:
                        if rng.random() < HIDDEN_SHARE:
                            row[4] = "hidden"
                        elif row[4] == "visible":
                            by_id[row[2]][6] += 1
                    for row in threads:
                        if row[6] and row[4] == "visible" and rng.random() < DELETED_SHARE:
                            row[4] = "deleted"  # its author deleted it; the replies keep it
                    visible = [r for r in (*threads, *answers) if r[4] == "visible"]
                    counts[video_id] = len(visible)
                    # Likes: this video's share of the total, mostly on a few comments.
                    wanted = round(args.likes * total / args.comments) if visible else 0
                    liked: dict[int, int] = {}
                    for _ in range(wanted):
                        index = int(len(visible) * rng.random() ** 4)
                        liked[index] = liked.get(index, 0) + 1
                    for index, n in liked.items():
                        row = visible[index]
                        n = min(n, len(fan_ids))
                        row[5] = n
                        for fan in rng.sample(range(len(fan_ids)), n):
                            likes.append(f"{next_like}\t{fan_ids[fan]}\t{row[0]}\t{ts(self.now)}")
                            next_like += 1
                    for row in (*threads, *answers):
                        if row[4] == "deleted":
                            body = ""
                        else:
                            body = sentence(rng)
                            if rng.random() < MOMENT_SHARE:
                                seconds = rng.randint(5, 230)
                                body += f" at {seconds // 60}:{seconds % 60:02d}"
                                moments.append(f"{next_moment}\t{row[0]}\t{video_id}\t{seconds}")
                                next_moment += 1
                        parent_id = r"\N" if row[2] is None else str(row[2])
                        yield (
                            f"{row[0]}\t{video_id}\t{row[1]}\t{parent_id}\t{body}\t{row[4]}\t"
                            f"{row[5]}\t{row[6]}\t{ts(row[7])}"
                        )

            stage.rows += comment_copy.write(cursor, rows())
            stage.rows += moment_copy.write(cursor, moments)
            stage.rows += like_copy.write(cursor, likes)
            cursor.executemany(
                f"UPDATE {MusicVideo._meta.db_table} SET comment_count = %s WHERE id = %s",
                [(n, video_id) for video_id, n in counts.items()],
            )

    # -- watchlists --

    def watchlists(self) -> None:
        from community.models import Watchlist, WatchlistItem

        rng, args, cursor = self.rng, self.args, self.cursor
        with Stage(f"watchlists: {args.watchlists:,} with items") as stage:
            bench = list(self.bench_ids)
            rest = max(0, args.watchlists - len(bench))
            defaults = int(rest * 0.8)
            named = rest - defaults
            fans = list(self.fan_ids)
            owners = (
                [(pk, Watchlist.DEFAULT_NAME, True, False) for pk in bench]
                + [(pk, Watchlist.DEFAULT_NAME, True, False) for pk in fans[:defaults]]
                + [(pk, rng.choice(LIST_NAMES), False, True) for pk in fans[:named]]
            )
            list_copy = CopyInto(
                Watchlist,
                [
                    "id",
                    "owner_id",
                    "name",
                    "description",
                    "is_public",
                    "is_default",
                    "item_count",
                    "created_at",
                    "updated_at",
                ],
            )
            item_copy = CopyInto(
                WatchlistItem, ["id", "watchlist_id", "video_id", "position", "added_at"]
            )
            first_list = next_id(cursor, Watchlist)
            next_item = next_id(cursor, WatchlistItem)
            items: list[str] = []
            videos = self.video_ids
            span = 365 * 86400

            def lists() -> Iterator[str]:
                nonlocal next_item
                for offset, (owner, name, is_default, is_public) in enumerate(owners):
                    pk = first_list + offset
                    size = (
                        0
                        if owner in self.bench_ids
                        else min(len(videos), int(rng.expovariate(1 / args.items_per_list)))
                    )
                    created = self.now - dt.timedelta(seconds=rng.randrange(span))
                    for position, video in enumerate(rng.sample(videos, size), start=1):
                        items.append(f"{next_item}\t{pk}\t{video}\t{position}\t{ts(created)}")
                        next_item += 1
                    about = sentence(rng) if is_public else ""
                    flags = f"{'t' if is_public else 'f'}\t{'t' if is_default else 'f'}"
                    when = ts(created)
                    yield f"{pk}\t{owner}\t{name}\t{about}\t{flags}\t{size}\t{when}\t{when}"

            stage.rows += list_copy.write(cursor, lists())
            stage.rows += item_copy.write(cursor, items)


# ---- Main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        choices=["full", "small"],
        default="full",
        help="Defaults for every size: full, or small (1/100 of the rows).",
    )
    for name, default in FULL.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=type(default),
            default=None,
            help=f"full: {default}, small: {SMALL[name]}",
        )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--reset",
        action="store_true",
        help="Empty the community tables and remove bench catalog rows first.",
    )
    parser.add_argument(
        "--create-database",
        action="store_true",
        help="Drop and create DATABASE_URL's database (its name must contain "
        "'bench'), migrate it and load the demo catalog first.",
    )
    args = parser.parse_args(argv)
    defaults = SMALL if args.scale == "small" else FULL
    for name, default in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (postgres://…): COPY needs it.")
    if args.create_database:
        recreate_database(url)
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    if args.create_database:
        with Stage("migrate and load the demo catalog"):
            call_command("migrate", verbosity=0, interactive=False)
            call_command("load_catalog", verbosity=0)
    fans, videos = existing_bench_data()
    if (fans or videos) and not args.reset:
        raise SystemExit(
            f"This database already has {fans:,} fans and {videos:,} bench videos. "
            "Run again with --reset to replace them (community tables are emptied)."
        )
    say(
        f"Generating with seed {args.seed}: {args.videos:,} videos, {args.fans:,} fans, "
        f"{args.ratings:,} ratings, {args.comments:,} comments ({args.hot_comments:,} on one "
        f"video; growth videos {args.growth_comments}), {args.watchlists:,} watchlists"
    )
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        if args.reset:
            with (
                Stage("reset: community tables, sessions, bench catalog rows"),
                transaction.atomic(),
            ):
                reset(cursor)
        generator = Generator(args, cursor)
        with transaction.atomic():
            generator.catalog()
        # Rows are consistent by construction; skipping the FK triggers makes COPY several
        # times faster (and keeps millions of deferred checks out of memory).
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL synchronous_commit = off")
            generator.fans()
            generator.ratings()
            generator.comments()
            generator.watchlists()
        from community.models import (
            Comment,
            CommentLike,
            CommentMoment,
            Profile,
            Rating,
            User,
            Watchlist,
            WatchlistItem,
        )

        for model in (
            User,
            Profile,
            Rating,
            Comment,
            CommentMoment,
            CommentLike,
            Watchlist,
            WatchlistItem,
        ):
            sync_sequence(cursor, model)
        with Stage("vacuum analyze (as autovacuum would have by now)"):
            for model in (
                User,
                Profile,
                Rating,
                Comment,
                CommentMoment,
                CommentLike,
                Watchlist,
                WatchlistItem,
            ):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
            cursor.execute("ANALYZE")
        check(cursor)
    # COPY sends no signals: one bump of the page cache's generation (foundation/page_cache.py) for
    # all of it, in the cache REDIS_URL names (bench/run.py bumps the bench's own before it runs),
    # and the fans kept for signed-in requests (community/identity.py) forgotten.
    from community import identity
    from foundation import page_cache

    page_cache.bump()
    identity.forget_all()
    total = time.perf_counter() - started
    say(f"Done in {total:.0f} s.")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    sizes = {name: getattr(args, name) for name in FULL}
    (results / f"generate-{args.scale}.json").write_text(
        json.dumps(
            {
                "sizes": {**sizes, "seed": args.seed},
                "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "total_seconds": round(total, 1),
                "stages": [
                    {"stage": name, "rows": rows, "seconds": round(seconds, 1)}
                    for name, rows, seconds in TIMINGS
                ],
            },
            indent=1,
        )
        + "\n"
    )


def check(cursor: Any) -> None:
    """Cheap end-to-end sums: the figures add up to the rows."""
    from catalog.models import MusicVideo
    from community.models import Comment, Rating, Watchlist, WatchlistItem

    def one(sql: str) -> int:
        cursor.execute(sql)
        return int(cursor.fetchone()[0] or 0)

    video, rating, comment = (
        MusicVideo._meta.db_table,
        Rating._meta.db_table,
        Comment._meta.db_table,
    )
    pairs = {
        "ratings": (
            one(f"SELECT SUM(rating_count) FROM {video}"),
            one(f"SELECT COUNT(*) FROM {rating}"),
        ),
        "rating sums": (
            one(f"SELECT SUM(rating_sum) FROM {video}"),
            one(f"SELECT SUM(score) FROM {rating}"),
        ),
        "visible comments": (
            one(f"SELECT SUM(comment_count) FROM {video}"),
            one(f"SELECT COUNT(*) FROM {comment} WHERE status = 'visible'"),
        ),
        "watchlist items": (
            one(f"SELECT SUM(item_count) FROM {Watchlist._meta.db_table}"),
            one(f"SELECT COUNT(*) FROM {WatchlistItem._meta.db_table}"),
        ),
    }
    for name, (figure, rows) in pairs.items():
        say(
            f"    check {name}: figures {figure:,} / rows {rows:,} "
            f"{'ok' if figure == rows else 'MISMATCH'}"
        )
        if figure != rows:
            raise SystemExit(f"Generated figures don't match the rows for {name}.")


if __name__ == "__main__":
    main()
