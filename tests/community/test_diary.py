"""The watch diary and the year in review.

alice keeps the diary, bob is another fan, and the anonymous client is a visitor.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Release, Status
from community import ratelimit
from community.models import User, WatchEntry
from tests.factories import (
    BUDGET_ROWS,
    make_rating,
    make_ratings,
    make_release,
    make_rows,
    make_user,
    make_video,
    make_videos,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice() -> User:
    return make_user(username="alice")


@pytest.fixture
def bob() -> User:
    return make_user(username="bob")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def log(user: User, video, on: datetime.date) -> WatchEntry:
    return WatchEntry.objects.create(user=user, video=video, watched_on=on)


# ---- Logging a watch ----------------------------------------------------------------------------


def test_i_watched_it_logs_today_and_goes_back(alice):
    video = make_video(title="CRAZY")
    response = client_for(alice).post(
        reverse("community:log-watch", args=[video.slug]),
        {"next": "/videos/"},
        follow=True,
    )
    entry = WatchEntry.objects.get()
    assert response.redirect_chain == [("/videos/", 302)]
    assert (entry.user, entry.video, entry.watched_on) == (alice, video, timezone.localdate())
    assert "Logged “CRAZY” as watched on" in response.content.decode()


def test_log_a_chosen_date_and_count_the_rewatch(alice):
    video = make_video(title="Smart")
    client = client_for(alice)
    url = reverse("community:log-watch", args=[video.slug])

    client.post(url, {"watched_on": "2024-02-20"})
    response = client.post(url, {"watched_on": "2024-06-01"}, follow=True)
    body = response.content.decode()

    assert sorted(WatchEntry.objects.values_list("watched_on", flat=True)) == [
        datetime.date(2024, 2, 20),
        datetime.date(2024, 6, 1),
    ]
    assert response.redirect_chain[-1][0] == video.get_absolute_url()
    assert "Logged “Smart” as watched on 1 June 2024. You&#x27;ve watched it 2 times." in body


def test_a_future_date_is_rejected(alice):
    video = make_video()
    future = timezone.localdate() + datetime.timedelta(days=2)
    response = client_for(alice).post(
        reverse("community:log-watch", args=[video.slug]),
        {"watched_on": future.isoformat()},
        follow=True,
    )
    assert "That date is in the future." in response.content.decode()
    assert not WatchEntry.objects.exists()


def test_tomorrow_on_the_server_is_today_for_fans_further_east(alice):
    video = make_video()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    client_for(alice).post(
        reverse("community:log-watch", args=[video.slug]), {"watched_on": tomorrow.isoformat()}
    )
    assert WatchEntry.objects.get().watched_on == tomorrow


def test_a_date_that_is_not_a_date_is_reported(alice):
    video = make_video()
    response = client_for(alice).post(
        reverse("community:log-watch", args=[video.slug]), {"watched_on": "soon"}, follow=True
    )
    assert "Enter a valid date." in response.content.decode()
    assert not WatchEntry.objects.exists()


def test_a_suspended_fan_cannot_log(alice):
    alice.suspended_at = timezone.now()
    alice.save()
    response = client_for(alice).post(
        reverse("community:log-watch", args=[make_video().slug]), follow=True
    )
    assert "Your account is suspended" in response.content.decode()
    assert not WatchEntry.objects.exists()


def test_drafts_and_unknown_videos_cannot_be_logged(alice):
    draft = make_video(status=Status.DRAFT)
    client = client_for(alice)
    for slug in (draft.slug, "no-such-video"):
        assert client.post(reverse("community:log-watch", args=[slug])).status_code == 404
    assert not WatchEntry.objects.exists()


def test_logging_needs_a_signed_in_fan_and_a_post(alice):
    video = make_video()
    url = reverse("community:log-watch", args=[video.slug])
    response = Client().post(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client_for(alice).get(url).status_code == 405
    assert not WatchEntry.objects.exists()


def test_logging_is_rate_limited(alice, monkeypatch):
    monkeypatch.setitem(ratelimit.WRITE_LIMITS, "list", ratelimit.Limit("list", 1, 60))
    video = make_video()
    client = client_for(alice)
    url = reverse("community:log-watch", args=[video.slug])
    assert client.post(url).status_code == 302
    limited = client.post(url)
    assert limited.status_code == 429
    assert "Slow down a little" in limited.content.decode()
    assert WatchEntry.objects.count() == 1


def test_the_video_page_widget_offers_lists_and_the_diary(alice, rf):
    video = make_video()
    request = rf.get(video.get_absolute_url())
    request.user = alice
    template = "community/widgets/video_actions_watchlist.html"

    fan = render_to_string(template, {"video": video}, request=request)
    request.user = AnonymousUser()
    visitor = render_to_string(template, {"video": video}, request=request)

    assert f'action="{reverse("community:log-watch", args=[video.slug])}"' in fan
    assert f'action="{reverse("community:watchlist-add", args=[video.slug])}"' in fan
    assert 'method="post"' not in visitor
    assert f"{reverse('login')}?next={video.get_absolute_url()}" in visitor


# ---- The diary ----------------------------------------------------------------------------------


def test_diary_groups_by_month_newest_first_and_marks_rewatches(alice, bob):
    video, other = make_video(title="UNFORGIVEN"), make_video(title="Perfect Night")
    log(alice, video, datetime.date(2024, 3, 2))
    log(alice, other, datetime.date(2024, 3, 9))
    log(alice, video, datetime.date(2024, 5, 1))
    log(bob, make_video(title="Chosen by bob"), datetime.date(2024, 5, 1))

    body = client_for(alice).get(reverse("community:diary")).content.decode()

    assert body.index("May 2024") < body.index("March 2024")
    assert body.count("Rewatch ·") == 1
    assert "Rewatch · 2nd time" in body
    assert body.index("Rewatch · 2nd time") < body.index("March 2024")
    assert "Chosen by bob" not in body
    assert reverse("community:year-in-review", args=["alice", 2024]) in body


def test_rewatch_numbers_hold_across_pages(alice):
    video = make_video()
    for day in range(1, 52):
        log(alice, video, datetime.date(2024, 1, 1) + datetime.timedelta(days=day))
    client = client_for(alice)

    first = client.get(reverse("community:diary"))
    last = client.get(reverse("community:diary"), {"page": 2})

    assert len(first.context["page"]) == 50
    assert [e.watch_number for e in last.context["page"]] == [1]
    assert first.context["page"][0].watch_number == 51


def test_diary_empty_state(alice):
    body = client_for(alice).get(reverse("community:diary")).content.decode()
    assert "Nothing logged yet." in body


def test_diary_needs_a_signed_in_fan():
    response = Client().get(reverse("community:diary"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_delete_an_entry(alice):
    entry = log(alice, make_video(), datetime.date(2024, 1, 1))
    response = client_for(alice).post(reverse("community:diary-delete", args=[entry.pk]))
    assert response.url == reverse("community:diary")
    assert not WatchEntry.objects.exists()


@pytest.mark.parametrize("who", ["bob", "anonymous"])
def test_others_cannot_delete_an_entry(alice, bob, who):
    entry = log(alice, make_video(), datetime.date(2024, 1, 1))
    client = client_for(bob) if who == "bob" else Client()
    response = client.post(reverse("community:diary-delete", args=[entry.pk]))
    assert response.status_code == (404 if who == "bob" else 302)
    entry.refresh_from_db()
    assert (entry.user, entry.watched_on) == (alice, datetime.date(2024, 1, 1))


# ---- The year in review -------------------------------------------------------------------------


@pytest.fixture
def year_2024(alice, bob) -> dict:
    """alice's 2024: UNFORGIVEN thrice and EASY (one album), Perfect Night (seen in 2023)."""
    album = make_release(title="UNFORGIVEN", slug="unforgiven")
    single = make_release(title="Perfect Night", slug="perfect-night")
    unforgiven = make_video(title="UNFORGIVEN", release=album)
    easy = make_video(title="EASY", release=album)
    night = make_video(title="Perfect Night", release=single)
    log(alice, night, datetime.date(2023, 12, 30))
    log(alice, unforgiven, datetime.date(2024, 1, 5))
    log(alice, unforgiven, datetime.date(2024, 3, 1))
    log(alice, unforgiven, datetime.date(2024, 3, 20))
    log(alice, easy, datetime.date(2024, 3, 21))
    log(alice, night, datetime.date(2024, 7, 7))
    log(bob, easy, datetime.date(2024, 7, 7))  # bob's watches are not alice's
    with time_machine.travel(datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC)):
        make_rating(user=alice, video=unforgiven, score=9)
        make_rating(user=alice, video=easy, score=6)
    with time_machine.travel(datetime.datetime(2023, 6, 1, 12, tzinfo=datetime.UTC)):
        make_rating(user=alice, video=night, score=2)
    return {"unforgiven": unforgiven}


def test_year_in_review_figures(alice, year_2024):
    response = Client().get(reverse("community:year-in-review", args=["alice", 2024]))
    figures = response.context["figures"]
    months = {month.month: count for month, count in figures["months"]}

    assert response.status_code == 200
    assert (figures["watches"], figures["videos"]) == (5, 3)
    assert (figures["new_videos"], figures["rewatches"]) == (2, 3)
    assert (figures["most_rewatched"], figures["most_rewatched_times"]) == (
        year_2024["unforgiven"],
        3,
    )
    assert figures["era"]["video__release__title"] == "UNFORGIVEN"
    assert (figures["era"]["n"], figures["era"]["videos"]) == (4, 2)
    assert (figures["ratings"], figures["average_stars"]) == (2, 3.75)
    assert months == {1: 1, 2: 0, 3: 3, 4: 0, 5: 0, 6: 0, 7: 1} | dict.fromkeys(range(8, 13), 0)
    body = response.content.decode()
    assert '<dd>3.8 <span class="stars stars-8" aria-hidden="true">' in body
    assert "Watched 3 times in 2024." in body


def test_year_in_review_leaves_out_unpublished_videos(alice, year_2024):
    year_2024["unforgiven"].status = Status.DRAFT
    year_2024["unforgiven"].save()
    figures = (
        Client().get(reverse("community:year-in-review", args=["alice", 2024])).context["figures"]
    )
    assert (figures["watches"], figures["ratings"]) == (2, 1)
    assert "most_rewatched" not in figures


def test_year_in_review_empty_state(alice, year_2024):
    response = Client().get(reverse("community:year-in-review", args=["alice", 2021]))
    assert response.status_code == 200
    assert "alice didn't log or rate any videos in 2021." in response.content.decode()
    own = client_for(alice).get(reverse("community:year-in-review", args=["alice", 2021]))
    assert "You haven't logged or rated anything in 2021." in own.content.decode()


def test_year_in_review_of_an_unknown_or_inactive_fan_is_a_404(alice):
    assert (
        Client().get(reverse("community:year-in-review", args=["nobody", 2024])).status_code == 404
    )
    alice.is_active = False
    alice.save()
    assert (
        Client().get(reverse("community:year-in-review", args=["alice", 2024])).status_code == 404
    )
    assert Client().get(reverse("community:year-in-review", args=["alice", 0])).status_code == 404


# ---- Query budgets ------------------------------------------------------------------------------


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_diary_query_budget(alice, django_assert_max_num_queries, n):
    """Guards N+1: a diary page costs the same for 10 or 1,000 lines."""
    first = datetime.date(2022, 1, 1)
    WatchEntry.objects.bulk_create(
        WatchEntry(user=alice, video=video, watched_on=first + datetime.timedelta(days=i))
        for i, video in enumerate(make_videos(n))
    )
    client = client_for(alice)
    client.get(reverse("community:diary"))
    # session, count, entries, videos, credits, years
    with django_assert_max_num_queries(6):
        client.get(reverse("community:diary"))


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_year_in_review_query_budget(alice, django_assert_max_num_queries, n):
    """Guards N+1: the year in review is a fixed set of aggregates, whatever the diary's size."""
    videos = make_videos(n, release=make_rows(Release, n))
    WatchEntry.objects.bulk_create(
        WatchEntry(user=alice, video=video, watched_on=datetime.date(2024, 1 + i % 12, day))
        for i, video in enumerate(videos)
        for day in (1, 2)
    )
    with time_machine.travel(datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)):
        make_ratings((alice, video) for video in videos)
    client = client_for(alice)
    url = reverse("community:year-in-review", args=["alice", 2024])
    client.get(url)
    # session, fan, 6 aggregates, the rewatched video's card (2), its Watch later widget
    with django_assert_max_num_queries(11):
        client.get(url)
