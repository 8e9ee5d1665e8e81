"""Accounts: signing up, logging in and out, passwords, settings, the export and deleting."""

import datetime
import json
import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from catalog.models import Member
from community.forms_accounts import signup_started_token
from community.models import Follow, Profile, Rating, User, WatchEntry, Watchlist
from community.services.follows import follow_create
from community.services.suggestions import suggestion_create
from community.services.talk import comment_create, comment_delete
from fansite import settings as project_settings
from tests.factories import (
    BUDGET_ROWS,
    image_upload,
    make_fan_history,
    make_member,
    make_profile,
    make_rating,
    make_release,
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


def make_profile_name(user: User) -> str:
    profile = Profile.objects.filter(user=user).first()
    return profile.display_name if profile else ""


def make_watch_entry(user: User, video, **kwargs) -> WatchEntry:
    kwargs.setdefault("watched_on", datetime.date(2024, 5, 1))
    return WatchEntry.objects.create(user=user, video=video, **kwargs)


def logged_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


def reauthenticate(client) -> None:
    """The fan confirms it's them (their password), as pages with sensitive changes ask."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


# Signing up


def test_signup_creates_fan_profile_and_private_watch_later_and_logs_in(client):
    response = client.post(SIGNUP, signup_data(), follow=True)

    user = User.objects.get(username="chaewon")
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Welcome! We&#x27;ve e-mailed you a link" in response.content.decode()
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
    assert response.context["form"].errors["password1"]
    assert not User.objects.exists()
    assert logged_in_user_id(client) is None


def test_a_name_taken_while_the_form_was_checked_is_refused_with_nothing_half_made(
    client, monkeypatch
):
    """Another sign-up took the name between this form's check and its save: the database's
    constraint refuses it, and the page says so with the form kept."""
    from allauth.account.adapter import DefaultAccountAdapter

    clean_username = DefaultAccountAdapter.clean_username

    def racing(self, username, shallow=False):
        checked = clean_username(self, username, shallow)
        if not User.objects.filter(username="CHAEWON").exists():
            make_user(username="CHAEWON", email="first@example.com")
        return checked

    monkeypatch.setattr(DefaultAccountAdapter, "clean_username", racing)

    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 200
    assert "That username is taken." in response.content.decode()
    assert 'value="chaewon@example.com"' in response.content.decode()
    assert User.objects.count() == 1
    assert not EmailAddress.objects.filter(email="chaewon@example.com").exists()
    assert not Watchlist.objects.exists()


def test_signed_in_fan_is_sent_away_from_signup(client):
    client.force_login(make_fan())
    assert client.get(SIGNUP)["Location"] == reverse("home")
    client.post(SIGNUP, signup_data())
    assert not User.objects.filter(username="chaewon").exists()


def test_signup_is_rate_limited(client):
    for _ in range(20):  # sign-ups from one address a minute (ACCOUNT_RATE_LIMITS)
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

    response = client.post(reverse("login"), {"login": "YunJin", "password": PASSWORD})
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(user.pk)

    page = client.get(reverse("logout"))  # a link can't log anyone out: it asks first
    assert page.status_code == 200
    assert logged_in_user_id(client) == str(user.pk)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) is None


def test_login_with_the_email_address(client):
    user = make_fan(username="yunjin", email="yunjin@example.com")
    response = client.post(reverse("login"), {"login": "Yunjin@Example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_login_with_wrong_password_says_so_and_keeps_the_name(client):
    make_fan(username="yunjin")
    response = client.post(reverse("login"), {"login": "yunjin", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "The username and/or password you specified are not correct." in body
    assert 'value="yunjin"' in body
    assert logged_in_user_id(client) is None


def test_login_brings_the_fan_back_to_next_on_this_site_only(client):
    make_fan(username="yunjin")
    data = {"login": "yunjin", "password": PASSWORD}
    assert client.post(f"{reverse('login')}?next=/videos/", data)["Location"] == "/videos/"
    client.logout()
    response = client.post(f"{reverse('login')}?next=https://evil.example/", data)
    assert response["Location"] == reverse("home")


def test_password_change_asks_the_old_one(client):
    user = make_fan()
    client.force_login(user)
    data = {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}

    refused = client.post(reverse("password_change"), data)
    response = client.post(reverse("password_change"), {**data, "oldpassword": PASSWORD})

    assert refused.status_code == 200
    assert "Please type your current password." in refused.content.decode()
    assert response["Location"] == SETTINGS
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert logged_in_user_id(client) == str(user.pk)  # still logged in here
    assert [message.to for message in mail.outbox] == [[user.email]]  # told, in case


def test_password_change_guesses_are_limited(client):
    client.force_login(make_fan())
    data = {"oldpassword": "guess", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    for _ in range(5):
        assert client.post(reverse("password_change"), data).status_code == 200
    assert client.post(reverse("password_change"), data).status_code == 429


def test_confirm_its_you_guesses_run_out_with_the_change_forms(client):
    """Wrong passwords on "confirm it's you" and on the change password form count together,
    over the hour: spread out under the per-minute limit, they still run out, and then even
    the right password is not checked."""
    client.force_login(make_fan())
    data = {"oldpassword": "guess", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    for _ in range(3):
        assert client.post(reverse("password_change"), data).status_code == 200
    for _ in range(2):
        wrong = client.post(reverse("account_reauthenticate"), {"password": "guess"})
        assert wrong.status_code == 200

    right = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert right.status_code == 200
    assert "Too many wrong passwords" in right.content.decode()
    assert "reauthenticated" not in str(dict(client.session))


def test_password_reset_link_works_once(client):
    user = make_fan(email="kazuha@example.com")

    response = client.post(reverse("password_reset"), {"email": "KAZUHA@example.com"})

    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kazuha@example.com"]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)[
        1
    ]
    set_password_page = client.get(link)["Location"]  # the key moves into the session
    response = client.post(
        set_password_page, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()
    assert "password1" not in again.content.decode()


def test_a_reset_link_mailed_before_allauth_still_works(client):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = make_fan()
    old_link = f"/accounts/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/"
    response = client.get(old_link + f"{default_token_generator.make_token(user)}/", follow=True)

    assert "Choose a new password" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    forged = client.get(old_link + "abc-123/", follow=True)
    assert forged.redirect_chain[-1][0] == reverse("account_reset_password")


def test_password_reset_for_unknown_email_looks_the_same(client):
    make_fan(email="kazuha@example.com")

    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)

    assert response.redirect_chain == [(reverse("account_reset_password_done"), 302)]
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []  # no mail to strangers' addresses


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/accounts/password_change/", "/accounts/password/change/"),
        ("/accounts/password_reset/", "/accounts/password/reset/"),
        ("/accounts/password_reset/done/", "/accounts/password/reset/done/"),
        ("/accounts/reset/done/", "/accounts/login/"),
        ("/accounts/login/code/", "/accounts/login/"),
        ("/accounts/two-factor/", "/accounts/2fa/"),
        ("/accounts/two-factor/backup-codes/", "/accounts/2fa/recovery-codes/"),
    ],
)
def test_old_addresses_lead_to_the_pages_that_do_the_same_now(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_the_admins_login_is_the_sites(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/community/user/"})
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fcommunity%2Fuser%2F"


# Settings


def test_settings_saves_profile_and_avatar(client):
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


def test_settings_link_every_account_page(client):
    client.force_login(make_fan(email="sakura@example.com"))
    page = client.get(SETTINGS).content.decode()
    assert "We write to <strong>sakura@example.com</strong>; it is confirmed." in page
    for name in ("account_email", "account_change_password", "mfa_index", "mfa_list_webauthn"):
        assert f'href="{reverse(name)}"' in page
    assert reverse("socialaccount_connections") not in page  # no other site is set up


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_settings_page_query_budget(client, django_assert_max_num_queries, n):
    """The favourite-member choice lists every member: the page costs the same for 10 or 1,000,
    and the form reads the fan from the request, not again from the database."""
    make_rows(Member, n, stage_name=[f"MEMBER {i:04}" for i in range(n)])
    fan = make_fan(username="sakura_fan")
    client.force_login(fan)
    client.get(SETTINGS)  # the header's alert and notification counts, cached from then on

    with django_assert_max_num_queries(3):  # session, profile, members (the fan: kept)
        page = client.get(SETTINGS).content.decode()

    assert page.count("<option value=") >= n
    assert f"MEMBER {n - 1:04}" in page
    assert fan.email in page


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

    with django_assert_max_num_queries(10):  # session, user, then 8 whatever the data
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


def test_export_shows_only_lists_the_fan_may_still_see(client):
    """A list followed while public, then made private and renamed: its new name stays its
    owner's."""
    fan, owner = make_fan(), make_fan()
    watchlist = make_watchlist(owner=owner, name="Our favourites", is_public=True)
    follow_create(follower=fan, kind=Follow.Kind.LIST, target=watchlist)
    watchlist.is_public = False
    watchlist.name = "Secret plans"
    watchlist.save()
    client.force_login(fan)

    body = client.get(EXPORT).content.decode()

    assert "Secret plans" not in body
    assert [(f["kind"], f["watchlist"]) for f in json.loads(body)["follows"]] == [("list", None)]
    client.force_login(owner)
    assert "Secret plans" in client.get(EXPORT).content.decode()


def test_export_has_the_fans_talk_and_corrections(client):
    fan, other = make_fan(), make_fan()
    video, release = make_video(slug="unforgiven"), make_release()
    comment = comment_create(author=fan, video=video, body="The bridge!")
    reply = comment_create(author=fan, video=video, body="And the outro", parent=comment)
    gone = comment_create(author=fan, video=video, body="Never mind")
    comment_delete(comment=gone, user=fan)
    comment_create(author=other, video=video, body="Someone else's words")
    suggestion_create(
        author=fan,
        target=release,
        field="title",
        correction="The title has a capital letter",
        source_url="https://example.com/press",
    )
    client.force_login(fan)

    data = json.loads(client.get(EXPORT).content)

    assert [(c["body"], c["video"], c["reply_to"]) for c in data["comments"]] == [
        ("The bridge!", "unforgiven", None),
        ("And the outro", "unforgiven", comment.pk),
    ]
    assert data["comments"][1]["id"] == reply.pk
    (sent,) = data["suggestions"]
    assert (sent["fact"], sent["correction"], sent["source"], sent["status"]) == (
        "title",
        "The title has a capital letter",
        "https://example.com/press",
        "open",
    )
    assert "Someone else's words" not in json.dumps(data)


def test_export_keeps_rows_about_a_draft_without_its_new_title(client):
    """A video taken back to draft and renamed in private: the fan keeps their rating of it,
    not the curators' unannounced title."""
    fan = make_fan()
    video = make_video(slug="new-song")
    make_rating(fan, video, score=8)
    video.status = "draft"
    video.title = "Unannounced title"
    video.save()
    client.force_login(fan)

    body = client.get(EXPORT).content.decode()

    assert "Unannounced title" not in body
    assert [(r["video"], r["score"]) for r in json.loads(body)["ratings"]] == [(None, 8)]


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_export_and_delete_page_query_budgets(client, django_assert_max_num_queries, n):
    """Guards N+1: the export, and the delete page's summary of what goes, cost the same for 10
    or 1,000 ratings, lists, diary entries and follows."""
    fan = make_fan(username="eunchae")
    make_fan_history(fan, n)
    client.force_login(fan)
    reauthenticate(client)
    client.get(DELETE)  # the header's alert and notification counts, cached from then on

    # session, profile, ratings, lists, their items, diary, comments, suggestions, follows
    # (each with its videos, fans, lists, members or kinds of record joined; the fan: kept)
    with django_assert_max_num_queries(9):
        data = json.loads(client.get(EXPORT).content)
    # session, then whether the fan confirmed it's them lately (their confirmed addresses and
    # three kinds of two-factor), lists with their item count, ratings, diary entries, follows
    with django_assert_max_num_queries(9):
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
    reauthenticate(client)

    body = client.get(DELETE).content.decode()

    assert "remove your 1 rating," in body
    assert "update those videos' average, count and histogram" in body


def test_delete_asks_the_fan_to_confirm_its_them_first(client):
    fan = make_fan()
    video = make_video()
    make_rating(fan, video, score=8)
    client.force_login(fan)

    response = client.post(DELETE)
    assert (
        response["Location"] == f"{reverse('account_reauthenticate')}?next=%2Faccounts%2Fdelete%2F"
    )
    wrong = client.post(response["Location"], {"password": "not my password"})

    assert wrong.status_code == 200
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
    client.post(SETTINGS, {"avatar": image_upload("me.png")})
    avatar = Profile.objects.get(user=fan).avatar
    assert avatar.storage.exists(avatar.name)
    reauthenticate(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, follow=True)

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
    assert reverse("login") == reverse("account_login") == "/accounts/login/"


@pytest.mark.parametrize("url", [SETTINGS, DELETE])
def test_anonymous_posts_change_nothing(client, url):
    fan = make_fan()
    response = client.post(url, {"display_name": "Hacked"})
    assert response["Location"].startswith(reverse("login"))
    assert User.objects.filter(pk=fan.pk).exists()
    assert make_profile_name(fan) == ""


def test_delete_needs_the_csrf_token():
    fan = make_fan()
    client = Client(enforce_csrf_checks=True)
    client.force_login(fan)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(fan.pk)
    session.save()

    response = client.post(DELETE)

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
