"""Plain helpers that make test data with sensible defaults; pass keywords to override."""

from __future__ import annotations

import datetime
import io
import itertools
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from catalog.models import (
    ChartAchievement,
    Credit,
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
from catalog.text import search_text
from community.models import Follow, Profile, Rating, User, WatchEntry, Watchlist, WatchlistItem

_seq = itertools.count(1)
# Member.order is a small integer (PostgreSQL: up to 32,767); the bulk factories count far past it.
ORDER_WRAP = 30_000


def _n() -> int:
    return next(_seq)


def make_user(**kwargs: Any) -> User:
    """A fan with a confirmed e-mail address (email_verified=False for a new one).

    Staff come with an authenticator app, already used in the session: client.force_login(staff)
    then opens the admin, as after a real login with a code (tests/conftest.py records the
    second step for a user carrying `two_factor_authenticator`). two_factor=False makes staff
    who haven't set it up.
    """
    n = _n()
    two_factor = kwargs.pop("two_factor", True)
    verified = kwargs.pop("email_verified", True)
    kwargs.setdefault("username", f"fan{n}")
    kwargs.setdefault("email", f"fan{n}@example.com")
    password = kwargs.pop("password", "correct horse battery staple")
    user = User(**kwargs)
    user.set_password(password)
    user.save()
    if user.email:
        EmailAddress.objects.create(
            user=user, email=user.email.lower(), primary=True, verified=verified
        )
    if user.is_staff and two_factor:
        user.two_factor_authenticator = make_totp(user)  # type: ignore[attr-defined]  # kept for the tests
    return user


def make_staff(**kwargs: Any) -> User:
    kwargs.setdefault("is_staff", True)
    kwargs.setdefault("is_superuser", True)
    return make_user(**kwargs)


def make_totp(user: User) -> Authenticator:
    """An authenticator app for the fan (its secret: authenticator.data["secret"])."""
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": generate_totp_secret()}
    )


def make_member(**kwargs: Any) -> Member:
    n = _n()
    kwargs.setdefault("stage_name", f"MEMBER {n}")
    kwargs.setdefault("slug", f"member-{n}")
    kwargs.setdefault("native_name", f"멤버{n}")
    kwargs.setdefault("joined_on", datetime.date(2022, 4, 1))
    kwargs.setdefault("order", n % ORDER_WRAP)
    return Member.objects.create(**kwargs)


def make_release(**kwargs: Any) -> Release:
    n = _n()
    kwargs.setdefault("title", f"Release {n}")
    kwargs.setdefault("slug", f"release-{n}")
    kwargs.setdefault("kind", Release.Kind.EP)
    kwargs.setdefault("released_on", datetime.date(2022, 5, 2))
    kwargs.setdefault("status", Status.PUBLISHED)
    return Release.objects.create(**kwargs)


def make_track(**kwargs: Any) -> Track:
    n = _n()
    if "release" not in kwargs:
        kwargs["release"] = make_release()
    kwargs.setdefault("title", f"Track {n}")
    kwargs.setdefault("sequence", kwargs["release"].tracks.count() + 1)
    kwargs.setdefault("number", kwargs["sequence"])
    return Track.objects.create(**kwargs)


def make_video(**kwargs: Any) -> MusicVideo:
    """A published video of the whole group; given `members`, a video of just those members."""
    n = _n()
    members = kwargs.pop("members", [])
    themes = kwargs.pop("themes", [])
    kwargs.setdefault("whole_group", not members)
    kwargs.setdefault("title", f"Video {n}")
    kwargs.setdefault("slug", f"video-{n}")
    kwargs.setdefault("published_on", datetime.date(2022, 11, 14))
    kwargs.setdefault("status", Status.PUBLISHED)
    video = MusicVideo.objects.create(**kwargs)
    if members:
        video.members.set(members)
    if themes:
        video.themes.set(themes)
    return video


def make_person(**kwargs: Any) -> Person:
    n = _n()
    kwargs.setdefault("name", f"Person {n}")
    kwargs.setdefault("slug", f"person-{n}")
    return Person.objects.create(**kwargs)


def make_credit(**kwargs: Any) -> Credit:
    if "person" not in kwargs and "credited_as" not in kwargs:
        kwargs["person"] = make_person()
    kwargs.setdefault("role", Credit.Role.DIRECTOR)
    return Credit.objects.create(**kwargs)


def make_tag(**kwargs: Any) -> Tag:
    n = _n()
    kwargs.setdefault("name", f"Theme {n}")
    kwargs.setdefault("slug", f"theme-{n}")
    return Tag.objects.create(**kwargs)


def make_tie_in(**kwargs: Any) -> TieIn:
    n = _n()
    videos = kwargs.pop("videos", [])
    kwargs.setdefault("name", f"Tie-in {n}")
    kwargs.setdefault("slug", f"tie-in-{n}")
    kwargs.setdefault("partner", "A partner")
    kwargs.setdefault("kind", TieIn.Kind.OTHER)
    tie_in = TieIn.objects.create(**kwargs)
    if videos:
        tie_in.videos.set(videos)
    return tie_in


def make_achievement(**kwargs: Any) -> ChartAchievement:
    if "release" not in kwargs and "track" not in kwargs:
        kwargs["release"] = make_release()
    kwargs.setdefault("chart", "Billboard 200")
    kwargs.setdefault("peak", 14)
    kwargs.setdefault("summary", "Entered the chart.")
    return ChartAchievement.objects.create(**kwargs)


def make_source(target: Any, **kwargs: Any) -> Source:
    """A source of `target` (any catalog record); field="released_on" for one of its facts."""
    kwargs.setdefault("url", f"https://news.example/{_n()}")
    return Source.objects.create(target=target, **kwargs)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), **save_kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


def image_upload(name: str = "cover.png", fmt: str = "PNG", **kwargs: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt, **kwargs), content_type=f"image/{fmt.lower()}")


def make_profile(user: User | None = None, **kwargs: Any) -> Profile:
    return Profile.objects.create(user=user or make_user(), **kwargs)


def make_rating(
    user: User | None = None, video: MusicVideo | None = None, score: int = 8
) -> Rating:
    """Through the service, so the video's figures stay right."""
    from community.services.ratings import rating_set

    return rating_set(user=user or make_user(), video=video or make_video(), score=score)


def make_watchlist(owner: User | None = None, **kwargs: Any) -> Watchlist:
    n = _n()
    videos = kwargs.pop("videos", [])
    kwargs.setdefault("name", f"List {n}")
    kwargs.setdefault("is_public", True)
    watchlist = Watchlist.objects.create(owner=owner or make_user(), **kwargs)
    for position, video in enumerate(videos, start=1):
        WatchlistItem.objects.create(watchlist=watchlist, video=video, position=position)
    if videos:
        watchlist.item_count = len(videos)
        watchlist.save(update_fields=["item_count"])
    return watchlist


# ---- Many rows at once, for the query budgets' 1,000-row runs ------------------------------------
# bulk_create skips save() and signals: search text, publication time and a video's release are
# set here as save() would; no history rows, thumbnails or figures (ratings go through the
# service, or set the figures yourself).

BUDGET_ROWS = [10, 1000]  # query budgets are asserted at both sizes: the counts must not grow


def _searchable(obj: Any) -> Any:
    obj.search_text = search_text(str(getattr(obj, f) or "") for f in obj.search_fields)
    return obj


# The defaults of make_member, make_release, ... for row k.
_DEFAULTS: dict[type[Any], Any] = {
    Member: lambda k: {
        "stage_name": f"MEMBER {k}",
        "slug": f"member-{k}",
        "native_name": f"멤버{k}",
        "joined_on": datetime.date(2022, 4, 1),
        "order": k % ORDER_WRAP,
    },
    Release: lambda k: {
        "title": f"Release {k}",
        "slug": f"release-{k}",
        "kind": Release.Kind.EP,
        "released_on": datetime.date(2022, 5, 2),
        "status": Status.PUBLISHED,
    },
    Track: lambda k: {"title": f"Track {k}", "sequence": 1, "number": 1},
    Person: lambda k: {"name": f"Person {k}", "slug": f"person-{k}"},
    Tag: lambda k: {"name": f"Theme {k}", "slug": f"theme-{k}"},
    TieIn: lambda k: {
        "name": f"Tie-in {k}",
        "slug": f"tie-in-{k}",
        "partner": "A partner",
        "kind": TieIn.Kind.OTHER,
    },
    Credit: lambda k: {"role": Credit.Role.DIRECTOR},
    ChartAchievement: lambda k: {
        "chart": "Billboard 200",
        "peak": 14,
        "summary": "Entered the chart.",
    },
}


def _row_values(fields: dict[str, Any], i: int) -> dict[str, Any]:
    """Row i's values: each field is one value for every row, or a list with one per row."""
    return {name: value[i] if isinstance(value, list) else value for name, value in fields.items()}


def make_rows(model: type[Any], n: int, **fields: Any) -> list[Any]:
    """n rows of a catalog model with its make_* defaults, in a few INSERTs.

    Each field is one value for every row, or a list of n values, one per row:
    make_rows(Track, 3, release=releases, title="Intro").
    """
    rows = []
    for i in range(n):
        row = model(**{**_DEFAULTS.get(model, lambda k: {})(_n()), **_row_values(fields, i)})
        rows.append(_searchable(row) if hasattr(row, "search_fields") else row)
    return model.objects.bulk_create(rows, batch_size=500)


def make_videos(n: int, **kwargs: Any) -> list[MusicVideo]:
    """n videos as make_video makes one, in a few INSERTs. Each keyword is one value for all or
    a list of n, as for make_rows; members and themes go to every video."""
    members = kwargs.pop("members", [])
    themes = kwargs.pop("themes", [])
    kwargs.setdefault("whole_group", not members)
    now = timezone.now()
    videos = []
    for i in range(n):
        k = _n()
        fields = {
            "title": f"Video {k}",
            "slug": f"video-{k}",
            "published_on": datetime.date(2022, 11, 14),
            "status": Status.PUBLISHED,
            **_row_values(kwargs, i),
        }
        video = MusicVideo(**fields)
        if video.track_id and not video.release_id and video.track is not None:
            video.release_id = video.track.release_id
        if video.status == Status.PUBLISHED:
            video.first_published_at = now
        videos.append(_searchable(video))
    videos = MusicVideo.objects.bulk_create(videos)
    for field, column, related in (("members", "member", members), ("themes", "tag", themes)):
        through = getattr(MusicVideo, field).through
        through.objects.bulk_create(
            through(musicvideo=video, **{column: item}) for video in videos for item in related
        )
    return videos


def make_users(n: int, **kwargs: Any) -> list[User]:
    """n fans as make_user makes one (not staff), sharing one password hash."""
    password = kwargs.pop("password", "correct horse battery staple")
    template = User()
    template.set_password(password)
    users = []
    for _ in range(n):
        k = _n()
        fields = {"username": f"fan{k}", "email": f"fan{k}@example.com", **kwargs}
        users.append(User(password=template.password, **fields))
    users = User.objects.bulk_create(users)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email.lower(), primary=True, verified=True)
        for user in users
    )
    return users


def make_ratings(pairs: Any, score: Any = 8) -> list[Rating]:
    """A rating per (user, video) pair (new ones), added to the videos' figures as the service
    adds them. score: one score for all, or a function of the pair's index."""
    ratings = Rating.objects.bulk_create(
        Rating(user=user, video=video, score=score(i) if callable(score) else score)
        for i, (user, video) in enumerate(pairs)
    )
    videos = {rating.video.pk: rating.video for rating in ratings}
    for rating in ratings:
        video = videos[rating.video.pk]  # one object per video, whichever the pairs held
        video.rating_histogram = list(video.rating_histogram)
        video.rating_histogram[rating.score - 1] += 1
        video.rating_count += 1
        video.rating_sum += rating.score
    MusicVideo.objects.bulk_update(
        videos.values(), ["rating_count", "rating_sum", "rating_histogram"], batch_size=500
    )
    return ratings


def make_watchlists(n: int, videos: Any = (), **kwargs: Any) -> list[Watchlist]:
    """n lists (owner=... required) each holding the same videos, in a few INSERTs. Each keyword
    is one value for all or a list of n, as for make_rows."""
    videos = list(videos)
    lists = []
    for i in range(n):
        fields = {"name": f"List {_n()}", "is_public": True, **_row_values(kwargs, i)}
        lists.append(Watchlist(item_count=len(videos), **fields))
    lists = Watchlist.objects.bulk_create(lists, batch_size=500)
    WatchlistItem.objects.bulk_create(
        (
            WatchlistItem(watchlist=watchlist, video=video, position=position)
            for watchlist in lists
            for position, video in enumerate(videos, start=1)
        ),
        batch_size=500,
    )
    return lists


def make_fan_history(fan: User, n: int) -> None:
    """n of everything a fan's export and account deletion cover, in a few INSERTs: ratings of n
    new videos, n lists holding the first two, n diary entries and follows of n other fans."""
    videos = make_videos(n)
    make_ratings((fan, video) for video in videos)
    make_watchlists(n, owner=fan, videos=videos[:2])
    WatchEntry.objects.bulk_create(
        WatchEntry(user=fan, video=video, watched_on=datetime.date(2024, 5, 1)) for video in videos
    )
    Follow.objects.bulk_create(
        Follow(follower=fan, kind=Follow.Kind.FAN, fan=other) for other in make_users(n)
    )
