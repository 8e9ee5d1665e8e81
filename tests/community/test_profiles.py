"""A fan's public page: what everyone sees, what only the fan sees, and what it costs."""

import datetime

import pytest
from django.urls import reverse

from catalog.models import Status
from community.avatars import colour
from community.models import User
from tests.factories import (
    BUDGET_ROWS,
    image_upload,
    make_member,
    make_profile,
    make_rating,
    make_ratings,
    make_user,
    make_video,
    make_videos,
    make_watchlist,
    make_watchlists,
)

pytestmark = pytest.mark.django_db

# The fan with profile and member (1), rating count and page (2), public list count and page (2);
# a signed-in viewer adds session and user (2) and either the follow button or, for the owner,
# the private lists (1).
# Signed in, the header adds the new-video alerts count (then cached for a minute) and the
# notifications count (then cached until it changes): 3 queries on a cold cache.
# The fan's corrections add one, and one per kind of record they are about (none here).
QUERIES = {"anonymous": 6, "other": 12, "owner": 12}


def profile_url(user: User) -> str:
    return reverse("community:profile", args=[user.username])


def make_fan(**kwargs) -> User:
    profile_fields = {
        key: kwargs.pop(key) for key in ("display_name", "bio", "avatar") if key in kwargs
    }
    user = make_user(**kwargs)
    make_profile(user, **profile_fields)
    return user


@pytest.fixture
def chaewon() -> User:
    fan = make_fan(
        username="chaewon",
        display_name="Chae",
        bio="Antifragile on repeat.",
        avatar=image_upload("me.png", size=(300, 200)),
    )
    fan.profile.favourite_member = make_member(stage_name="KIM CHAEWON", slug="kim-chaewon")
    fan.profile.save()
    make_rating(fan, make_video(title="ANTIFRAGILE"), score=9)
    make_watchlist(owner=fan, name="Stage mixes", is_public=True, videos=[make_video()])
    make_watchlist(owner=fan, name="Secret crush list", is_public=False)
    return fan


def test_profile_shows_who_the_fan_is_their_ratings_and_public_lists(client, chaewon):
    body = client.get(profile_url(chaewon)).content.decode()

    assert "<h1>Chae</h1>" in body
    assert "@chaewon" in body
    assert "Antifragile on repeat." in body
    assert 'alt="Chae\'s avatar"' in body
    assert chaewon.profile.avatar_small.url in body
    assert 'href="/members/kim-chaewon/"' in body
    assert f"{chaewon.date_joined:%-d %B %Y}" in body
    assert ">ANTIFRAGILE</a>" in body
    assert '4.5<span class="visually-hidden"> stars out of 5</span>' in body
    assert "4.5<span aria-hidden" not in body  # the stars are drawn once, beside the figure
    assert "Stage mixes" in body
    assert "1 video" in body


def test_a_fan_without_a_picture_has_the_face_they_have_beside_their_comments(client):
    fan = make_fan(username="minji_fan", display_name="Minji")

    body = client.get(profile_url(fan)).content.decode()

    assert '<svg class="avatar avatar-generated"' in body
    assert f'fill="{colour("minji_fan")}"' in body
    assert ">MF</text>" in body  # minji + fan: not the first letter of the display name


@pytest.mark.parametrize("viewer", ["anonymous", "other"])
def test_private_lists_are_hidden_from_everyone_else(client, chaewon, viewer):
    if viewer == "other":
        client.force_login(make_fan())

    body = client.get(profile_url(chaewon)).content.decode()

    assert "Stage mixes" in body
    assert "Secret crush list" not in body
    assert "Your private lists" not in body
    assert "Manage all your lists" not in body


def test_owner_sees_their_private_lists_section(client, chaewon):
    client.force_login(chaewon)

    body = client.get(profile_url(chaewon)).content.decode()

    assert "Your private lists" in body
    assert "Secret crush list" in body
    assert f'<a href="{reverse("community:my-lists")}">Manage all your lists</a>' in body
    assert "Edit your profile" in body


def test_other_fans_get_a_follow_button_and_the_owner_does_not(client, chaewon):
    follow = f'action="{reverse("community:follow")}"'
    client.force_login(make_fan())
    assert follow in client.get(profile_url(chaewon)).content.decode()
    client.force_login(chaewon)
    assert follow not in client.get(profile_url(chaewon)).content.decode()


def test_only_the_ten_latest_ratings_of_published_videos_show(client, chaewon):
    draft = make_video(title="Unreleased cut")
    make_rating(chaewon, draft)
    draft.status = Status.DRAFT
    draft.save()
    for n in range(11):
        make_rating(chaewon, make_video(title=f"Rated {n:02}"))

    body = client.get(profile_url(chaewon)).content.decode()

    assert "Unreleased cut" not in body
    assert "ANTIFRAGILE" not in body  # the oldest
    assert "Rated 00" not in body
    assert "Rated 01" in body
    assert "Rated 10" in body


def test_fan_without_profile_row_has_a_page(client):
    fan = make_user(username="madeinadmin")
    body = client.get(profile_url(fan)).content.decode()
    assert "<h1>madeinadmin</h1>" in body
    assert "No ratings yet." in body


def test_username_is_matched_ignoring_case_and_redirects_to_its_own_address(client, chaewon):
    response = client.get("/u/CHAEWON/")
    assert response.status_code == 301
    assert response["Location"] == "/u/chaewon/"


def test_unknown_and_deactivated_fans_are_not_found(client):
    gone = make_fan(username="gone", is_active=False)
    assert client.get("/u/nobody/").status_code == 404
    assert client.get(profile_url(gone)).status_code == 404


@pytest.mark.parametrize("viewer", ["anonymous", "other", "owner"])
@pytest.mark.parametrize("how_many", BUDGET_ROWS)
def test_profile_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, viewer, how_many
):
    """Guards against N+1: 1,000 ratings and lists cost what 10 do."""
    fan = make_fan()
    video = make_video()
    rated = make_videos(how_many, published_on=datetime.date(2023, 1, 1))
    make_ratings(((fan, v) for v in rated), score=lambda n: n % 10 + 1)
    public = [n % 2 == 0 for n in range(how_many)]
    make_watchlists(how_many, owner=fan, videos=[video], is_public=public)
    if viewer != "anonymous":
        client.force_login(fan if viewer == "owner" else make_fan())

    with django_assert_max_num_queries(QUERIES[viewer]):
        response = client.get(profile_url(fan))

    assert response.status_code == 200
