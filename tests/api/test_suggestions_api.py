"""suggestions/ in the API: a fan sends a correction with a source and reads their own."""

from __future__ import annotations

import datetime

import pytest

from catalog.models import Status
from community.models import Suggestion
from community.services.suggestions import PER_DAY, suggestion_create, suggestion_decline
from tests.api.conftest import ApiClient, make_token
from tests.factories import BUDGET_ROWS, make_release, make_staff, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/suggestions/"
SOURCE = "https://example.com/news/easy"


@pytest.fixture
def fan():
    return make_user(username="fearnot")


@pytest.fixture
def release():
    return make_release(slug="easy", released_on=datetime.date(2024, 2, 19))


def body(release, **changes):
    return {
        "kind": "release",
        "record": release.pk,
        "field": "released_on",
        "correction": "2024-02-20",
        "source_url": SOURCE,
        **changes,
    }


def test_a_fan_suggests_a_correction(fan, release):
    api = ApiClient(make_token(fan))

    response = api.send("post", URL, body(release, more_sources=["https://b.example/x"]))

    assert response.status_code == 201
    data = response.json()
    assert data["kind"] == "release"
    assert data["record"] == release.pk
    assert data["field"] == "released_on"
    assert data["status"] == "open"
    assert data["more_sources"] == ["https://b.example/x"]
    assert Suggestion.objects.get().author == fan


def test_something_missing(fan, release):
    api = ApiClient(make_token(fan))

    response = api.send("post", URL, body(release, field="missing", correction="A credit"))

    assert response.status_code == 201
    assert response.json()["field"] == "missing"
    assert Suggestion.objects.get().field == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source_url": "nope"}, "source_url"),
        ({"source_url": "ftp://example.com/a"}, "source_url"),
        ({"kind": "person"}, "kind"),
        ({"record": "12"}, "record"),
        ({"correction": ""}, "correction"),
        ({"more_sources": ["x"]}, "more_sources.0"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(fan, release, changes, field):
    api = ApiClient(make_token(fan))

    response = api.send("post", URL, body(release, **changes))

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Suggestion.objects.exists()


def test_an_unknown_record_and_a_draft_are_a_404_naming_the_record(fan, release):
    draft = make_release(status=Status.DRAFT)
    api = ApiClient(make_token(fan))

    for record in (draft.pk, 999999):
        response = api.send("post", URL, body(release, record=record))
        assert response.status_code == 404
        assert "record" in response.json()["errors"]


def test_a_fact_the_record_lacks_is_a_404_naming_the_field(fan, release):
    response = ApiClient(make_token(fan)).send("post", URL, body(release, field="birth_date"))

    assert response.status_code == 404
    assert "field" in response.json()["errors"]


def test_the_days_limit_is_a_429(fan, release):
    for _ in range(PER_DAY):
        suggestion_create(
            author=fan, target=release, field="title", correction="x", source_url=SOURCE
        )

    response = ApiClient(make_token(fan)).send("post", URL, body(release))

    assert response.status_code == 429
    assert Suggestion.objects.count() == PER_DAY


def test_anonymous_clients_are_asked_to_sign_in(release):
    assert ApiClient().send("post", URL, body(release)).status_code == 401
    assert ApiClient().get(URL).status_code == 401


def test_a_fan_lists_only_their_own_with_the_curators_reason(fan, release):
    mine = suggestion_create(
        author=fan, target=release, field="title", correction="EASY", source_url=SOURCE
    )
    suggestion_create(
        author=make_user(), target=release, field="title", correction="x", source_url=SOURCE
    )
    suggestion_decline(suggestion=mine, curator=make_staff(), reason="The cover says EASY.")

    data = ApiClient(make_token(fan)).get(URL).json()

    assert [row["id"] for row in data["results"]] == [mine.pk]
    assert data["results"][0]["status"] == "declined"
    assert data["results"][0]["reason"] == "The cover says EASY."


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_the_list_keeps_a_fixed_query_budget(fan, release, n, django_assert_max_num_queries):
    """Guards N+1: a page of 1,000 suggestions costs what 10 do."""
    Suggestion.objects.bulk_create(
        Suggestion(
            author=fan,
            content_type_id=Suggestion.objects.model._meta.get_field("content_type")
            .related_model.objects.get_for_model(release)
            .pk,
            object_id=release.pk,
            field="title",
            correction=str(i),
            source_url=SOURCE,
        )
        for i in range(n)
    )
    api = ApiClient(make_token(fan))
    api.get(URL)

    # token (with its fan), count, page
    with django_assert_max_num_queries(4):
        assert api.get(URL).status_code == 200
