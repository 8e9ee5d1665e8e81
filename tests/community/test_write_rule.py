"""One rule for who may write (community.writing), asked by every page, the API and each service:
a suspended fan, or one whose address is unconfirmed, reads but adds and changes nothing, and may
still take their own things back."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.models import Follow, Rating, WatchEntry, Watchlist
from community.services import follows, ratings
from community.writing import WriteRefused
from tests.factories import make_member, make_rating, make_user, make_video

pytestmark = pytest.mark.django_db

REFUSED = [
    ({"suspended_at": timezone.now()}, "Your account is suspended"),
    ({"email_verified": False}, "Confirm your e-mail address first"),
]


def _client(**change) -> tuple[Client, object]:
    fan = make_user(**change)
    client = Client()
    client.force_login(fan)
    return client, fan


@pytest.mark.parametrize(("change", "message"), REFUSED)
def test_pages_refuse_ratings_follows_lists_and_the_diary(change, message):
    video = make_video(slug="smart")
    make_user(username="sakura")
    client, fan = _client(**change)

    answers = [
        client.post(reverse("community:rate", args=["smart"]), {"score": 8}),
        client.post(reverse("community:follow"), {"kind": "fan", "target": "sakura"}),
        client.post(reverse("community:follow"), {"kind": "group", "target": ""}),
        client.post(reverse("community:follow"), {"kind": "member", "target": make_member().slug}),
        client.post(reverse("community:watchlist-create"), {"name": "Spam"}),
        client.post(reverse("community:log-watch", args=["smart"])),
    ]

    for response in answers:
        assert response.status_code == 403
        assert message in response.content.decode()
    assert not Rating.objects.exists()
    assert not Follow.objects.exists()
    assert not Watchlist.objects.filter(owner=fan, name="Spam").exists()
    assert not WatchEntry.objects.exists()
    video.refresh_from_db()
    assert video.rating_count == 0


def test_a_suspended_fans_rating_never_reaches_the_top_chart():
    video = make_video(slug="smart", title="Smart")
    client, _fan = _client(suspended_at=timezone.now())
    client.post(reverse("community:rate", args=["smart"]), {"score": 10})
    assert "Smart" not in Client().get(reverse("community:top")).content.decode()
    video.refresh_from_db()
    assert (video.rating_count, video.rating_sum) == (0, 0)


def test_the_api_follows_the_same_rule_and_lets_a_suspended_fan_take_back():
    video = make_video(slug="smart")
    client, fan = _client()
    make_rating(user=fan, video=video, score=6)
    fan.suspended_at = timezone.now()
    fan.save()

    refused = client.put(
        "/api/v1/videos/smart/rating/", {"score": 8}, content_type="application/json"
    )
    removed = client.delete("/api/v1/videos/smart/rating/")

    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("Your account is suspended")
    assert removed.status_code == 204
    assert not Rating.objects.exists()


def test_a_suspended_fan_still_takes_back_on_the_pages():
    video = make_video(slug="smart")
    sakura = make_user(username="sakura")
    fan = make_user()
    make_rating(user=fan, video=video, score=6)
    Follow.objects.create(follower=fan, kind=Follow.Kind.FAN, fan=sakura)
    fan.suspended_at = timezone.now()
    fan.save()
    client = Client()
    client.force_login(fan)

    client.post(reverse("community:rate", args=["smart"]), {"remove": "1"})
    client.post(reverse("community:unfollow"), {"kind": "fan", "target": "sakura"})

    assert not Rating.objects.exists()
    assert not Follow.objects.exists()


@pytest.mark.parametrize(("change", "message"), REFUSED)
def test_services_refuse_whoever_calls_them(change, message):
    fan = make_user(**change)
    with pytest.raises(WriteRefused, match=message):
        ratings.rating_set(user=fan, video=make_video(), score=8)
    with pytest.raises(WriteRefused, match=message):
        follows.follow_create(follower=fan, kind=Follow.Kind.GROUP, target=None)
    assert not Rating.objects.exists()
    assert not Follow.objects.exists()


@pytest.mark.parametrize(("change", "message"), REFUSED)
def test_what_others_see_of_a_refused_fan_stays_as_it_was(change, message):
    client, fan = _client(**change)
    settings_url = reverse("community:settings")

    response = client.post(settings_url, {"display_name": "Buy followers", "bio": "cheap.example"})

    assert response.status_code == 403
    body = response.content.decode()
    assert message in body
    assert "cheap.example" in body  # the form keeps what was typed
    fan.profile.refresh_from_db()
    assert (fan.profile.display_name, fan.profile.bio) == ("", "")


def test_a_suspended_fan_may_still_empty_their_bio():
    client, fan = _client()
    client.post(reverse("community:settings"), {"display_name": "Hana", "bio": "Hello"})
    fan.suspended_at = timezone.now()
    fan.save()

    response = client.post(reverse("community:settings"), {"display_name": "", "bio": ""})

    assert response.status_code == 302
    fan.profile.refresh_from_db()
    assert (fan.profile.display_name, fan.profile.bio) == ("", "")
