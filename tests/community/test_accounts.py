"""Accounts: signing up, logging in and out, passwords, settings, the export and deleting."""

import datetime
import json
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from catalog.models import Member
from community.forms_accounts import signup_started_token
from community.models import Follow, Profile, Rating, User, WatchEntry, Watchlist
from community.services.accounts import account_signup
from community.services.follows import follow_create
from fansite import settings as project_settings
from tests.factories import (
    BUDGET_ROWS,
    image_upload,
    make_fan_history,
    make_member,
    make_profile,
    make_rating,
    make_rows,
    make_user,
    make_video,
    make_watchlist,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a fresh password for HOT"
SIGNUP = reverse("community:signup")
SETTINGS = reverse("community:settings")
EXPORT = reverse("community:export")
DELETE = reverse("community:delete-account")


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": "chaewon",
        "email": "chaewon@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "started": signup_started_token(time.time() - 10),  # the form was shown 10 s ago
    }
    return data | overrides


def make_fan(**kwargs) -> User:
    """A fan as signup leaves them: an account with a profile."""
    user = make_user(**kwargs)
    make_profile(user)
    return user


def make_watch_entry(user: User, video, **kwargs) -> WatchEntry:
    kwargs.setdefault("watched_on", datetime.date(2024, 5, 1))
    return WatchEntry.objects.create(user=user, video=video, **kwargs)


def logged_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


# Signing up


def test_signup_creates_fan_profile_and_private_watch_later_and_logs_in(client):
    response = client.post(SIGNUP, signup_data(), follow=True)

    user = User.objects.get(username="chaewon")
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Welcome, chaewon!" in response.content.decode()
    assert logged_in_user_id(client) == str(user.pk)
    assert user.email == "chaewon@example.com"
    assert Profile.objects.filter(user=user).exists()
    watch_later = Watchlist.objects.get(owner=user)
    assert watch_later.name == Watchlist.DEFAULT_NAME == "Watch later"
    assert watch_later.is_default
    assert not watch_later.is_public


def test_signup_page_links_to_login(client):
    body = client.get(SIGNUP).content.decode()
    assert f'href="{reverse("login")}"' in body
    assert 'autocomplete="new-password"' in body
    assert 'autocomplete="email"' in body


def test_username_differing_only_in_case_is_taken_and_the_typed_email_kept(client):
    make_user(username="chaewon")

    response = client.post(SIGNUP, signup_data(username="Chaewon", email="cw@example.com"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "That username is taken." in body
    assert 'value="cw@example.com"' in body
    # The message is tied to its field for screen readers.
    assert re.search(r'aria-describedby="[^"]*\bid_username_error"[^>]*id="id_username"', body)
    assert 'id="id_username_error"' in body
    assert User.objects.count() == 1


def test_email_already_used_in_another_case_is_rejected(client):
    make_user(email="Chaewon@Example.com")

    response = client.post(SIGNUP, signup_data(email="chaewon@example.com"))

    assert "Another account already uses this e-mail address." in response.content.decode()
    assert not User.objects.filter(username="chaewon").exists()


@pytest.mark.parametrize("weak", ["12345678", "password", "short"])
def test_weak_password_is_rejected(client, weak):
    response = client.post(SIGNUP, signup_data(password1=weak, password2=weak))

    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not User.objects.exists()
    assert logged_in_user_id(client) is None


def test_signup_service_refuses_a_name_taken_meanwhile():
    """The view's form checks first; this is what a request racing another one meets."""
    make_user(username="chaewon")

    with pytest.raises(ValidationError):
        account_signup(username="CHAEWON", email="c@example.com", password=PASSWORD)

    assert User.objects.count() == 1
    assert not Watchlist.objects.exists()


def test_signed_in_fan_is_sent_away_from_signup(client):
    client.force_login(make_fan())
    assert client.get(SIGNUP)["Location"] == reverse("home")
    client.post(SIGNUP, signup_data())
    assert not User.objects.filter(username="chaewon").exists()


def test_signup_is_rate_limited(client):
    for _ in range(50):  # the per-address allowance: 5 x the per-fan 10 an hour
        assert client.post(SIGNUP, {}).status_code == 200
    assert client.post(SIGNUP, signup_data()).status_code == 429
    assert not User.objects.exists()


def test_new_passwords_are_hashed_with_argon2(client, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the real list, not the fast one

    client.post(SIGNUP, signup_data())

    assert User.objects.get(username="chaewon").password.startswith("argon2")


# Logging in and out, passwords


def test_login_and_logout(client):
    user = make_fan(username="yunjin")
    body = client.get(reverse("login")).content.decode()
    assert f'href="{SIGNUP}"' in body
    assert f'href="{reverse("password_reset")}"' in body

    response = client.post(reverse("login"), {"username": "yunjin", "password": PASSWORD})
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(user.pk)

    assert client.get(reverse("logout")).status_code == 405  # a link can't log anyone out
    assert logged_in_user_id(client) == str(user.pk)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) is None


def test_login_with_wrong_password_says_so(client):
    make_fan(username="yunjin")
    response = client.post(reverse("login"), {"username": "yunjin", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_password_change(client):
    user = make_fan()
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "Password changed" in client.get(reverse("password_change_done")).content.decode()


def test_password_reset_link_works_once(client):
    user = make_fan(email="kazuha@example.com")

    response = client.post(reverse("password_reset"), {"email": "KAZUHA@example.com"})

    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kazuha@example.com"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    set_password_page = client.get(link)["Location"]  # the token moves into the session
    response = client.post(
        set_password_page, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()
    assert "new_password1" not in again.content.decode()


def test_password_reset_for_unknown_email_looks_the_same(client):
    make_fan(email="kazuha@example.com")

    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)

    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []


# Settings


def test_settings_saves_profile_avatar_and_email(client):
    user = make_fan()
    member = make_member(stage_name="SAKURA")
    client.force_login(user)
    assert client.get(SETTINGS).status_code == 200

    response = client.post(
        SETTINGS,
        {
            "display_name": "Fearnot Kim",
            "bio": "Since FEARLESS.",
            "favourite_member": member.pk,
            "email": "new@example.com",
            "avatar": image_upload("me.png", size=(1000, 600)),
        },
        follow=True,
    )

    assert response.redirect_chain == [(SETTINGS, 302)]
    assert "Your profile is saved." in response.content.decode()
    profile = Profile.objects.get(user=user)
    assert (profile.display_name, profile.bio, profile.favourite_member) == (
        "Fearnot Kim",
        "Since FEARLESS.",
        member,
    )
    with Image.open(profile.avatar.path) as avatar:
        assert (avatar.format, avatar.size) == ("WEBP", (600, 600))
    with Image.open(profile.avatar_small.path) as small:
        assert (small.format, small.size) == ("WEBP", (480, 480))
    user.refresh_from_db()
    assert user.email == "new@example.com"


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_settings_page_query_budget(client, django_assert_max_num_queries, n):
    """The favourite-member choice lists every member: the page costs the same for 10 or 1,000,
    and the form reads the fan from the request, not again from the database."""
    make_rows(Member, n, stage_name=[f"MEMBER {i:04}" for i in range(n)])
    fan = make_fan(username="sakura_fan")
    client.force_login(fan)
    client.get(SETTINGS)  # the header's alert and notification counts, cached from then on

    with django_assert_max_num_queries(4):  # session, user, profile, members
        page = client.get(SETTINGS).content.decode()

    assert page.count("<option value=") >= n
    assert f"MEMBER {n - 1:04}" in page
    assert f'value="{fan.email}"' in page  # the form's e-mail field, from the fan's row


def test_settings_creates_the_missing_profile_of_an_admin_made_account(client):
    user = make_user()
    client.force_login(user)
    assert client.get(SETTINGS).status_code == 200
    assert Profile.objects.filter(user=user).exists()


def test_settings_rejects_a_file_that_is_not_an_image_and_keeps_the_text(client):
    user = make_fan()
    client.force_login(user)

    response = client.post(
        SETTINGS,
        {
            "bio": "A bio I typed carefully.",
            "email": user.email,
            "avatar": SimpleUploadedFile("me.png", b"not a picture", content_type="image/png"),
        },
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_avatar_error"' in body
    assert "A bio I typed carefully." in body
    profile = Profile.objects.get(user=user)
    assert profile.bio == ""
    assert not profile.avatar


def test_settings_rejects_an_email_another_fan_uses(client):
    make_user(email="taken@example.com")
    user = make_fan()
    client.force_login(user)

    response = client.post(SETTINGS, {"email": "TAKEN@example.com"})

    assert "Another account already uses this e-mail address." in response.content.decode()
    user.refresh_from_db()
    assert user.email != "taken@example.com"


# The export


def test_export_has_all_of_the_fans_data_and_nobody_elses(client, django_assert_max_num_queries):
    fan, other = make_fan(username="eunchae"), make_fan()
    video, other_video = make_video(slug="antifragile"), make_video(slug="perfect-night")
    make_rating(fan, video, score=9)
    make_rating(other, other_video, score=2)
    make_watchlist(owner=fan, name="Dance practice", videos=[video])
    make_watchlist(owner=other, name="Not mine", videos=[other_video])
    make_watch_entry(fan, video, note="Again!")
    Follow.objects.create(follower=fan, kind=Follow.Kind.FAN, fan=other)
    client.force_login(fan)

    with django_assert_max_num_queries(8):  # session, user, then 6 whatever the data
        response = client.get(EXPORT)

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="fansite-eunchae.json"'
    data = json.loads(response.content)
    assert data["account"]["username"] == "eunchae"
    assert [(r["video"], r["score"], r["stars"]) for r in data["ratings"]] == [
        ("antifragile", 9, 4.5)
    ]
    assert [w["name"] for w in data["watchlists"]] == ["Dance practice"]
    assert [(i["video"], i["position"]) for i in data["watchlists"][0]["items"]] == [
        ("antifragile", 1)
    ]
    assert data["diary"] == [
        {"video": "antifragile", "title": video.title, "watched_on": "2024-05-01", "note": "Again!"}
    ]
    assert [(f["kind"], f["fan"]) for f in data["follows"]] == [("fan", other.username)]
    assert "perfect-night" not in response.content.decode()


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_export_and_delete_page_query_budgets(client, django_assert_max_num_queries, n):
    """Guards N+1: the export, and the delete page's summary of what goes, cost the same for 10
    or 1,000 ratings, lists, diary entries and follows."""
    fan = make_fan(username="eunchae")
    make_fan_history(fan, n)
    client.force_login(fan)
    client.get(DELETE)  # the header's alert and notification counts, cached from then on

    # session, user, profile, ratings, lists, their items, diary, follows (each with its videos,
    # fans, lists or members joined)
    with django_assert_max_num_queries(8):
        data = json.loads(client.get(EXPORT).content)
    # session, user, lists with their item count, ratings, diary entries, follows
    with django_assert_max_num_queries(6):
        page = client.get(DELETE).content.decode()

    assert len(data["ratings"]) == len(data["diary"]) == len(data["follows"]) == n
    assert sum(len(watchlist["items"]) for watchlist in data["watchlists"]) == 2 * n
    assert f"remove your {n} ratings" in page
    assert f"delete your {n} follows" in page


# Deleting the account


def test_delete_page_explains_what_goes(client):
    fan = make_fan()
    make_rating(fan, make_video())
    client.force_login(fan)

    body = client.get(DELETE).content.decode()

    assert "remove your 1 rating," in body
    assert "update those videos' average, count and histogram" in body
    assert 'autocomplete="current-password"' in body


def test_delete_with_wrong_password_keeps_everything(client):
    fan = make_fan()
    video = make_video()
    make_rating(fan, video, score=8)
    client.force_login(fan)

    response = client.post(DELETE, {"password": "not my password"})

    assert response.status_code == 200
    assert "That password is not right. Nothing was deleted." in response.content.decode()
    assert User.objects.filter(pk=fan.pk).exists()
    assert Rating.objects.filter(user=fan).exists()
    video.refresh_from_db()
    assert video.rating_count == 1
    assert logged_in_user_id(client) == str(fan.pk)


def test_delete_removes_the_fan_and_their_share_of_the_video_figures(
    client, django_capture_on_commit_callbacks
):
    fan, other = make_fan(), make_fan()
    video = make_video()
    make_rating(fan, video, score=8)
    make_rating(other, video, score=4)
    others_list = make_watchlist(owner=other)
    follow_create(follower=fan, kind=Follow.Kind.LIST, target=others_list)
    make_watchlist(owner=fan, videos=[video])
    make_watch_entry(fan, video)
    client.force_login(fan)
    client.post(SETTINGS, {"email": fan.email, "avatar": image_upload("me.png")})
    avatar = Profile.objects.get(user=fan).avatar
    assert avatar.storage.exists(avatar.name)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Your account and everything in it are deleted." in response.content.decode()
    assert logged_in_user_id(client) is None
    assert not User.objects.filter(pk=fan.pk).exists()
    assert not Watchlist.objects.filter(owner_id=fan.pk).exists()
    assert not WatchEntry.objects.filter(user_id=fan.pk).exists()
    assert not avatar.storage.exists(avatar.name)
    video.refresh_from_db()
    assert (video.rating_count, video.rating_sum) == (1, 4)
    assert video.rating_histogram == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert Rating.objects.filter(user=other).exists()
    others_list.refresh_from_db()
    assert others_list.follower_count == 0


# Who may do what


@pytest.mark.parametrize("url", [SETTINGS, EXPORT, DELETE])
def test_account_pages_need_a_fan(client, url):
    response = client.get(url)
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", [SETTINGS, DELETE])
def test_anonymous_posts_change_nothing(client, url):
    fan = make_fan()
    response = client.post(url, {"password": PASSWORD, "email": "x@example.com"})
    assert response["Location"].startswith(reverse("login"))
    fan.refresh_from_db()
    assert fan.email != "x@example.com"


def test_delete_needs_the_csrf_token():
    fan = make_fan()
    client = Client(enforce_csrf_checks=True)
    client.force_login(fan)

    response = client.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 403
    assert User.objects.filter(pk=fan.pk).exists()


# The header


def test_header_for_visitors_offers_login_and_signup(client):
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("login")}?next=/"' in body
    assert f'href="{SIGNUP}"' in body
    assert f'href="{reverse("community:top")}"' in body
    assert "Log out" not in body


def test_header_for_a_fan_links_their_pages_and_logs_out_by_post(client):
    fan = make_fan(username="sakura")
    client.force_login(fan)

    body = client.get(reverse("home")).content.decode()

    assert 'href="/u/sakura/"' in body
    assert f'href="{reverse("community:my-lists")}"' in body
    assert f'href="{SETTINGS}"' in body
    assert re.search(rf'<form method="post" action="{reverse("logout")}"', body)
    assert f'href="{SIGNUP}"' not in body
