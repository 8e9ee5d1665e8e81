"""The home page's sections: newest, charts of the month and week, and anniversaries."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from catalog.dates import Precision
from community.models import Comment
from tests.factories import make_rating, make_release, make_user, make_video

pytestmark = pytest.mark.django_db


def test_on_this_day_names_anniversaries_known_to_the_day(client):
    make_release(title="ANTIFRAGILE", released_on=datetime.date(2022, 10, 17))
    make_release(
        title="Month only",
        released_on=datetime.date(2022, 10, 1),
        released_on_precision=Precision.MONTH,
    )
    make_video(title="Perfect Night", published_on=datetime.date(2023, 10, 17))
    with time_machine.travel(datetime.datetime(2026, 10, 17, 12, tzinfo=datetime.UTC)):
        body = client.get(reverse("home")).content.decode()
    assert "On this day" in body
    assert "ANTIFRAGILE</a> came out 4 years ago today." in body
    assert "Perfect Night</a>” video premiered 3 years ago today." in body
    assert "Month only" not in body.split("On this day")[1].split("</section>")[0]


def test_no_anniversary_no_section(client):
    make_release(released_on=datetime.date(2022, 5, 2))
    with time_machine.travel(datetime.datetime(2026, 1, 9, tzinfo=datetime.UTC)):
        assert "On this day" not in client.get(reverse("home")).content.decode()


def _month_chart(body: str) -> str:
    return body.split("Top rated this month")[1].split("</section>")[0]


def test_top_rated_this_month_counts_only_recent_ratings(client, settings):
    settings.TOP_MIN_VOTES = 2
    old_favourite = make_video(title="Old favourite")
    fresh = make_video(title="Fresh favourite")
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)):
        make_rating(video=old_favourite, score=10)
        make_rating(video=old_favourite, score=10)
    with time_machine.travel(datetime.datetime(2026, 3, 10, tzinfo=datetime.UTC)):
        make_rating(video=old_favourite, score=10)  # one this month: under the minimum
        make_rating(video=fresh, score=9)
        make_rating(video=fresh, score=9)
        body = client.get(reverse("home")).content.decode()
    chart = _month_chart(body)
    assert "Fresh favourite" in chart
    assert "4.5 average from 2 ratings" in chart
    assert '<span class="stars stars-9" aria-hidden="true">' in chart
    assert "Old favourite" not in chart


def test_the_month_chart_ranks_as_top_does_so_one_vote_cannot_top_it(client, settings):
    """One five-star vote came second on a raw average with a one-vote minimum."""
    settings.TOP_MIN_VOTES = 3
    lone = make_video(title="One perfect vote")
    crowd = make_video(title="Crowd favourite")
    mixed = make_video(title="Mixed feelings")
    many = make_video(title="Many good votes")
    make_rating(video=lone, score=10)
    for score in (10, 9, 10, 9):
        make_rating(video=crowd, score=score)
    for score in (4, 5, 3):
        make_rating(video=mixed, score=score)
    for score in (9,) * 8:
        make_rating(video=many, score=score)

    chart = _month_chart(client.get(reverse("home")).content.decode())
    top = client.get(reverse("community:top")).content.decode()

    assert "One perfect vote" not in chart
    assert "at least 3 ratings this month" in chart
    titles = ["Crowd favourite", "Many good votes", "Mixed feelings"]
    assert sorted(titles, key=chart.index) == titles == sorted(titles, key=top.index)


def test_most_discussed_this_week_counts_visible_comments(client):
    talked_about = make_video(title="Talked about")
    hidden_talk = make_video(title="Hidden talk")
    fan = make_user()
    Comment.objects.create(video=talked_about, author=fan, body="Love it")
    Comment.objects.create(video=talked_about, author=fan, body="Again")
    Comment.objects.create(video=hidden_talk, author=fan, body="x", status=Comment.Status.HIDDEN)
    body = client.get(reverse("home")).content.decode()
    chart = body.split("Most discussed this week")[1].split("</section>")[0]
    assert "Talked about" in chart
    assert "2 new comments" in chart
    assert "Hidden talk" not in chart


def test_empty_home_sections_explain_themselves(client):
    body = client.get(reverse("home")).content.decode()
    assert "Not enough ratings this month yet." in body
    assert "Quiet week." in body


def test_the_catalogs_sections_follow_the_day_and_a_curators_edit_from_a_warm_cache(client):
    from foundation import page_cache

    rendered = {page_cache.SKIP: True}  # the page itself rendered, its kept sections read
    release = make_release(title="ANTIFRAGILE", released_on=datetime.date(2022, 10, 17))
    evening = datetime.datetime(2026, 10, 17, 23, 59, 50, tzinfo=datetime.UTC)
    with time_machine.travel(evening, tick=False):
        body = client.get(reverse("home"), **rendered).content.decode()
        assert "ANTIFRAGILE</a> came out 4 years ago today." in body
        assert "Latest release" in body
        release.title = "ANTIFRAGILE (Deluxe)"
        release.save()
        body = client.get(reverse("home"), **rendered).content.decode()
        assert "ANTIFRAGILE (Deluxe)</a> came out 4 years ago today." in body
        assert "ANTIFRAGILE (Deluxe)" in body.split("Latest release")[1]
    # Seconds later, long before kept sections expire: the next day's.
    with time_machine.travel(evening + datetime.timedelta(seconds=15), tick=False):
        body = client.get(reverse("home"), **rendered).content.decode()
        assert "On this day" not in body
