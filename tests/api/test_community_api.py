"""Fans through the API: ratings, watchlists, profile, export; tokens, sessions, limits.

As on the pages: the owner may, another fan may not (403, or 404 for a private list), and an
anonymous client is asked to sign in (401)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Status
from community.models import ApiToken, Rating, Watchlist, WatchlistItem
from community.services.watchlists import watchlist_default_for
from tests.api.conftest import ApiClient, make_token
from tests.factories import (
    BUDGET_ROWS,
    make_fan_history,
    make_rating,
    make_user,
    make_video,
    make_videos,
    make_watchlist,
    make_watchlists,
)

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


@pytest.fixture
def fan():
    return make_user(username="fearnot")


@pytest.fixture
def as_fan(fan) -> ApiClient:
    return ApiClient(make_token(fan))


def _errors(response) -> dict[str, list[str]]:
    assert response["Content-Type"] == "application/json"
    return response.json()["errors"]


# ---- Ratings ------------------------------------------------------------------------------------


def test_a_fan_rates_changes_and_removes_a_rating(as_fan, fan):
    video = make_video(slug="smart")
    url = f"{V1}/videos/smart/rating/"

    first = as_fan.send("put", url, {"score": 9})
    assert first.status_code == 200
    assert first.json()["stars"] == 4.5
    assert first.json()["summary"]["count"] == 1

    as_fan.send("put", url, {"score": 4})
    assert as_fan.get(url).json()["score"] == 4
    video.refresh_from_db()
    assert (video.rating_count, video.rating_sum) == (1, 4)

    assert as_fan.delete(url).status_code == 204
    video.refresh_from_db()
    assert (video.rating_count, video.rating_sum) == (0, 0)
    assert as_fan.get(url).status_code == 404


@pytest.mark.parametrize("score", [0, 11, "9", 4.5, None, True])
def test_a_bad_score_is_a_400_naming_the_field(as_fan, score):
    video = make_video(slug="smart")

    response = as_fan.send("put", f"{V1}/videos/smart/rating/", {"score": score})

    assert response.status_code == 400
    assert list(_errors(response)) == ["score"]
    assert not Rating.objects.filter(video=video).exists()


def test_a_missing_score_is_named_too(as_fan):
    make_video(slug="smart")

    response = as_fan.send("put", f"{V1}/videos/smart/rating/", {})

    assert _errors(response) == {"score": ["This field is required."]}


def test_drafts_cannot_be_rated(as_fan):
    make_video(slug="teaser", status=Status.DRAFT)

    response = as_fan.send("put", f"{V1}/videos/teaser/rating/", {"score": 8})

    assert response.status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_anonymous_rating_is_a_401_asking_for_a_token(api, method):
    make_video(slug="smart")

    response = api.send(method, f"{V1}/videos/smart/rating/", {"score": 8})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert _errors(response) == {"detail": ["Authentication credentials were not provided."]}


def test_a_session_write_needs_the_csrf_token(fan, settings):
    make_video(slug="smart")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(fan)
    browser.get(reverse("home"))  # sets the CSRF cookie
    url = f"{V1}/videos/smart/rating/"

    refused = browser.put(url, {"score": 8}, content_type="application/json")
    csrf = browser.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = browser.put(
        url, {"score": 8}, content_type="application/json", headers={"X-CSRFToken": csrf}
    )

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 200


def test_a_suspended_fan_signed_in_can_read_but_not_write(fan):
    make_video(slug="smart")
    fan.suspended_at = timezone.now()
    fan.save()
    browser = ApiClient()
    browser.force_login(fan)

    assert browser.get(f"{V1}/me/").json()["is_suspended"] is True
    response = browser.send("put", f"{V1}/videos/smart/rating/", {"score": 8})

    assert response.status_code == 403
    assert not Rating.objects.exists()


# ---- Tokens -----------------------------------------------------------------------------------


def test_a_token_signs_in_and_notes_its_use_once_a_minute(fan):
    key = make_token(fan)
    token = ApiToken.objects.get(user=fan)
    client = ApiClient(key)

    with time_machine.travel("2025-03-01 10:00:00Z", tick=False):
        assert client.get(f"{V1}/me/").json()["username"] == "fearnot"
    with time_machine.travel("2025-03-01 10:00:30Z", tick=False):
        client.get(f"{V1}/me/")
    token.refresh_from_db()
    assert token.last_used_at == datetime.datetime(2025, 3, 1, 10, 0, tzinfo=datetime.UTC)

    with time_machine.travel("2025-03-01 10:01:05Z", tick=False):
        client.get(f"{V1}/me/")
    token.refresh_from_db()
    assert token.last_used_at == datetime.datetime(2025, 3, 1, 10, 1, 5, tzinfo=datetime.UTC)


def test_only_the_hash_of_a_key_is_stored(fan):
    key = make_token(fan)
    token = ApiToken.objects.get(user=fan)

    assert key not in (token.key_hash, token.prefix)
    assert key.startswith(token.prefix)


@pytest.mark.parametrize(
    "header",
    ["Token not-a-real-key", "Token", "Token two words", "Token kéy"],
)
def test_a_bad_token_is_a_401_even_on_public_reads(header):
    client = Client(headers={"Authorization": header})

    response = client.get(f"{V1}/themes/")

    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_revoked_token_is_refused(fan):
    key = make_token(fan)
    client = ApiClient(key)
    assert client.get(f"{V1}/me/").status_code == 200

    ApiToken.objects.filter(user=fan).delete()

    assert client.get(f"{V1}/me/").status_code == 401


@pytest.mark.parametrize("change", [{"is_active": False}, {"suspended_at": timezone.now()}])
def test_tokens_of_inactive_or_suspended_fans_are_refused(fan, change):
    client = ApiClient(make_token(fan))
    for field, value in change.items():
        setattr(fan, field, value)
    fan.save()

    response = client.get(f"{V1}/me/")

    assert response.status_code == 401
    assert "inactive or suspended" in response.json()["detail"]


# ---- Public lists ------------------------------------------------------------------------------


def test_public_lists_show_their_items_in_order(api):
    first, second = make_video(slug="first"), make_video(slug="second")
    draft = make_video(slug="draft", status=Status.DRAFT)  # unpublished since it was added
    public = make_watchlist(videos=[second, draft, first], is_public=True, name="Marathon")
    make_watchlist(is_public=False)

    listing = api.get(f"{V1}/lists/").json()
    detail = api.get(f"{V1}/lists/{public.pk}/").json()

    assert [row["name"] for row in listing["results"]] == ["Marathon"]
    assert [item["video"]["slug"] for item in detail["items"]] == ["second", "first"]


def test_a_private_list_is_a_404_except_for_its_owner(api, fan, as_fan):
    private = make_watchlist(owner=fan, is_public=False, videos=[make_video()])

    assert api.get(f"{V1}/lists/{private.pk}/").status_code == 404
    other = ApiClient(make_token())
    assert other.get(f"{V1}/lists/{private.pk}/").status_code == 404
    assert len(as_fan.get(f"{V1}/lists/{private.pk}/").json()["items"]) == 1


# ---- A fan's own lists ---------------------------------------------------------------------


def test_my_lists_are_mine_only(as_fan, fan):
    watchlist_default_for(user=fan)
    make_watchlist(owner=fan, name="Mine", is_public=False)
    make_watchlist(name="Someone else's")

    names = [row["name"] for row in as_fan.get(f"{V1}/me/lists/").json()["results"]]

    assert names == ["Watch later", "Mine"]


def test_a_fan_makes_renames_and_deletes_a_list(as_fan, fan):
    made = as_fan.send("post", f"{V1}/me/lists/", {"name": "Comeback marathon"})
    assert made.status_code == 201
    assert made.json()["is_public"] is False
    pk = made.json()["id"]

    renamed = as_fan.send("patch", f"{V1}/me/lists/{pk}/", {"name": "Marathon", "is_public": True})
    assert renamed.status_code == 200
    watchlist = Watchlist.objects.get(pk=pk)
    assert (watchlist.owner, watchlist.name, watchlist.is_public) == (fan, "Marathon", True)

    assert as_fan.delete(f"{V1}/me/lists/{pk}/").status_code == 204
    assert not Watchlist.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "Fine", "is_public": "yes"}, "is_public"),
        ({"name": "Fine", "description": 5}, "description"),
    ],
)
def test_an_invalid_list_is_a_400_naming_the_field(as_fan, body, field):
    response = as_fan.send("post", f"{V1}/me/lists/", body)

    assert response.status_code == 400
    assert list(_errors(response)) == [field]


def test_malformed_or_oversized_bodies_get_json_errors(as_fan, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    url = f"{V1}/me/lists/"

    malformed = as_fan.post(url, "{not json", content_type="application/json")
    form = as_fan.post(url, {"name": "A list"})  # multipart: the API speaks JSON only
    huge = as_fan.send("post", url, {"name": "x", "description": "y" * 2000})

    assert (malformed.status_code, form.status_code, huge.status_code) == (400, 415, 413)
    assert "JSON parse error" in malformed.json()["detail"]
    assert huge.json()["errors"] == {"detail": ["The request body is too large."]}


def test_a_taken_name_is_a_409_naming_the_field(as_fan, fan):
    make_watchlist(owner=fan, name="Marathon")

    response = as_fan.send("post", f"{V1}/me/lists/", {"name": "marathon"})

    assert response.status_code == 409
    assert list(_errors(response)) == ["name"]


def test_watch_later_cannot_be_deleted(as_fan, fan):
    default = watchlist_default_for(user=fan)

    response = as_fan.delete(f"{V1}/me/lists/{default.pk}/")

    assert response.status_code == 409
    assert "can't be deleted" in response.json()["detail"]
    assert Watchlist.objects.filter(pk=default.pk).exists()


def test_another_fans_public_list_is_a_403_and_their_private_one_a_404(as_fan):
    other = make_user()
    public = make_watchlist(owner=other, name="Theirs", is_public=True, videos=[make_video()])
    private = make_watchlist(owner=other, name="Secret", is_public=False)
    item = public.items.get()

    assert as_fan.send("patch", f"{V1}/me/lists/{public.pk}/", {"name": "Mine"}).status_code == 403
    assert as_fan.delete(f"{V1}/me/lists/{public.pk}/").status_code == 403
    add = as_fan.send("post", f"{V1}/me/lists/{public.pk}/items/", {"video": "x"})
    assert add.status_code == 403
    edit = as_fan.send("patch", f"{V1}/me/lists/{public.pk}/items/{item.pk}/", {"note": "!"})
    assert edit.status_code == 403
    assert as_fan.send("patch", f"{V1}/me/lists/{private.pk}/", {"name": "x"}).status_code == 404

    public.refresh_from_db()
    item.refresh_from_db()
    assert (public.name, item.note) == ("Theirs", "")


def test_anonymous_clients_are_asked_to_sign_in(api):
    watchlist = make_watchlist(is_public=True)

    for method, path in [
        ("get", "me/"),
        ("get", "me/export/"),
        ("get", "me/lists/"),
        ("post", "me/lists/"),
        ("patch", f"me/lists/{watchlist.pk}/"),
        ("delete", f"me/lists/{watchlist.pk}/"),
    ]:
        assert api.send(method, f"{V1}/{path}", {"name": "x"}).status_code == 401, path


def test_put_and_get_on_one_of_my_lists_are_not_allowed(as_fan, fan):
    watchlist = make_watchlist(owner=fan)

    assert as_fan.send("put", f"{V1}/me/lists/{watchlist.pk}/", {"name": "x"}).status_code == 405
    assert as_fan.get(f"{V1}/me/lists/{watchlist.pk}/").status_code == 405


# ---- Items ---------------------------------------------------------------------------------


def test_a_fan_adds_notes_moves_and_removes_items(as_fan, fan):
    make_video(slug="easy")
    watchlist = make_watchlist(owner=fan, videos=[make_video(), make_video()])
    items_url = f"{V1}/me/lists/{watchlist.pk}/items/"

    added = as_fan.send("post", items_url, {"video": "easy", "note": "For Sunday"})
    assert added.status_code == 201
    assert added.json()["video"]["page_url"] == "http://testserver/videos/easy/"
    item_id = added.json()["id"]

    changed = as_fan.send(
        "patch", f"{items_url}{item_id}/", {"watched_on": "2025-03-02", "move_to": 1}
    )
    assert changed.status_code == 200
    order = list(watchlist.items.order_by("position", "id").values_list("id", flat=True))
    assert order[0] == item_id
    item = WatchlistItem.objects.get(pk=item_id)
    assert (item.note, item.watched_on) == ("For Sunday", datetime.date(2025, 3, 2))

    assert as_fan.delete(f"{items_url}{item_id}/").status_code == 204
    watchlist.refresh_from_db()
    assert watchlist.item_count == 2


def test_adding_a_video_twice_is_a_409(as_fan, fan):
    video = make_video(slug="easy")
    watchlist = make_watchlist(owner=fan, videos=[video])

    response = as_fan.send("post", f"{V1}/me/lists/{watchlist.pk}/items/", {"video": "easy"})

    assert response.status_code == 409
    assert response.json()["detail"] == "Already in this list."


@pytest.mark.parametrize("slug", ["no-such-video", "a-draft"])
def test_adding_an_unknown_or_draft_video_is_a_404_naming_the_field(as_fan, fan, slug):
    make_video(slug="a-draft", status=Status.DRAFT)
    watchlist = make_watchlist(owner=fan)

    response = as_fan.send("post", f"{V1}/me/lists/{watchlist.pk}/items/", {"video": slug})

    assert response.status_code == 404
    assert list(_errors(response)) == ["video"]
    assert not watchlist.items.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"watched_on": "2999-01-01"}, "watched_on"),
        ({"watched_on": "20250302"}, "watched_on"),
        ({"note": "x" * 281}, "note"),
        ({"move_to": 0}, "move_to"),
    ],
)
def test_an_invalid_item_change_is_a_400_naming_the_field(as_fan, fan, body, field):
    watchlist = make_watchlist(owner=fan, videos=[make_video()])
    item = watchlist.items.get()

    response = as_fan.send("patch", f"{V1}/me/lists/{watchlist.pk}/items/{item.pk}/", body)

    assert response.status_code == 400
    assert list(_errors(response)) == [field]
    item.refresh_from_db()
    assert (item.note, item.watched_on) == ("", None)


def test_an_item_of_another_list_is_a_404(as_fan, fan):
    mine = make_watchlist(owner=fan)
    theirs = make_watchlist(owner=fan, videos=[make_video()])
    item = theirs.items.get()

    response = as_fan.send("patch", f"{V1}/me/lists/{mine.pk}/items/{item.pk}/", {"note": "x"})

    assert response.status_code == 404


# ---- Me -------------------------------------------------------------------------------------


def test_me_shows_the_profile_and_export_has_everything(as_fan, fan):
    video = make_video(slug="smart")
    make_rating(user=fan, video=video, score=8)

    me = as_fan.get(f"{V1}/me/").json()
    export = as_fan.get(f"{V1}/me/export/")

    assert me["username"] == "fearnot"
    assert me["profile_url"] == "http://testserver/u/fearnot/"
    assert export["Cache-Control"] == "private, no-store"
    assert export.json()["ratings"][0]["video"] == "smart"


# ---- Query budgets --------------------------------------------------------------------------


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_list_endpoints_run_a_fixed_number_of_queries(
    api, fan, as_fan, django_assert_max_num_queries, n
):
    """Guards against N+1 queries: the same count for 10 items as for 1,000."""
    videos = make_videos(n)
    make_watchlists(n, owner=fan, is_public=True)
    [big] = make_watchlists(1, owner=fan, is_public=True, videos=videos)

    with django_assert_max_num_queries(2):  # count, page with owners and profiles
        assert len(api.get(f"{V1}/lists/?page_size=100").json()["results"]) == min(n + 1, 100)
    with django_assert_max_num_queries(4):  # the list, its items, their videos, featured credits
        assert len(api.get(f"{V1}/lists/{big.pk}/").json()["items"]) == n
    with django_assert_max_num_queries(4):  # the token (+ its last use), count, page
        assert len(as_fan.get(f"{V1}/me/lists/?page_size=100").json()["results"]) == min(n + 1, 100)


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_me_and_export_run_a_fixed_number_of_queries(as_fan, fan, django_assert_max_num_queries, n):
    """Guards against N+1 queries: the export costs the same for 10 of everything as for 1,000."""
    make_fan_history(fan, n)
    as_fan.get(f"{V1}/me/")  # the token's "last used" note and the profile, once, not counted

    with django_assert_max_num_queries(2):  # the token with its fan, the profile
        me = as_fan.get(f"{V1}/me/").json()
    # the token, profile, ratings, lists, their items, diary, comments, suggestions, follows
    # (videos etc. joined)
    with django_assert_max_num_queries(9):
        export = as_fan.get(f"{V1}/me/export/").json()

    assert me["username"] == "fearnot"
    assert len(export["ratings"]) == len(export["diary"]) == len(export["follows"]) == n
    assert sum(len(watchlist["items"]) for watchlist in export["watchlists"]) == 2 * n


# ---- Write limits -----------------------------------------------------------------------------


def test_writes_have_their_own_limit_answered_with_a_json_429(as_fan, settings):
    make_video(slug="smart")
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100/min", "user": "100/min", "writes": "2/min"},
    }
    cache.clear()
    url = f"{V1}/videos/smart/rating/"

    statuses = [as_fan.send("put", url, {"score": 8}).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert as_fan.get(url).status_code == 200  # reading is still fine
    assert as_fan.send("put", url, {"score": 8}).json()["detail"].startswith("Request was")


# ---- The token page ---------------------------------------------------------------------------


def test_the_token_page_needs_a_signed_in_fan(client):
    response = client.get(reverse("community:api-tokens"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_new_key_is_shown_once_and_works(client, fan):
    client.force_login(fan)
    page = reverse("community:api-tokens")

    shown = client.post(page, {"name": "Discord bot"}, follow=True)
    token = ApiToken.objects.get(user=fan)
    key = shown.context["new_key"]["key"]

    assert key in shown.content.decode()
    assert token.prefix in client.get(page).content.decode()
    assert key not in client.get(page).content.decode()
    assert ApiClient(key).get(f"{V1}/me/").json()["username"] == "fearnot"


def test_a_fan_revokes_their_token_but_not_anothers(client, fan):
    key = make_token(fan)
    theirs = make_token()
    client.force_login(fan)
    own = ApiToken.objects.get(user=fan)
    other = ApiToken.objects.exclude(user=fan).get()

    refused = client.post(reverse("community:api-token-revoke", args=[other.pk]))
    revoked = client.post(reverse("community:api-token-revoke", args=[own.pk]))

    assert refused.status_code == 404
    assert revoked.status_code == 302
    assert ApiClient(key).get(f"{V1}/me/").status_code == 401
    assert ApiClient(theirs).get(f"{V1}/me/").status_code == 200
    assert client.get(reverse("community:api-token-revoke", args=[own.pk])).status_code == 405


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_the_token_page_runs_a_fixed_number_of_queries(
    client, fan, django_assert_max_num_queries, n
):
    """Guards against N+1 queries: the page lists every token in one query. A fan holds at most
    ten; 1,000, made in bulk past that cap, show that a row costs nothing of its own."""
    ApiToken.objects.bulk_create(
        ApiToken(user=fan, name=f"bot {i}", key_hash=f"{i:064x}", prefix=f"{i:08x}")
        for i in range(n)
    )
    client.force_login(fan)
    client.get(reverse("community:api-tokens"))  # the header's counts, cached from then on

    with django_assert_max_num_queries(2):  # session, the tokens (the fan: kept)
        page = client.get(reverse("community:api-tokens")).content.decode()

    assert page.count("…</code>") == n
    assert f"<code>{n - 1:08x}…</code>" in page


def test_a_fan_holds_at_most_ten_tokens(client, fan):
    for n in range(10):
        make_token(fan, name=f"bot {n}")
    client.force_login(fan)

    response = client.post(reverse("community:api-tokens"), {"name": "one more"})

    assert response.status_code == 200
    assert "revoke one you no longer use" in response.content.decode()
    assert ApiToken.objects.filter(user=fan).count() == 10
