"""Following fans, lists, members and the group; the feed; new-video alerts."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from catalog.models import Status
from community.models import Follow
from tests.factories import (
    BUDGET_ROWS,
    make_member,
    make_rating,
    make_ratings,
    make_user,
    make_users,
    make_video,
    make_videos,
    make_watchlist,
    make_watchlists,
)

pytestmark = pytest.mark.django_db

FOLLOW = reverse("community:follow")
UNFOLLOW = reverse("community:unfollow")


def test_fan_follows_and_unfollows_another_fan(client):
    alice, bob = make_user(username="alice"), make_user(username="bob")
    client.force_login(alice)

    response = client.post(FOLLOW, {"kind": "fan", "target": "BOB"}, follow=True)
    assert "You follow bob." in response.content.decode()
    client.post(FOLLOW, {"kind": "fan", "target": "bob"})  # twice is harmless
    assert Follow.objects.filter(follower=alice, fan=bob).count() == 1

    client.post(UNFOLLOW, {"kind": "fan", "target": "bob"})
    assert not Follow.objects.filter(follower=alice).exists()


def test_a_fan_cannot_follow_herself(client):
    alice = make_user(username="alice")
    client.force_login(alice)
    response = client.post(FOLLOW, {"kind": "fan", "target": "alice"}, follow=True)
    assert "You can&#x27;t follow yourself." in response.content.decode()
    assert not Follow.objects.exists()


def test_private_lists_cannot_be_followed_and_public_ones_count_followers(client):
    owner = make_user()
    private = make_watchlist(owner=owner, is_public=False)
    public = make_watchlist(owner=owner, is_public=True)
    client.force_login(make_user())

    assert client.post(FOLLOW, {"kind": "list", "target": private.pk}).status_code == 404
    client.post(FOLLOW, {"kind": "list", "target": public.pk})
    public.refresh_from_db()
    assert public.follower_count == 1
    client.post(UNFOLLOW, {"kind": "list", "target": public.pk})
    public.refresh_from_db()
    assert public.follower_count == 0


def test_unknown_targets_are_404_and_visitors_must_log_in(client):
    assert client.post(FOLLOW, {"kind": "group"}).status_code == 302
    client.force_login(make_user())
    assert client.post(FOLLOW, {"kind": "fan", "target": "nobody"}).status_code == 404
    assert client.post(FOLLOW, {"kind": "member", "target": "nobody"}).status_code == 404
    assert client.post(FOLLOW, {"kind": "planet", "target": "x"}).status_code == 404
    assert not Follow.objects.exists()


def test_follow_needs_csrf():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    assert client.post(FOLLOW, {"kind": "group"}).status_code == 403


def test_next_may_not_leave_the_site(client):
    client.force_login(make_user())
    response = client.post(FOLLOW, {"kind": "group", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_feed_shows_followed_fans_public_activity_only(client):
    alice, bob, carol = make_user(), make_user(username="bob"), make_user(username="carol")
    Follow.objects.create(follower=alice, kind="fan", fan=bob)
    make_rating(user=bob, video=make_video(title="Rated by Bob"), score=9)
    make_rating(user=carol, video=make_video(title="Rated by Carol"), score=9)
    make_watchlist(owner=bob, is_public=True, videos=[make_video(title="Publicly listed")])
    make_watchlist(owner=bob, is_public=False, videos=[make_video(title="Privately listed")])
    client.force_login(alice)

    body = client.get(reverse("community:feed")).content.decode()

    assert "Rated by Bob" in body
    assert "Publicly listed" in body
    assert "Privately listed" not in body
    assert "Rated by Carol" not in body


def test_alerts_list_new_videos_of_followed_members_and_mark_them_read(client):
    fan = make_user()
    kazuha, sakura = make_member(stage_name="KAZUHA"), make_member(stage_name="SAKURA")
    with time_machine.travel(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)):
        make_video(title="Old video", members=[kazuha])
        Follow.objects.create(follower=fan, kind="member", member=kazuha)
    with time_machine.travel(datetime.datetime(2025, 3, 31, tzinfo=datetime.UTC)):
        make_video(title="Come Over", members=[kazuha])
        make_video(title="Sakura solo", members=[sakura])
        make_video(title="Unpublished", members=[kazuha], status=Status.DRAFT)
    client.force_login(fan)

    body = client.get(reverse("community:alerts")).content.decode()

    assert "Come Over" in body
    assert "New" in body
    for absent in ("Old video", "Sakura solo", "Unpublished"):
        assert absent not in body
    from community.alerts import unread_alert_count

    assert unread_alert_count(fan) == 0  # seen now


def test_following_a_member_alerts_the_group_videos_she_is_in(client):
    fan = make_user()
    kazuha = make_member(stage_name="KAZUHA")
    gone = make_member(stage_name="GONE", left_on=datetime.date(2022, 7, 20))
    Follow.objects.create(follower=fan, kind="member", member=kazuha)
    Follow.objects.create(follower=make_user(), kind="member", member=gone)
    make_video(title="The whole group", published_on=datetime.date(2025, 3, 31))
    from community.alerts import new_videos_for

    assert [v.title for v in new_videos_for(fan)] == ["The whole group"]
    assert not new_videos_for(gone.follows.get().follower).exists()


def test_following_the_group_alerts_every_new_video(client):
    fan = make_user()
    client.force_login(fan)
    client.post(FOLLOW, {"kind": "group"})
    make_video(title="SPAGHETTI")
    from community.alerts import unread_alert_count

    assert unread_alert_count(fan) == 1
    assert "SPAGHETTI" in client.get(reverse("community:alerts")).content.decode()


def test_member_page_offers_a_follow_button(client):
    member = make_member(stage_name="HONG EUNCHAE", slug="hong-eunchae")
    client.force_login(make_user())
    body = client.get(member.get_absolute_url()).content.decode()
    assert "Follow HONG EUNCHAE" in body
    client.post(FOLLOW, {"kind": "member", "target": "hong-eunchae"})
    assert "Following HONG EUNCHAE" in client.get(member.get_absolute_url()).content.decode()


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_feed_and_alerts_query_budgets(client, django_assert_max_num_queries, n):
    """Guards N+1: the feed and alerts cost the same whatever the activity."""
    fan = make_user()
    member = make_member()
    Follow.objects.create(follower=fan, kind="group")
    Follow.objects.create(follower=fan, kind="member", member=member)
    friends = make_users(n)
    Follow.objects.bulk_create(Follow(follower=fan, kind="fan", fan=friend) for friend in friends)
    videos = make_videos(n, members=[member])
    make_ratings(zip(friends, videos, strict=True))
    make_watchlists(n, owner=friends, videos=videos[:1])
    client.force_login(fan)
    with django_assert_max_num_queries(9):  # incl. the header's alert and notification counts
        assert client.get(reverse("community:feed")).status_code == 200
    with django_assert_max_num_queries(11):  # incl. creating the profile once, the lists widget
        assert client.get(reverse("community:alerts")).status_code == 200
