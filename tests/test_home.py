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


def test_top_rated_this_month_counts_only_recent_ratings(client):
    old_favourite = make_video(title="Old favourite")
    fresh = make_video(title="Fresh favourite")
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)):
        make_rating(video=old_favourite, score=10)
    with time_machine.travel(datetime.datetime(2026, 3, 10, tzinfo=datetime.UTC)):
        make_rating(video=fresh, score=9)
        body = client.get(reverse("home")).content.decode()
    chart = body.split("Top rated this month")[1].split("</section>")[0]
    assert "Fresh favourite" in chart
    assert "4.5★ from 1 rating" in chart
    assert "Old favourite" not in chart


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
    assert "No ratings this month yet." in body
    assert "Quiet week." in body
