"""Premieres: a curator sets the minute and its time zone in the video admin; the page counts
down to it in that zone (the script shows the fan's own); fans follow it; at the minute a
background task tells each follower once. The clock is frozen (time_machine) throughout."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from catalog.models import MusicVideo
from community import premieres
from community.models import Notification, PremiereFollow
from tests.factories import make_staff, make_user, make_video

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
# 18:00 KST on 20 February 2026 is 09:00 UTC.
PREMIERE = datetime.datetime(2026, 2, 20, 18, 0, tzinfo=SEOUL)
BEFORE = PREMIERE - datetime.timedelta(days=2, hours=3, minutes=4)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def premiere_video(**kwargs):
    kwargs.setdefault("premiere_at", PREMIERE)
    kwargs.setdefault("premiere_time_zone", "Asia/Seoul")
    return make_video(**kwargs)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


# ---- The curator --------------------------------------------------------------------------------


def _admin_form(video, **changes):
    data = {
        "title": video.title,
        "slug": video.slug,
        "kind": video.kind,
        "published_on": "2026-02-20",
        "published_on_precision": "day",
        "status": "published",
        "credits-TOTAL_FORMS": "0",
        "credits-INITIAL_FORMS": "0",
        "catalog-externallink-content_type-object_id-TOTAL_FORMS": "0",
        "catalog-externallink-content_type-object_id-INITIAL_FORMS": "0",
        "catalog-source-content_type-object_id-TOTAL_FORMS": "0",
        "catalog-source-content_type-object_id-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


@time_machine.travel(BEFORE, tick=False)
def test_a_curator_sets_the_premiere_as_announced_in_its_own_time_zone(
    client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    video = make_video()
    client.force_login(make_staff(is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:catalog_musicvideo_change", args=[video.pk]),
            _admin_form(
                video,
                premiere_local_0="2026-02-20",
                premiere_local_1="18:00",
                premiere_time_zone="Asia/Seoul",
            ),
        )

    assert response.status_code == 302, response.content.decode()[-3000:]
    video.refresh_from_db()
    assert video.premiere_at == datetime.datetime(2026, 2, 20, 9, 0, tzinfo=datetime.UTC)
    assert video.premiere_time_zone == "Asia/Seoul"
    # Queued for the minute itself.
    task = DBTaskResult.objects.get()
    assert task.run_after == video.premiere_at
    form = client.get(reverse("admin:catalog_musicvideo_change", args=[video.pk])).content
    assert b'value="18:00:00"' in form  # shown again as announced, not in UTC


@time_machine.travel(BEFORE, tick=False)
def test_a_time_the_clock_change_skips_is_refused(client):
    video = make_video()
    client.force_login(make_staff(is_superuser=True))

    response = client.post(
        reverse("admin:catalog_musicvideo_change", args=[video.pk]),
        _admin_form(
            video,
            premiere_local_0="2026-03-08",
            premiere_local_1="02:30",
            premiere_time_zone="America/New_York",
        ),
    )

    assert response.status_code == 200
    assert "02:30 does not exist in America/New_York that day" in response.content.decode()
    video.refresh_from_db()
    assert video.premiere_at is None


# ---- The page -----------------------------------------------------------------------------------


@time_machine.travel(BEFORE, tick=False)
def test_before_the_premiere_the_page_counts_down_in_the_announced_zone(client):
    video = premiere_video()

    html = client.get(video.get_absolute_url()).content.decode()

    assert "20 February 2026, 18:00 KST" in html
    assert 'datetime="2026-02-20T09:00:00+00:00"' in html  # the script shows the fan's zone
    assert re.search(r"Starts in 2\sdays, 3\shours<", html)
    assert "0 fans are waiting" in html
    assert "Log in to be reminded when it begins" in html


@time_machine.travel(BEFORE, tick=False)
def test_the_countdown_speaks_the_pages_language(client):
    video = premiere_video()

    html = client.get(f"/ko{video.get_absolute_url()}").content.decode()

    assert "2026년 2월 20일" in html
    assert "KST" in html


@time_machine.travel(PREMIERE + datetime.timedelta(minutes=5), tick=False)
def test_at_the_minute_it_says_premiering_now_and_later_nothing(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # kept pages expire by Redis's clock, which isn't frozen
    video = premiere_video()

    assert "Premiering now" in client.get(video.get_absolute_url()).content.decode()
    with time_machine.travel(PREMIERE + premieres.LIVE_FOR, tick=False):
        html = client.get(video.get_absolute_url()).content.decode()
    assert 'id="premiere"' not in html


def test_a_video_without_a_premiere_shows_none(client):
    html = client.get(make_video().get_absolute_url()).content.decode()

    assert 'id="premiere"' not in html


# ---- Fans ---------------------------------------------------------------------------------------


@time_machine.travel(BEFORE, tick=False)
def test_a_fan_follows_and_unfollows_the_premiere(client):
    video = premiere_video()
    fan = make_user()
    client.force_login(fan)

    followed = client.post(reverse("community:premiere-follow", args=[video.slug]))
    page = client.get(video.get_absolute_url()).content.decode()
    again = client.post(reverse("community:premiere-follow", args=[video.slug]))
    unfollowed = client.post(reverse("community:premiere-unfollow", args=[video.slug]))

    assert followed.status_code == again.status_code == unfollowed.status_code == 302
    assert followed["Location"].endswith("#premiere")
    assert "1 fan is waiting" in page
    assert "Don&#x27;t remind me" in page or "Don't remind me" in page
    assert not PremiereFollow.objects.exists()


@time_machine.travel(BEFORE, tick=False)
def test_visitors_and_unconfirmed_fans_cannot_follow(client):
    video = premiere_video()

    visitor = client.post(reverse("community:premiere-follow", args=[video.slug]))
    client.force_login(make_user(email_verified=False))
    unconfirmed = client.post(reverse("community:premiere-follow", args=[video.slug]))

    assert visitor.status_code == 302
    assert "/accounts/login/" in visitor["Location"]
    assert unconfirmed.status_code == 403
    assert not PremiereFollow.objects.exists()


@time_machine.travel(PREMIERE + datetime.timedelta(minutes=1), tick=False)
def test_a_premiere_that_began_cannot_be_followed(client):
    video = premiere_video()
    client.force_login(make_user())

    client.post(reverse("community:premiere-follow", args=[video.slug]))

    assert not PremiereFollow.objects.exists()


# ---- At the minute ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the worker closes connections left mid-transaction
def test_followers_are_told_at_the_minute_once(settings):
    settings.TASKS = DATABASE_TASKS
    with time_machine.travel(BEFORE, tick=False):
        video = premiere_video()
        fans = [make_user() for _ in range(3)]
        for fan in fans:
            premieres.premiere_follow(user=fan, video=video)
        premieres.premiere_scheduled(video=video)  # as the admin's save does

    with time_machine.travel(PREMIERE - datetime.timedelta(seconds=1), tick=False):
        run_worker()
        assert not Notification.objects.exists()  # not a second early

    with time_machine.travel(PREMIERE, tick=False):
        run_worker()
        run_worker()
        premieres.announce_premiere.call(video_id=video.pk, premiere_at=PREMIERE.isoformat())

    told = Notification.objects.filter(kind=Notification.Kind.PREMIERE, video=video)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(f.pk for f in fans)
    assert not PremiereFollow.objects.filter(notified_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_moved_premiere_tells_its_followers_at_the_new_minute(settings):
    settings.TASKS = DATABASE_TASKS
    later = PREMIERE + datetime.timedelta(hours=1)
    with time_machine.travel(BEFORE, tick=False):
        video = premiere_video()
        premieres.premiere_follow(user=make_user(), video=video)
        premieres.premiere_scheduled(video=video)
        MusicVideo.objects.filter(pk=video.pk).update(premiere_at=later)
        video.refresh_from_db()
        premieres.premiere_scheduled(video=video)

    with time_machine.travel(PREMIERE, tick=False):
        run_worker()  # the task queued for the old minute finds it moved
        assert not Notification.objects.exists()
    with time_machine.travel(later, tick=False):
        run_worker()
    assert Notification.objects.count() == 1


@time_machine.travel(PREMIERE + datetime.timedelta(minutes=3), tick=False)
def test_the_command_tells_followers_where_no_worker_waits(client):
    video = premiere_video()
    fan = make_user()
    PremiereFollow.objects.create(user=fan, video=video)

    call_command("announce_premieres", verbosity=0)
    call_command("announce_premieres", verbosity=0)

    assert Notification.objects.filter(recipient=fan, kind="premiere").count() == 1
    client.force_login(fan)
    page = client.get(reverse("community:notifications")).content.decode()
    assert video.title in page
    notification = Notification.objects.get(recipient=fan)
    link = reverse("community:notification-open", args=[notification.pk])
    assert f'href="{link}"' in page
    assert client.get(link)["Location"] == video.get_absolute_url()
