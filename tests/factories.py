"""Plain helpers that make test data with sensible defaults; pass keywords to override."""

from __future__ import annotations

import datetime
import io
import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from catalog.models import (
    ChartAchievement,
    Credit,
    Member,
    MusicVideo,
    Person,
    Release,
    Status,
    Tag,
    TieIn,
    Track,
)
from community.models import Profile, Rating, User, Watchlist, WatchlistItem

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def make_user(**kwargs: Any) -> User:
    """A fan with a confirmed e-mail address (pass email_confirmed_at=None for a new one).

    Staff come with a confirmed two-factor device, already verified: client.force_login(staff)
    then opens the admin, as after a real login with a code (django-otp keeps the user's
    `otp_device` in the session). two_factor=False makes staff who haven't set it up.
    """
    n = _n()
    two_factor = kwargs.pop("two_factor", True)
    kwargs.setdefault("username", f"fan{n}")
    kwargs.setdefault("email", f"fan{n}@example.com")
    kwargs.setdefault("email_confirmed_at", timezone.now())
    password = kwargs.pop("password", "correct horse battery staple")
    user = User(**kwargs)
    user.set_password(password)
    user.save()
    if user.is_staff and two_factor:
        user.otp_device = make_totp_device(user)  # type: ignore[attr-defined]
    return user


def make_staff(**kwargs: Any) -> User:
    kwargs.setdefault("is_staff", True)
    kwargs.setdefault("is_superuser", True)
    return make_user(**kwargs)


def make_totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed)


def make_member(**kwargs: Any) -> Member:
    n = _n()
    kwargs.setdefault("stage_name", f"MEMBER {n}")
    kwargs.setdefault("slug", f"member-{n}")
    kwargs.setdefault("native_name", f"멤버{n}")
    kwargs.setdefault("joined_on", datetime.date(2022, 4, 1))
    kwargs.setdefault("order", n)
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
    n = _n()
    members = kwargs.pop("members", [])
    themes = kwargs.pop("themes", [])
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
