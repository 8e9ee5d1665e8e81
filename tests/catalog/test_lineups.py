"""Who is in a video: the whole group as it was on the video's day, or the members a curator
lists for a unit or solo video; member pages, the member filter and feeds count the same."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from catalog.models import MusicVideo
from tests.factories import make_member, make_release, make_video

pytestmark = pytest.mark.django_db

DEBUT = datetime.date(2022, 5, 2)
LEFT = datetime.date(2022, 7, 20)


@pytest.fixture
def members():
    return {
        "chaewon": make_member(stage_name="KIM CHAEWON", slug="kim-chaewon", joined_on=None,
                               revealed_on=datetime.date(2022, 4, 7)),
        "garam": make_member(stage_name="KIM GARAM", slug="kim-garam", joined_on=None,
                             revealed_on=datetime.date(2022, 4, 5), left_on=LEFT),
    }  # fmt: skip


def test_a_group_video_has_the_members_of_its_day(members):
    debut = make_video(title="FEARLESS", published_on=DEBUT)
    later = make_video(title="ANTIFRAGILE", published_on=datetime.date(2022, 10, 17))
    on_the_day = make_video(title="Left that day", published_on=LEFT)

    assert [m.slug for m in debut.lineup()] == ["kim-chaewon", "kim-garam"]
    assert [m.slug for m in later.lineup()] == ["kim-chaewon"]
    assert [m.slug for m in on_the_day.lineup()] == ["kim-chaewon"]
    garam = members["garam"]
    assert list(MusicVideo.objects.featuring(garam)) == [debut]
    assert set(MusicVideo.objects.featuring(members["chaewon"])) == {debut, later, on_the_day}


def test_an_undated_group_video_takes_its_releases_day_or_else_the_current_members(members):
    release = make_release(released_on=DEBUT)
    with_release = make_video(title="From the release", published_on=None, release=release)
    undated = make_video(title="Undated", published_on=None)

    assert [m.slug for m in with_release.lineup()] == ["kim-chaewon", "kim-garam"]
    assert [m.slug for m in undated.lineup()] == ["kim-chaewon"]
    assert set(MusicVideo.objects.featuring(members["garam"])) == {with_release}


def test_a_solo_video_lists_its_member_only(members):
    solo = make_video(
        title="Solo", members=[members["garam"]], published_on=datetime.date(2024, 1, 1)
    )

    assert not solo.whole_group
    assert solo.lineup() == [members["garam"]]
    assert list(MusicVideo.objects.featuring(members["chaewon"])) == []
    assert list(MusicVideo.objects.featuring(members["garam"])) == [solo]


def test_pages_filter_and_feeds_count_the_lineup(client, members):
    make_video(title="FEARLESS", slug="fearless", published_on=DEBUT)
    make_video(title="ANTIFRAGILE", slug="antifragile", published_on=datetime.date(2022, 10, 17))

    page = client.get(reverse("catalog:member-detail", args=["kim-garam"])).text
    assert 'href="/videos/fearless/"' in page
    assert 'href="/videos/antifragile/"' not in page
    listed = client.get(reverse("catalog:video-list"), {"member": "kim-garam"}).text
    assert "FEARLESS" in listed
    assert "ANTIFRAGILE" not in listed
    feed = client.get(reverse("catalog:feed-member-videos", args=["kim-chaewon"])).text
    assert "FEARLESS" in feed
    assert "ANTIFRAGILE" in feed
    video_page = client.get(reverse("catalog:video-detail", args=["fearless"])).text
    assert "Lineup at release" in video_page
    assert 'href="/members/kim-garam/"' in video_page
