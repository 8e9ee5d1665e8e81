"""Sources: where each fact comes from, kept with the record or the one fact it supports,
edited by curators in the admin, and the queue of facts still to check."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import ChartAchievement, Credit, Release, Source
from tests.catalog.test_admin import admin_url, form_data
from tests.factories import (
    make_achievement,
    make_credit,
    make_member,
    make_person,
    make_release,
    make_source,
    make_staff,
    make_tag,
    make_tie_in,
    make_track,
    make_video,
)

pytestmark = pytest.mark.django_db

INLINE = "catalog-source-content_type-object_id"


@pytest.fixture
def curator(client):
    client.force_login(make_staff())
    return client


def test_a_source_supports_a_record_or_one_of_its_facts():
    release = make_release()
    whole = make_source(release, url="https://news.example/hot")
    day = make_source(release, url="https://news.example/day", field="released_on")
    other = make_source(make_release(), url="https://news.example/hot")

    assert list(Source.objects.of(release)) == [whole, day]
    assert list(Source.objects.about(release, "released_on")) == [day]
    assert list(Source.objects.about(release)) == [whole]
    assert list(release.sources.all()) == [whole, day]
    assert other not in Source.objects.of(release)


def test_a_press_release_has_no_link_and_a_page_is_named_by_its_site():
    release = make_release()
    press = make_source(release, url="seed:001_5c3fb8ed28f90606.txt")
    page = make_source(release, url="https://www.koreaherald.com/view.php?ud=1")

    assert press.is_press_release
    assert press.link == ""
    assert press.label == "press release"
    assert page.link == page.url
    assert page.label == "koreaherald.com"


@pytest.mark.parametrize(
    ("url", "field", "error"),
    [
        ("ftp://example.com/a", "", "url"),
        ("seed:", "", "url"),
        ("https://", "", "url"),
        ("https://example.com/a", "no_such_field", "field"),
    ],
)
def test_a_bad_address_or_fact_is_refused_with_a_message(url, field, error):
    source = Source(target=make_release(), url=url, field=field)
    with pytest.raises(ValidationError) as raised:
        source.full_clean()
    assert error in raised.value.message_dict


def test_sources_go_with_their_record():
    credit = make_credit(track=make_track())
    make_source(credit)
    credit.delete()
    assert not Source.objects.exists()


def test_curators_add_a_source_of_one_fact_inline(curator):
    release = make_release()
    url = admin_url(Release, "change", release.pk)
    page = curator.get(url)
    assert f'name="{INLINE}-TOTAL_FORMS"' in page.text
    assert '<option value="released_on">Released on</option>' in page.text
    data = form_data(page) | {
        f"{INLINE}-TOTAL_FORMS": "1",
        f"{INLINE}-0-url": "https://news.example/hot",
        f"{INLINE}-0-field": "released_on",
        f"{INLINE}-0-title": "HOT is out",
        f"{INLINE}-0-read_on": "2026-11-21",
        f"{INLINE}-0-position": "1",
    }

    response = curator.post(url, data)

    assert response.status_code == 302
    source = Source.objects.about(release, "released_on").get()
    assert (source.title, source.read_on) == ("HOT is out", datetime.date(2026, 11, 21))


def test_a_bad_address_is_named_and_nothing_is_saved(curator):
    release = make_release(title="HOT")
    url = admin_url(Release, "change", release.pk)
    data = form_data(curator.get(url)) | {
        "title": "HOT (edited)",
        f"{INLINE}-TOTAL_FORMS": "1",
        f"{INLINE}-0-url": "www.example.com",
        f"{INLINE}-0-position": "1",
    }

    response = curator.post(url, data)

    assert response.status_code == 200
    assert "Give an https:// address" in response.text
    release.refresh_from_db()
    assert release.title == "HOT"
    assert not release.sources.exists()


@pytest.mark.parametrize(
    "make", [lambda: make_credit(track=make_track()), make_achievement], ids=["credit", "chart"]
)
def test_a_credit_or_a_chart_record_has_its_own_sources_page(curator, make):
    row = make()
    page = curator.get(admin_url(type(row), "change", row.pk))
    assert f'name="{INLINE}-TOTAL_FORMS"' in page.text


def test_the_queue_puts_unverified_facts_without_a_source_first(curator):
    sourced = make_video(title="Smart", verified=False, verification_note="Check the director.")
    make_source(sourced)
    credit = make_credit(video=sourced, credited_as="VM Project Architecture", verified=False)
    make_achievement(chart="World Albums", verified=False, release=make_release(verified=True))
    make_release(title="Checked", verified=True)

    response = curator.get(reverse("admin:catalog_source_check"))

    labels = [row["label"] for row in response.context["rows"]]
    assert labels == [
        "World Albums #14: " + ChartAchievement.objects.get().release.title,
        "VM Project Architecture (Director) on Smart",
        "Smart",
    ]
    assert [row["sources"] for row in response.context["rows"]] == [0, 0, 1]
    assert "Check the director." in response.text
    assert "Checked" not in labels
    assert Credit.objects.get(verified=False) == credit
    sources_list = curator.get(admin_url(Source, "changelist")).text
    assert reverse("admin:catalog_source_check") in sources_list


def test_fans_cannot_open_the_queue(client):
    response = client.get(reverse("admin:catalog_source_check"))
    assert response.status_code == 302


# ---- On the pages --------------------------------------------------------------------------------


def _json_ld(body: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert match is not None
    return json.loads(match[1])


def test_a_release_page_numbers_its_sources_next_to_the_facts(client):
    release = make_release(slug="hot", title="HOT")
    make_source(release, url="https://news.example/hot", title="HOT is out")
    make_source(release, url="https://news.example/day", field="released_on")
    track = make_track(release=release, title="HOT")
    credit = make_credit(track=track, credited_as="HUH YUNJIN", role=Credit.Role.LYRICIST)
    make_source(credit, url="https://news.example/hot")  # the same page: the same number
    make_source(credit, url="seed:001_5c3fb8ed28f90606.txt")
    chart = make_achievement(release=release)
    make_source(chart, url="https://charts.example/200")

    body = client.get(release.get_absolute_url()).text

    facts = body[body.index('class="facts"') : body.index("</dl>")]
    assert 'href="#source-1"' in facts  # the day: its own source first
    assert 'href="#source-2"' in facts  # the release as a whole
    listed = re.findall(r'<li id="source-(\d+)">(.*?)</li>', body, re.S)
    assert [number for number, _ in listed] == ["1", "2", "3", "4"]
    assert 'href="https://news.example/day"' in listed[0][1]
    assert "HOT is out" in listed[1][1]
    assert "Press release" in listed[2][1]
    assert "href" not in listed[2][1]
    assert 'href="https://charts.example/200"' in listed[3][1]
    data = _json_ld(body)
    assert [c["url"] for c in data["citation"]] == [
        "https://news.example/hot",
        "https://news.example/day",
    ]


def test_a_page_with_no_sources_shows_no_empty_list(client):
    release = make_release()
    assert 'class="sources"' not in client.get(release.get_absolute_url()).text


def test_a_video_page_cites_its_date_themes_credits_and_tie_ins(client):
    video = make_video(slug="come-over", title="Come Over")
    make_source(video, url="https://news.example/mv", field="published_on")
    make_source(video, url="seed:001_5c3fb8ed28f90606.txt", field="themes")
    video.themes.add(make_tag(name="Self-acceptance"))
    director = make_credit(video=video, credited_as="A Director", verified=False)
    make_source(director, url="https://news.example/director")
    tie_in = make_tie_in(name="Android")
    tie_in.videos.add(video)
    make_source(tie_in, url="https://news.example/android")

    body = client.get(video.get_absolute_url()).text

    assert body.count('<li id="source-') == 4
    assert "Unverified" in body[body.index("A Director") :]
    assert [c["url"] for c in _json_ld(body)["citation"]] == ["https://news.example/mv"]


def test_a_member_page_cites_her_facts_and_credits_and_marks_the_unverified(client):
    member = make_member(stage_name="HUH YUNJIN", slug="huh-yunjin")
    make_source(member, url="https://en.wikipedia.org/wiki/Huh_Yun-jin")
    track = make_track(title="Kawaii")
    person = make_person(member=member)
    credit = make_credit(track=track, person=person, role=Credit.Role.LYRICIST, verified=False)
    make_source(credit, url="https://www.newsweekjapan.jp/a")

    body = client.get(member.get_absolute_url()).text

    credits = body[body.index('id="credits-heading"') :]
    assert "Kawaii" in credits
    assert "Unverified" in credits[: credits.index("</li>")]
    assert body.count('<li id="source-') == 2
    data = _json_ld(body)
    assert data["subjectOf"] == [
        {"@type": "CreativeWork", "url": "https://en.wikipedia.org/wiki/Huh_Yun-jin"}
    ]
