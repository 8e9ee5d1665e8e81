"""Watchlists: a fan's own lists, the public directory, adding from any video, exports.

alice owns the lists, bob is another fan, and the anonymous client is a visitor.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import Status
from community import ratelimit
from community.models import User, Watchlist, WatchlistItem
from community.services.watchlists import (
    watch_later_add,
    watchlist_add_video,
    watchlist_default_for,
)
from community.views.watchlists import ITEMS_PER_PAGE
from tests.factories import (
    BUDGET_ROWS,
    make_user,
    make_users,
    make_video,
    make_videos,
    make_watchlist,
    make_watchlists,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice() -> User:
    return make_user(username="alice")


@pytest.fixture
def bob() -> User:
    return make_user(username="bob")


def client_for(user: User, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def items_of(watchlist: Watchlist) -> list[str]:
    return list(watchlist.items.values_list("video__title", flat=True))


def assert_login_redirect(response) -> None:
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# ---- The default list and a fan's own lists ----------------------------------------------------


def test_default_list_is_created_private_on_first_need_and_only_once(alice):
    client = client_for(alice)
    assert not Watchlist.objects.filter(owner=alice).exists()

    assert client.get(reverse("community:my-lists")).status_code == 200
    client.get(reverse("community:my-lists"))

    default = Watchlist.objects.get(owner=alice)
    assert (default.name, default.is_default, default.is_public) == ("Watch later", True, False)


def test_a_list_the_fan_already_called_watch_later_becomes_the_default(alice):
    own = make_watchlist(owner=alice, name="watch LATER")
    assert watchlist_default_for(user=alice) == own
    own.refresh_from_db()
    assert own.is_default
    assert Watchlist.objects.filter(owner=alice).count() == 1


def test_the_default_list_shows_its_stock_name_in_the_fans_language(alice, bob):
    default = watchlist_default_for(user=alice)
    own_name = make_watchlist(owner=bob, name="watch LATER")
    watchlist_default_for(user=bob)
    own_name.refresh_from_db()
    other = make_watchlist(owner=alice, name="Watch later, maybe")

    with translation.override("ko"):
        assert default.display_name == translation.gettext("Watch later")
        assert default.name == "Watch later"  # stored in English, as the API returns it
        assert own_name.is_default
        assert own_name.display_name == "watch LATER"
        assert other.display_name == "Watch later, maybe"
    assert default.display_name == "Watch later"


def test_my_lists_shows_private_lists_to_their_owner_only(alice, bob):
    make_watchlist(owner=alice, name="Secret faves", is_public=False)
    assert "Secret faves" in client_for(alice).get(reverse("community:my-lists")).content.decode()
    assert "Secret faves" not in client_for(bob).get(reverse("community:my-lists")).content.decode()
    assert_login_redirect(Client().get(reverse("community:my-lists")))


def test_create_a_list(alice):
    response = client_for(alice).post(
        reverse("community:watchlist-create"),
        {"name": "Performance era", "description": "Stages only", "is_public": "on"},
    )
    watchlist = Watchlist.objects.get(owner=alice, name="Performance era")
    assert response.status_code == 302
    assert response.url == watchlist.get_absolute_url()
    assert (watchlist.description, watchlist.is_public, watchlist.is_default) == (
        "Stages only",
        True,
        False,
    )


def test_anonymous_cannot_create_a_list():
    assert_login_redirect(Client().get(reverse("community:watchlist-create")))
    assert_login_redirect(Client().post(reverse("community:watchlist-create"), {"name": "x"}))
    assert not Watchlist.objects.exists()


def test_duplicate_list_name_ignoring_case_is_a_form_error_keeping_the_text(alice):
    make_watchlist(owner=alice, name="Comebacks")
    response = client_for(alice).post(
        reverse("community:watchlist-create"),
        {"name": "COMEBACKS", "description": "my second try"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "You already have a list called “COMEBACKS”." in body
    assert 'value="COMEBACKS"' in body
    assert "my second try" in body
    assert Watchlist.objects.filter(owner=alice).count() == 1


def test_another_fan_may_use_the_same_name(alice, bob):
    make_watchlist(owner=alice, name="Comebacks")
    client_for(bob).post(reverse("community:watchlist-create"), {"name": "Comebacks"})
    assert Watchlist.objects.filter(name="Comebacks").count() == 2


def test_edit_a_list_as_owner(alice):
    watchlist = make_watchlist(owner=alice, name="Old", is_public=True)
    response = client_for(alice).post(
        reverse("community:watchlist-edit", args=[watchlist.pk]), {"name": "New", "description": ""}
    )
    assert response.status_code == 302
    watchlist.refresh_from_db()
    assert (watchlist.name, watchlist.is_public) == ("New", False)


def test_the_default_list_keeps_its_name(alice):
    default = watchlist_default_for(user=alice)
    client_for(alice).post(
        reverse("community:watchlist-edit", args=[default.pk]),
        {"name": "Renamed", "description": "for later", "is_public": "on"},
    )
    default.refresh_from_db()
    assert (default.name, default.description, default.is_public) == (
        "Watch later",
        "for later",
        True,
    )


@pytest.mark.parametrize("who", ["bob", "anonymous"])
def test_others_cannot_edit_or_delete_a_list(alice, bob, who):
    watchlist = make_watchlist(owner=alice, name="Mine", description="keep")
    client = client_for(bob) if who == "bob" else Client()
    edit = reverse("community:watchlist-edit", args=[watchlist.pk])
    delete = reverse("community:watchlist-delete", args=[watchlist.pk])

    responses = [
        client.get(edit),
        client.post(edit, {"name": "Hijacked", "description": ""}),
        client.get(delete),
        client.post(delete),
    ]

    for response in responses:
        if who == "bob":
            assert response.status_code == 404
        else:
            assert_login_redirect(response)
    watchlist.refresh_from_db()
    assert (watchlist.name, watchlist.description, watchlist.is_public) == ("Mine", "keep", True)


def test_delete_a_list_after_confirming(alice):
    watchlist = make_watchlist(owner=alice, name="Bye", videos=[make_video()])
    client = client_for(alice)
    url = reverse("community:watchlist-delete", args=[watchlist.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Delete “Bye”?" in confirm.content.decode()
    assert Watchlist.objects.filter(pk=watchlist.pk).exists()

    response = client.post(url)
    assert response.url == reverse("community:my-lists")
    assert not Watchlist.objects.filter(pk=watchlist.pk).exists()
    assert not WatchlistItem.objects.exists()


def test_the_default_list_cannot_be_deleted(alice):
    default = watchlist_default_for(user=alice)
    response = client_for(alice).post(reverse("community:watchlist-delete", args=[default.pk]))
    assert response.status_code == 302
    assert Watchlist.objects.filter(pk=default.pk).exists()


# ---- Adding videos --------------------------------------------------------------------------


def test_add_from_the_video_page_goes_to_watch_later_and_back(alice):
    video = make_video(title="ANTIFRAGILE")
    client = client_for(alice)

    response = client.post(
        reverse("community:watchlist-add", args=[video.slug]),
        {"next": video.get_absolute_url()},
        follow=True,
    )

    default = Watchlist.objects.get(owner=alice, is_default=True)
    assert response.redirect_chain == [(video.get_absolute_url(), 302)]
    assert "Added “ANTIFRAGILE” to “Watch later”." in response.content.decode()
    assert items_of(default) == ["ANTIFRAGILE"]
    assert default.item_count == 1


def test_add_from_the_chooser_to_a_chosen_list_with_a_note(alice):
    video = make_video(title="EASY")
    stages = make_watchlist(owner=alice, name="Stages")
    client = client_for(alice)
    url = reverse("community:watchlist-add", args=[video.slug])

    chooser = client.get(url, {"next": "/videos/"})
    body = chooser.content.decode()
    assert chooser.status_code == 200
    assert "Stages" in body
    assert "Watch later (private)" in body
    assert 'value="/videos/"' in body

    response = client.post(
        url, {"watchlist": stages.pk, "note": "the dance break", "next": "/videos/"}
    )

    assert response.url == "/videos/"
    item = WatchlistItem.objects.get(watchlist=stages)
    assert (item.video, item.note, item.position) == (video, "the dance break", 1)
    stages.refresh_from_db()
    assert stages.item_count == 1
    assert not WatchlistItem.objects.exclude(watchlist=stages).exists()


def test_items_are_appended_at_the_end(alice):
    first, second = make_video(title="First"), make_video(title="Second")
    watchlist = make_watchlist(owner=alice, videos=[first])
    client_for(alice).post(
        reverse("community:watchlist-add", args=[second.slug]), {"watchlist": watchlist.pk}
    )
    assert items_of(watchlist) == ["First", "Second"]


def test_adding_twice_says_so_and_keeps_one_item(alice):
    video = make_video()
    watchlist = make_watchlist(owner=alice, name="Faves", videos=[video], follower_count=3)
    response = client_for(alice).post(
        reverse("community:watchlist-add", args=[video.slug]),
        {"watchlist": watchlist.pk},
        follow=True,
    )
    assert "“Faves”: Already in this list." in response.content.decode()
    assert watchlist.items.count() == 1
    watchlist.refresh_from_db()
    assert (watchlist.item_count, watchlist.follower_count) == (1, 3)


def test_adding_twice_to_watch_later_names_it_and_keeps_one_item(alice):
    video = make_video()
    client = client_for(alice)
    url = reverse("community:watchlist-add", args=[video.slug])
    client.post(url)
    response = client.post(url, follow=True)
    assert "“Watch later”: Already in this list." in response.content.decode()
    default = Watchlist.objects.get(owner=alice, is_default=True)
    assert (default.items.count(), default.item_count) == (1, 1)


def test_adding_without_a_choice_names_a_default_list_by_its_own_name(alice):
    make_watchlist(owner=alice, name="watch LATER")  # the fan's, before there was a default
    video = make_video(title="UNFORGIVEN")
    response = client_for(alice).post(
        reverse("community:watchlist-add", args=[video.slug]), follow=True
    )
    assert "Added “UNFORGIVEN” to “watch LATER”." in response.content.decode()
    default = Watchlist.objects.get(owner=alice, is_default=True)
    assert (default.name, items_of(default), default.item_count) == (
        "watch LATER",
        ["UNFORGIVEN"],
        1,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
def test_adds_at_once_to_a_new_watch_later_take_their_turns():
    """A fan's first adds, all at once: one makes the list, the others find it, and each takes
    the next place and counts itself once, in turn behind the list's row lock."""
    fan, videos = make_user(), make_videos(8)
    errors = []
    start = threading.Barrier(len(videos))

    def add(video) -> None:
        try:
            start.wait()
            watch_later_add(user=fan, video=video)
        except Exception as error:  # surfaced below; a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(video,)) for video in videos]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    default = Watchlist.objects.get(owner=fan, is_default=True)
    assert sorted(default.items.values_list("position", flat=True)) == list(range(1, 9))
    assert default.item_count == 8


def test_the_chooser_marks_lists_that_already_have_the_video(alice):
    video = make_video()
    make_watchlist(owner=alice, name="Has it", videos=[video])
    body = client_for(alice).get(reverse("community:watchlist-add", args=[video.slug]))
    assert "Has it — already added" in body.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_drafts_and_unknown_videos_cannot_be_added(alice, method):
    draft = make_video(status=Status.DRAFT)
    client = client_for(alice)
    for slug in (draft.slug, "no-such-video"):
        response = getattr(client, method)(reverse("community:watchlist-add", args=[slug]))
        assert response.status_code == 404
    assert not WatchlistItem.objects.exists()


def test_adding_to_someone_elses_list_is_a_404_and_changes_nothing(alice, bob):
    video = make_video()
    theirs = make_watchlist(owner=bob, name="Bob's")
    response = client_for(alice).post(
        reverse("community:watchlist-add", args=[video.slug]), {"watchlist": theirs.pk}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.item_count == 0
    assert not WatchlistItem.objects.exists()


def test_anonymous_adding_is_sent_to_log_in():
    video = make_video()
    assert_login_redirect(Client().post(reverse("community:watchlist-add", args=[video.slug])))
    assert not WatchlistItem.objects.exists()


def test_next_pointing_elsewhere_is_ignored(alice):
    video = make_video()
    response = client_for(alice).post(
        reverse("community:watchlist-add", args=[video.slug]), {"next": "https://evil.example/"}
    )
    assert response.url == video.get_absolute_url()


def test_a_too_long_note_is_shown_next_to_the_field(alice):
    video = make_video()
    response = client_for(alice).post(
        reverse("community:watchlist-add", args=[video.slug]), {"note": "x" * 281}
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 280 characters" in response.content.decode()
    assert not WatchlistItem.objects.exists()


def test_service_refuses_drafts():
    from django.core.exceptions import ValidationError

    watchlist = make_watchlist()
    with pytest.raises(ValidationError):
        watchlist_add_video(watchlist=watchlist, video=make_video(status=Status.DRAFT))
    assert watchlist.item_count == 0


# ---- The card widget --------------------------------------------------------------------------


def test_cards_offer_watch_later_to_fans_and_log_in_to_visitors(alice):
    saved, other = make_video(title="Saved one"), make_video(title="Other one")
    make_watchlist(owner=alice, name="Watch later", is_default=True, videos=[saved])

    fan_page = client_for(alice).get(reverse("catalog:video-list")).content.decode()
    visitor_page = Client().get(reverse("catalog:video-list")).content.decode()

    assert fan_page.count("✓ In") == 1
    assert reverse("community:watchlist-add", args=[other.slug]) in fan_page
    assert "Choose a list…" in fan_page
    assert f"{reverse('login')}?next=/videos/" in visitor_page
    assert 'method="post"' not in visitor_page.split("<main")[1].split("</main>")[0]


# ---- Moving, editing and removing items -------------------------------------------------------


@pytest.fixture
def abc_list(alice) -> Watchlist:
    return make_watchlist(
        owner=alice, videos=[make_video(title=t) for t in ("A", "B", "C", "D")], follower_count=2
    )


def _item(watchlist: Watchlist, title: str) -> WatchlistItem:
    return watchlist.items.get(video__title=title)


@pytest.mark.parametrize(
    ("title", "data", "expected"),
    [
        ("B", {"direction": "up"}, ["B", "A", "C", "D"]),
        ("B", {"direction": "down"}, ["A", "C", "B", "D"]),
        ("C", {"direction": "top"}, ["C", "A", "B", "D"]),
        ("A", {"direction": "bottom"}, ["B", "C", "D", "A"]),
        ("D", {"position": "2"}, ["A", "D", "B", "C"]),
        ("A", {"direction": "up"}, ["A", "B", "C", "D"]),
        ("D", {"direction": "down"}, ["A", "B", "C", "D"]),
    ],
)
def test_move_items(alice, abc_list, title, data, expected):
    item = _item(abc_list, title)
    response = client_for(alice).post(
        reverse("community:item-move", args=[abc_list.pk, item.pk]), data
    )
    assert response.status_code == 302
    assert items_of(abc_list) == expected
    assert sorted(abc_list.items.values_list("position", flat=True)) == [1, 2, 3, 4]


def test_moving_after_a_removal_still_swaps_neighbours(alice, abc_list):
    client = client_for(alice)
    b = _item(abc_list, "B")
    client.post(reverse("community:item-remove", args=[abc_list.pk, b.pk]))
    d = _item(abc_list, "D")
    client.post(reverse("community:item-move", args=[abc_list.pk, d.pk]), {"direction": "up"})
    assert items_of(abc_list) == ["A", "D", "C"]


def test_an_unknown_move_changes_nothing(alice, abc_list):
    item = _item(abc_list, "B")
    response = client_for(alice).post(
        reverse("community:item-move", args=[abc_list.pk, item.pk]), {"direction": "sideways"}
    )
    assert response.status_code == 302
    assert items_of(abc_list) == ["A", "B", "C", "D"]


def test_save_a_note_and_the_watched_date(alice, abc_list):
    item = _item(abc_list, "C")
    response = client_for(alice).post(
        reverse("community:item-update", args=[abc_list.pk, item.pk]),
        {"note": "Rewatch the bridge", "watched_on": "2025-03-14"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.note, item.watched_on) == ("Rewatch the bridge", datetime.date(2025, 3, 14))
    body = client_for(alice).get(abc_list.get_absolute_url()).content.decode()
    assert "Rewatch the bridge" in body
    assert "14 March 2025" in body


def test_a_future_watched_date_is_an_error_next_to_the_field(alice, abc_list):
    item = _item(abc_list, "C")
    future = timezone.localdate() + datetime.timedelta(days=5)
    response = client_for(alice).post(
        reverse("community:item-update", args=[abc_list.pk, item.pk]),
        {"note": "soon", "watched_on": future.isoformat()},
    )
    assert response.status_code == 200
    assert "That date is in the future." in response.content.decode()
    item.refresh_from_db()
    assert (item.note, item.watched_on) == ("", None)


def test_remove_an_item_updates_the_count(alice, abc_list):
    item = _item(abc_list, "B")
    client_for(alice).post(reverse("community:item-remove", args=[abc_list.pk, item.pk]))
    abc_list.refresh_from_db()
    assert items_of(abc_list) == ["A", "C", "D"]
    assert (abc_list.item_count, abc_list.follower_count) == (3, 2)


@pytest.mark.parametrize("who", ["bob", "anonymous"])
def test_others_cannot_touch_items(alice, bob, abc_list, who):
    client = client_for(bob) if who == "bob" else Client()
    item = _item(abc_list, "B")
    before = abc_list.updated_at
    responses = [
        client.post(
            reverse("community:item-move", args=[abc_list.pk, item.pk]), {"direction": "up"}
        ),
        client.post(
            reverse("community:item-update", args=[abc_list.pk, item.pk]),
            {"note": "mine now", "watched_on": "2024-01-01"},
        ),
        client.post(reverse("community:item-remove", args=[abc_list.pk, item.pk])),
    ]
    for response in responses:
        if who == "bob":
            assert response.status_code == 404
        else:
            assert_login_redirect(response)
    item.refresh_from_db()
    abc_list.refresh_from_db()
    assert (item.note, item.watched_on) == ("", None)
    assert items_of(abc_list) == ["A", "B", "C", "D"]
    assert (abc_list.item_count, abc_list.updated_at) == (4, before)


def test_an_item_of_another_list_is_a_404_even_for_its_owner(alice, abc_list):
    elsewhere = make_watchlist(owner=alice, videos=[make_video()])
    item = elsewhere.items.get()
    response = client_for(alice).post(reverse("community:item-remove", args=[abc_list.pk, item.pk]))
    assert response.status_code == 404
    assert elsewhere.items.count() == 1


def test_item_controls_are_post_only(alice, abc_list):
    item = _item(abc_list, "B")
    client = client_for(alice)
    for name in ("community:item-move", "community:item-update", "community:item-remove"):
        assert client.get(reverse(name, args=[abc_list.pk, item.pk])).status_code == 405


# ---- Seeing a list ------------------------------------------------------------------------------


def test_private_list_is_only_for_its_owner(alice, bob):
    private = make_watchlist(owner=alice, name="Hidden gems", is_public=False)
    url = private.get_absolute_url()
    assert client_for(alice).get(url).status_code == 200
    assert client_for(bob).get(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_a_public_list_shows_items_in_order_with_notes_and_no_owner_controls(alice, bob):
    videos = [make_video(title=t) for t in ("Zeta", "Alpha")]
    watchlist = make_watchlist(owner=alice, name="Order matters", videos=videos)
    watchlist.items.filter(video__title="Alpha").update(note="Best one")

    body = client_for(bob).get(watchlist.get_absolute_url()).content.decode()

    assert body.index("Zeta") < body.index("Alpha")
    assert "Best one" in body
    assert (
        reverse("community:item-move", args=[watchlist.pk, watchlist.items.first().pk]) not in body
    )


def test_owner_sees_move_and_remove_buttons(alice, abc_list):
    body = client_for(alice).get(abc_list.get_absolute_url()).content.decode()
    item = _item(abc_list, "B")
    assert reverse("community:item-move", args=[abc_list.pk, item.pk]) in body
    assert reverse("community:item-remove", args=[abc_list.pk, item.pk]) in body
    assert 'type="date"' in body


def test_drafts_in_a_list_are_hidden_from_the_public(alice):
    draft = make_video(title="Unreleased teaser")
    watchlist = make_watchlist(owner=alice, videos=[draft, make_video(title="Out now")])
    draft.status = Status.DRAFT
    draft.save()
    body = Client().get(watchlist.get_absolute_url()).content.decode()
    assert "Out now" in body
    assert "Unreleased teaser" not in body


# ---- The public directory ---------------------------------------------------------------------


def _titles(response) -> list[str]:
    return [w.name for w in response.context["page"]]


def test_public_lists_sorting_and_private_lists_left_out(alice):
    make_watchlist(owner=alice, name="Small", follower_count=9)
    make_watchlist(owner=alice, name="Big", videos=[make_video(), make_video()])
    make_watchlist(owner=alice, name="Newest", follower_count=1)
    make_watchlist(owner=alice, name="Private one", is_public=False)
    url = reverse("community:watchlist-list")

    assert _titles(Client().get(url)) == ["Newest", "Big", "Small"]
    assert _titles(Client().get(url, {"sort": "largest"})) == ["Big", "Newest", "Small"]
    assert _titles(Client().get(url, {"sort": "followed"})) == ["Small", "Newest", "Big"]
    assert _titles(Client().get(url, {"sort": "bogus"})) == ["Newest", "Big", "Small"]
    assert (
        f'by <a href="{alice.get_absolute_url()}">alice</a>' in Client().get(url).content.decode()
    )


def test_public_lists_paginate_by_24_keeping_the_sort(alice):
    for n in range(25):
        make_watchlist(owner=alice, name=f"List {n:02}")
    url = reverse("community:watchlist-list")
    first = Client().get(url, {"sort": "largest"})
    second = Client().get(url, {"sort": "largest", "page": 2})
    assert len(first.context["page"]) == 24
    assert len(second.context["page"]) == 1
    assert "?sort=largest&amp;page=2" in first.content.decode()


def test_public_lists_empty_state():
    body = Client().get(reverse("community:watchlist-list")).content.decode()
    assert "No public lists yet." in body


# ---- Export -------------------------------------------------------------------------------------


def test_csv_export(alice):
    video = make_video(title="Perfect Night")
    watchlist = make_watchlist(
        owner=alice, name="Night drive", videos=[video, make_video(title="HOT")]
    )
    watchlist.items.filter(video=video).update(
        note='=HYPERLINK("evil")', watched_on=datetime.date(2024, 12, 24)
    )

    response = Client().get(reverse("community:watchlist-export", args=[watchlist.pk, "csv"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="night-drive-{watchlist.pk}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["position", "title", "video_url", "note", "watched_on", "added_at"]
    assert [(r["position"], r["title"]) for r in rows] == [("1", "Perfect Night"), ("2", "HOT")]
    assert rows[0]["video_url"] == f"http://testserver{video.get_absolute_url()}"
    # A spreadsheet must show the note, not run it.
    assert rows[0]["note"] == '\'=HYPERLINK("evil")'
    assert rows[0]["watched_on"] == "2024-12-24"
    assert rows[1]["watched_on"] == ""
    assert datetime.datetime.fromisoformat(rows[0]["added_at"])


def test_json_export(alice):
    watchlist = make_watchlist(
        owner=alice, name="Eras", description="d", videos=[make_video(title="Smart")]
    )
    response = Client().get(reverse("community:watchlist-export", args=[watchlist.pk, "json"]))
    data = json.loads(response.content)
    assert response["Content-Disposition"] == f'attachment; filename="eras-{watchlist.pk}.json"'
    assert (data["name"], data["description"], data["owner"]) == ("Eras", "d", "alice")
    assert [(i["position"], i["title"], i["note"]) for i in data["items"]] == [(1, "Smart", "")]


def test_export_follows_the_list_visibility_and_formats(alice, bob):
    private = make_watchlist(owner=alice, is_public=False, videos=[make_video()])
    csv_url = reverse("community:watchlist-export", args=[private.pk, "csv"])
    assert client_for(alice).get(csv_url).status_code == 200
    assert client_for(bob).get(csv_url).status_code == 404
    assert Client().get(csv_url).status_code == 404
    assert (
        client_for(alice)
        .get(reverse("community:watchlist-export", args=[private.pk, "xlsx"]))
        .status_code
        == 404
    )


def test_a_suspended_fan_can_tidy_but_not_write(alice):
    video = make_video()
    watchlist = make_watchlist(owner=alice, name="Mine", videos=[video])
    alice.suspended_at = timezone.now()
    alice.save()
    client = client_for(alice)

    created = client.post(reverse("community:watchlist-create"), {"name": "Spam"})
    added = client.post(
        reverse("community:watchlist-add", args=[make_video().slug]),
        {"watchlist": watchlist.pk},
        follow=True,
    )
    client.post(reverse("community:item-remove", args=[watchlist.pk, watchlist.items.get().pk]))

    assert "Your account is suspended" in created.content.decode()
    assert "Your account is suspended" in added.content.decode()
    assert list(Watchlist.objects.filter(owner=alice).values_list("name", flat=True)) == ["Mine"]
    watchlist.refresh_from_db()
    assert (watchlist.items.count(), watchlist.item_count) == (0, 0)


# ---- Protection ---------------------------------------------------------------------------------


def test_csrf_is_enforced_on_writes(alice):
    video = make_video()
    watchlist = make_watchlist(owner=alice, videos=[video])
    client = client_for(alice, enforce_csrf_checks=True)
    item = watchlist.items.get()

    assert client.post(reverse("community:watchlist-create"), {"name": "x"}).status_code == 403
    assert client.post(reverse("community:watchlist-add", args=[video.slug])).status_code == 403
    assert (
        client.post(reverse("community:item-remove", args=[watchlist.pk, item.pk])).status_code
        == 403
    )
    assert Watchlist.objects.count() == 1
    assert watchlist.items.count() == 1


def test_rate_limit_answers_429_with_a_friendly_page(alice, monkeypatch):
    monkeypatch.setitem(ratelimit.WRITE_LIMITS, "list", ratelimit.Limit("list", 2, 60))
    client = client_for(alice)
    url = reverse("community:watchlist-create")

    statuses = [client.post(url, {"name": f"List {n}"}).status_code for n in range(3)]
    limited = client.post(url, {"name": "One more"})

    assert statuses == [302, 302, 429]
    assert limited.status_code == 429
    assert "Slow down a little" in limited.content.decode()
    assert limited["Retry-After"] == "60"
    assert Watchlist.objects.filter(owner=alice).count() == 2
    assert client.get(url).status_code == 200  # reading is never limited


# ---- A list from the page cache and the shared copy --------------------------------------------
# Visitors get a public list from the page cache and other fans from one shared copy
# (foundation/fan_pages.py); the owner's page, with its forms, and private lists are rendered.


def _controls(body: str, watchlist: Watchlist) -> bool:
    item = watchlist.items.get(position=1)
    return reverse("community:item-move", args=[watchlist.pk, item.pk]) in body


def _follow(client: Client, watchlist: Watchlist, follow: bool = True) -> None:
    url = reverse("community:follow" if follow else "community:unfollow")
    response = client.post(url, {"kind": "list", "target": watchlist.pk})
    assert response.status_code == 302


def test_owner_other_fans_and_visitors_each_see_theirs_from_a_warm_cache(alice, bob):
    carol = make_user(username="carol")
    watchlist = make_watchlist(owner=alice, name="Warm", videos=make_videos(3))
    watchlist.items.update(note="Seen twice")
    url = watchlist.get_absolute_url()
    owner, other, follower, visitor = (
        client_for(alice),
        client_for(bob),
        client_for(carol),
        Client(),
    )
    _follow(follower, watchlist)
    for _ in range(2):  # the first renders and keeps the copies, the second reads them
        mine, bobs, carols = (c.get(url).content.decode() for c in (owner, other, follower))
        visitors = visitor.get(url).content.decode()
        assert _controls(mine, watchlist)
        assert 'type="date"' in mine
        assert reverse("community:watchlist-edit", args=[watchlist.pk]) in mine
        assert 'value="Seen twice"' in mine  # the owner has it in the note's field
        assert '<p class="watchlist-note">' not in mine
        assert "this list" not in mine  # no follow button for one's own list
        for body in (bobs, carols, visitors):
            assert not _controls(body, watchlist)
            assert reverse("community:watchlist-edit", args=[watchlist.pk]) not in body
            assert 'type="date"' not in body
            assert '<p class="watchlist-note">Seen twice</p>' in body
            assert "fanpart-" not in body
        assert "Follow this list" in bobs
        assert "Following this list" not in bobs
        assert "Following this list ✓" in carols
        assert "1 follower" in carols
        assert "@bob" in bobs
        assert "@carol" not in bobs
        assert "@carol" in carols
        assert "@bob" not in carols
        assert "Log in to follow this list" in visitors
        assert "csrfmiddlewaretoken" not in visitors
    _follow(follower, watchlist, follow=False)  # each write shows at once, to everyone
    _follow(other, watchlist)
    bobs, carols = other.get(url).content.decode(), follower.get(url).content.decode()
    assert "Following this list ✓" in bobs
    assert "Follow this list" in carols
    assert "Following this list" not in carols


def test_a_public_lists_writes_show_to_visitors_and_fans_at_once(alice, bob):
    watchlist = make_watchlist(owner=alice, name="Warm", videos=make_videos(3))
    url = watchlist.get_absolute_url()
    owner, other, visitor = client_for(alice), client_for(bob), Client()
    item = watchlist.items.first()

    def shown() -> list[str]:
        return [c.get(url).content.decode() for c in (other, visitor, other, visitor)]

    assert all("Top pick" not in body for body in shown())
    owner.post(
        reverse("community:item-update", args=[watchlist.pk, item.pk]),
        {"note": "Top pick", "watched_on": ""},
    )
    assert all("Top pick" in body for body in shown())
    owner.post(reverse("community:item-remove", args=[watchlist.pk, item.pk]))
    assert all("Top pick" not in body and "2 videos" in body for body in shown())
    owner.post(
        reverse("community:watchlist-edit", args=[watchlist.pk]),
        {"name": "Renamed", "description": "", "is_public": "on"},
    )
    assert all("Renamed" in body for body in shown())


def test_a_private_list_stays_private_from_a_warm_cache(alice, bob):
    watchlist = make_watchlist(owner=alice, name="Hidden gems", videos=make_videos(2))
    url = watchlist.get_absolute_url()
    owner, other, visitor = client_for(alice), client_for(bob), Client()
    for _ in range(2):  # seen public: kept for visitors and other fans
        assert other.get(url).status_code == 200
        assert visitor.get(url).status_code == 200
    response = owner.post(
        reverse("community:watchlist-edit", args=[watchlist.pk]),
        {"name": "Hidden gems", "description": ""},  # "public" unticked
    )
    assert response.status_code == 302
    for _ in range(2):
        assert other.get(url).status_code == 404
        assert visitor.get(url).status_code == 404
        response = owner.get(url)
        assert response.status_code == 200
        assert "Private list — only you can see it" in response.content.decode()
        assert _controls(response.content.decode(), watchlist)


def test_a_deleted_public_list_is_gone_from_the_cache(alice, bob):
    watchlist = make_watchlist(owner=alice, name="Soon gone", videos=make_videos(2))
    url = watchlist.get_absolute_url()
    other, visitor = client_for(bob), Client()
    assert other.get(url).status_code == visitor.get(url).status_code == 200
    response = client_for(alice).post(reverse("community:watchlist-delete", args=[watchlist.pk]))
    assert response.status_code == 302
    assert other.get(url).status_code == visitor.get(url).status_code == 404


def test_a_long_list_comes_in_pages(alice, bob):
    watchlist = make_watchlist(owner=alice, name="Long", videos=make_videos(ITEMS_PER_PAGE + 2))
    url = watchlist.get_absolute_url()
    for client in (client_for(alice), client_for(bob), Client()):
        first = client.get(url).content.decode()
        last = client.get(f"{url}?page=2").content.decode()
        assert first.count('class="watchlist-item"') == ITEMS_PER_PAGE
        assert last.count('class="watchlist-item"') == 2
        assert f'<ol class="watchlist-items" start="{ITEMS_PER_PAGE + 1}">' in last


# ---- Query budgets ------------------------------------------------------------------------------


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_list_page_query_budget(alice, django_assert_max_num_queries, n):
    """Guards N+1: the owner's page of a list runs the same queries for 10 or 1,000 items."""
    [watchlist] = make_watchlists(1, owner=alice, videos=make_videos(n))
    client = client_for(alice)
    client.get(watchlist.get_absolute_url())
    # session, list, count, items, videos, credits, the card widget's Watch later
    with django_assert_max_num_queries(7):
        response = client.get(watchlist.get_absolute_url())
    assert len(response.context["rows"]) == min(n, ITEMS_PER_PAGE)


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_list_page_query_budget_for_other_fans_and_visitors(
    alice, bob, django_assert_max_num_queries, django_assert_num_queries, n
):
    """Guards N+1: another fan's page of a list, from the shared copy, and a visitor's, from the
    page cache, run the same queries for 10 or 1,000 items."""
    [watchlist] = make_watchlists(1, owner=alice, videos=make_videos(n))
    url = watchlist.get_absolute_url()
    other, visitor = client_for(bob), Client()
    other.get(url)
    visitor.get(url)
    # session, user, their Watch later and follows, this list's among them (one statement)
    with django_assert_max_num_queries(3):
        response = other.get(url)
    assert response.content.decode().count('class="watchlist-item"') == min(n, ITEMS_PER_PAGE)
    with django_assert_num_queries(0):
        response = visitor.get(url)
    assert response.content.decode().count('class="watchlist-item"') == min(n, ITEMS_PER_PAGE)


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_public_lists_query_budget(django_assert_max_num_queries, n):
    """Guards N+1: /lists/ costs the same for 10 or 1,000 lists (owners and previews
    prefetched)."""
    video = make_video()
    make_watchlists(n, owner=make_users(n), videos=[video])
    Client().get(reverse("community:watchlist-list"))
    # count, lists with owners and profiles, previews
    with django_assert_max_num_queries(3):
        response = Client().get(reverse("community:watchlist-list"))
    assert len(response.context["page"]) == min(n, 24)


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_video_list_with_watchlist_buttons_query_budget(alice, django_assert_max_num_queries, n):
    """Guards N+1: "+ Watch later" on every card costs one query per page, not one per card."""
    videos = make_videos(n)
    make_watchlist(owner=alice, name="Watch later", is_default=True, videos=videos[:3])
    client = client_for(alice)
    client.get(reverse("catalog:video-list"))
    # the session: the fan, the page (a shared copy) and their Watch later come from the cache
    with django_assert_max_num_queries(1):
        response = client.get(reverse("catalog:video-list"))
    assert response.content.decode().count("Choose a list…") == min(n, 24)


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_my_lists_query_budget(alice, django_assert_max_num_queries, n):
    """Guards N+1: /lists/mine/ costs the same for 10 or 1,000 lists (previews prefetched)."""
    make_watchlists(n, owner=alice, videos=make_videos(3))
    client = client_for(alice)
    client.get(reverse("community:my-lists"))  # makes the fan's Watch later, once
    # session, the Watch later, the lists, their previews
    with django_assert_max_num_queries(4):
        response = client.get(reverse("community:my-lists"))
    assert response.content.decode().count('class="card watchlist-card"') == n + 1
    assert response.content.decode().count('<picture class="drawing ') == 3 * n  # no upload


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_export_query_budget(alice, django_assert_max_num_queries, n):
    """Guards N+1: a list's export, every item at once, costs the same for 10 or 1,000 items."""
    [watchlist] = make_watchlists(1, owner=alice, videos=make_videos(n))
    client = client_for(alice)
    # session, user (the first request reads the fan; the next keeps it), list, items, their
    # videos, featured credits (the titles)
    with django_assert_max_num_queries(6):
        as_csv = client.get(reverse("community:watchlist-export", args=[watchlist.pk, "csv"]))
    with django_assert_max_num_queries(5):
        as_json = client.get(reverse("community:watchlist-export", args=[watchlist.pk, "json"]))
    assert len(list(csv.DictReader(io.StringIO(as_csv.content.decode())))) == n
    assert [item["position"] for item in json.loads(as_json.content)["items"]] == list(
        range(1, n + 1)
    )
