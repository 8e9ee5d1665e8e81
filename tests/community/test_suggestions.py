"""Suggesting a correction: the form on every catalog page, its limits, and what the fan sees."""

import datetime

import pytest
from django.urls import reverse

from catalog.models import Status
from community.models import Suggestion
from community.services.suggestions import PER_DAY, suggestion_create
from tests.factories import (
    make_achievement,
    make_member,
    make_release,
    make_tie_in,
    make_track,
    make_user,
    make_video,
)

pytestmark = pytest.mark.django_db

SOURCE = "https://example.com/news/le-sserafim-release"


def suggest_url(kind: str, pk: int) -> str:
    return reverse("community:suggest", args=[kind, pk])


@pytest.fixture
def release():
    return make_release(title="EASY", released_on=datetime.date(2024, 2, 19))


@pytest.fixture
def fan():
    return make_user(username="fearnot")


def post(client, url, **data):
    fields = {"field": "released_on", "correction": "2024-02-20", "source_url": SOURCE}
    return client.post(url, {**fields, **data})


def test_a_fan_suggests_a_corrected_date_with_a_source(client, fan, release):
    client.force_login(fan)

    response = post(client, suggest_url("release", release.pk), more_sources="https://a.example/1")

    assert response.status_code == 302
    assert response["Location"] == release.get_absolute_url()
    suggestion = Suggestion.objects.get()
    assert suggestion.author == fan
    assert suggestion.target == release
    assert suggestion.field == "released_on"
    assert suggestion.current_value == "2024-02-19"
    assert suggestion.source_urls == [SOURCE, "https://a.example/1"]
    assert suggestion.status == Suggestion.Status.OPEN


def test_the_form_offers_the_records_facts_and_something_missing(client, fan, release):
    client.force_login(fan)

    page = client.get(suggest_url("release", release.pk)).content.decode()

    assert 'value="released_on"' in page
    assert 'value="missing"' in page
    assert "EASY" in page


def test_something_missing_is_stored_as_no_field(client, fan, release):
    client.force_login(fan)

    post(client, suggest_url("release", release.pk), field="missing", correction="A 4th track")

    assert Suggestion.objects.get().field == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"source_url": ""}, "Give the address of a source"),
        ({"source_url": "not a url"}, "Enter a web address"),
        ({"source_url": "ftp://example.com/x"}, "Enter a web address"),
        ({"correction": ""}, "Write the correction."),
        ({"field": ""}, "Choose the fact to correct."),
        ({"field": "slug"}, "Choose one of the facts listed."),
        ({"more_sources": "https://ok.example/\nnope"}, "is not a web address"),
    ],
)
def test_bad_input_keeps_the_form_and_names_the_problem(client, fan, release, data, message):
    client.force_login(fan)

    response = post(client, suggest_url("release", release.pk), **{"correction": "Keep me", **data})

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if "correction" not in data:
        assert "Keep me" in page
    assert not Suggestion.objects.exists()


def test_a_fan_may_send_a_limited_number_per_day(client, fan, release):
    for _ in range(PER_DAY):
        suggestion_create(
            author=fan, target=release, field="title", correction="x", source_url=SOURCE
        )
    client.force_login(fan)

    response = post(client, suggest_url("release", release.pk), correction="One too many")

    assert response.status_code == 400
    assert "come back tomorrow" in response.content.decode()
    assert "One too many" in response.content.decode()
    assert Suggestion.objects.count() == PER_DAY


def test_yesterdays_suggestions_do_not_count(client, fan, release):
    for _ in range(PER_DAY):
        suggestion_create(
            author=fan, target=release, field="title", correction="x", source_url=SOURCE
        )
    Suggestion.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    client.force_login(fan)

    assert post(client, suggest_url("release", release.pk)).status_code == 302


def test_anonymous_visitors_are_sent_to_log_in(client, release):
    response = client.get(suggest_url("release", release.pk))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_unconfirmed_fan_is_asked_to_confirm_first(client, release):
    client.force_login(make_user(email_verified=False))

    response = post(client, suggest_url("release", release.pk))

    assert response.status_code == 403
    assert not Suggestion.objects.exists()


def test_a_suspended_fan_cannot_suggest(client, release):
    client.force_login(make_user(suspended_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)))

    response = post(client, suggest_url("release", release.pk))

    # Refused by the one write rule, before the form: the page says why.
    assert response.status_code == 403
    assert "suspended" in response.content.decode()


def test_drafts_and_unknown_kinds_are_not_found(client, fan):
    draft = make_release(status=Status.DRAFT)
    client.force_login(fan)

    assert client.get(suggest_url("release", draft.pk)).status_code == 404
    assert client.get(suggest_url("track", make_track(release=draft).pk)).status_code == 404
    assert client.get(suggest_url("person", 1)).status_code == 404
    assert client.get(suggest_url("release", 999999)).status_code == 404


def test_every_catalog_page_links_to_the_form(client, release):
    track = make_track(release=release, title="Swan Song")
    record = make_achievement(release=release, chart="Circle Chart")
    video = make_video(title="EASY MV", release=release)
    member = make_member(stage_name="KAZUHA")
    tie_in = make_tie_in(name="A webtoon")
    tie_in.videos.add(video)
    tie_in.members.add(member)

    release_page = client.get(release.get_absolute_url()).content.decode()
    video_page = client.get(video.get_absolute_url()).content.decode()
    member_page = client.get(member.get_absolute_url()).content.decode()

    assert suggest_url("release", release.pk) in release_page
    assert suggest_url("track", track.pk) in release_page
    assert suggest_url("chart", record.pk) in release_page
    assert suggest_url("video", video.pk) in video_page
    assert suggest_url("tie-in", tie_in.pk) in video_page
    assert suggest_url("member", member.pk) in member_page
    assert suggest_url("tie-in", tie_in.pk) in member_page


@pytest.mark.parametrize("kind", ["track", "chart", "tie-in", "member", "video"])
def test_each_kind_of_record_takes_a_suggestion(client, fan, release, kind):
    video = make_video(release=release)
    tie_in = make_tie_in()
    tie_in.videos.add(video)
    record = {
        "track": lambda: make_track(release=release),
        "chart": lambda: make_achievement(release=release),
        "tie-in": lambda: tie_in,
        "member": lambda: make_member(),
        "video": lambda: video,
    }[kind]()
    field = {"track": "title", "chart": "peak", "tie-in": "partner", "member": "birth_date"}
    client.force_login(fan)

    response = post(client, suggest_url(kind, record.pk), field=field.get(kind, "title"))

    assert response.status_code == 302
    assert Suggestion.objects.get().target == record
