"""/top/: the weighted chart with each video's art, filtered by era, year and member."""

import datetime
import random

import pytest
from django.urls import reverse

from tests.factories import (
    BUDGET_ROWS,
    make_member,
    make_ratings,
    make_release,
    make_users,
    make_video,
    make_videos,
)

pytestmark = pytest.mark.django_db

TOP = reverse("community:top")


@pytest.fixture
def chart(settings):
    """Three rated videos: two eras, two years, one a solo video of one member."""
    settings.TOP_MIN_VOTES = 1
    fans = make_users(2)
    easy = make_release(title="EASY", slug="easy", released_on=datetime.date(2024, 2, 19))
    hot = make_release(title="HOT", slug="hot", released_on=datetime.date(2025, 3, 14))
    # Joined after the other two videos: only the solo film features her.
    kazuha = make_member(stage_name="KAZUHA", slug="kazuha", joined_on=datetime.date(2025, 4, 1))
    videos = {
        "EASY video": make_video(
            title="EASY video", release=easy, published_on=datetime.date(2024, 2, 19)
        ),
        "HOT video": make_video(
            title="HOT video", release=hot, published_on=datetime.date(2025, 3, 14)
        ),
        "Solo film": make_video(
            title="Solo film",
            release=hot,
            members=[kazuha],
            published_on=datetime.date(2025, 5, 1),
        ),
    }
    make_ratings(((fan, video) for video in videos.values() for fan in fans), score=8)
    return videos


def titles(response) -> list[str]:
    body = response.content.decode()
    listed = body.split('<ol class="top-list"')[1].split("</ol>")[0] if "top-list" in body else ""
    return sorted(title for title in ("EASY video", "HOT video", "Solo film") if title in listed)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["EASY video", "HOT video", "Solo film"]),
        ({"era": "hot"}, ["HOT video", "Solo film"]),
        ({"year": "2024"}, ["EASY video"]),
        ({"member": "kazuha"}, ["Solo film"]),
        ({"era": "hot", "year": "2025", "member": "kazuha"}, ["Solo film"]),
    ],
)
def test_the_chart_filters_by_era_year_and_member(client, chart, query, expected):
    response = client.get(TOP, query)
    assert response.status_code == 200
    assert titles(response) == expected


def test_the_filter_offers_the_eras_years_and_members_it_knows(client, chart):
    body = client.get(TOP).content.decode()
    assert '<option value="easy">EASY</option>' in body
    assert '<option value="2025">2025</option>' in body
    assert '<option value="kazuha">KAZUHA</option>' in body


@pytest.mark.parametrize(
    "query",
    [{"era": "no-such-era"}, {"year": "twenty"}, {"year": "1999"}, {"member": "<script>"}],
)
def test_a_value_it_does_not_know_is_named_and_the_chart_shown_whole(client, chart, query):
    response = client.get(TOP, query)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Some filters were not understood and were left out" in body
    assert "is not one of the available choices" in body
    assert "<script>" not in body.split("<main")[1]
    assert titles(response) == ["EASY video", "HOT video", "Solo film"]


def test_a_filter_with_nothing_rated_says_so(client, chart):
    make_video(title="Unrated", published_on=datetime.date(2023, 1, 1))
    body = client.get(TOP, {"year": "2023"}).content.decode()
    assert "No video with enough ratings matches these filters." in body


def test_each_video_shows_its_art(client, chart):
    body = client.get(TOP).content.decode()
    # No still uploaded: each is drawn in its era's colours.
    assert body.count('<picture class="drawing top-art">') == 3


def test_a_catalog_edit_refreshes_the_filter_choices(client, chart):
    client.get(TOP)
    make_release(title="CRAZY", slug="crazy")
    make_video(release=make_release(title="CRAZY era", slug="crazy-era"))
    assert '<option value="crazy-era">CRAZY era</option>' in client.get(TOP).content.decode()


@pytest.mark.parametrize("n_videos", BUDGET_ROWS)
def test_filtered_chart_query_budget(client, django_assert_max_num_queries, n_videos, settings):
    """Guards N+1: filtering by a member costs one query for her dates, whatever the rows."""
    settings.TOP_MIN_VOTES = 1
    fans = make_users(2)
    member = make_member(slug="sakura")
    release = make_release(slug="antifragile")
    videos = make_videos(n_videos, release=release, published_on=datetime.date(2022, 10, 17))
    make_ratings(
        ((fan, video) for video in videos for fan in fans), score=lambda _: random.randint(1, 10)
    )
    client.force_login(fans[0])
    client.get(TOP)  # keeps the filter choices
    query = {"era": "antifragile", "year": "2022", "member": member.slug}
    with django_assert_max_num_queries(5):
        assert client.get(TOP, query).status_code == 200
