"""Sign-up abuse: the honeypot, the timing check, blocklists that moderators keep, and e-mail
confirmation before a new account can write."""

import datetime
import re
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from community.forms_accounts import signup_started_token
from community.models import BlockedEmail, BlockedIP, Follow, Rating, User, Watchlist
from tests.factories import make_member, make_staff, make_user, make_video

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
SIGNUP = reverse("community:signup")
RESEND = reverse("community:confirm-email-resend")


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": "chaewon",
        "email": "chaewon@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "website": "",
        "started": signup_started_token(time.time() - 10),
    }
    return data | overrides


def confirmation_path(message) -> str:
    """The link in a confirmation e-mail, without the scheme and host."""
    match = re.search(r"http://testserver(/accounts/confirm-email/\S+)", message.body)
    assert match is not None
    return match[1]


def legacy_token(fan: User) -> str:
    """A confirmation link's token as the site mailed them before allauth."""
    return signing.dumps({"u": fan.pk, "e": fan.email.lower()}, salt="community.email-confirmation")


# The form as people see it


def test_the_honeypot_is_hidden_from_eyes_screen_readers_and_the_tab_key(client):
    body = client.get(SIGNUP).content.decode()

    honeypot = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', body, re.S)
    assert honeypot
    assert "Leave this empty" in honeypot[1]
    assert re.search(r'<input[^>]*name="website"[^>]*>', honeypot[1])
    field = re.search(r'<input[^>]*name="website"[^>]*>', honeypot[1])[0]
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field
    assert re.search(r'<input type="hidden" name="started" value="[^"]+:[^"]+">', body)


def test_a_person_signs_up(client):
    response = client.post(SIGNUP, signup_data())
    assert response["Location"] == reverse("home")
    assert User.objects.filter(username="chaewon").exists()


# Scripts


def test_a_filled_honeypot_is_refused_with_the_form_kept(client):
    response = client.post(SIGNUP, signup_data(website="http://cheap-pills.example"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Please leave the field labelled “Leave this empty” empty" in body
    assert 'value="chaewon@example.com"' in body
    assert "cheap-pills" not in body  # shown empty again, for a person whose browser filled it
    assert not User.objects.exists()


def test_a_form_sent_too_fast_is_refused_with_the_text_kept_and_works_a_moment_later(client):
    now = time.time()
    with time_machine.travel(now, tick=False):
        token = client.get(SIGNUP).context["form"].started_token
        response = client.post(SIGNUP, signup_data(started=token))

    body = response.content.decode()
    assert "That was quicker than we expected from a person" in body
    assert "type your password in both boxes again and press “Sign up”" in body
    assert 'value="chaewon"' in body
    assert 'value="chaewon@example.com"' in body
    assert PASSWORD not in body  # pages never send a password back
    assert f'name="started" value="{token}"' in body  # the same clock keeps running
    assert not User.objects.exists()

    with time_machine.travel(now + 4, tick=False):
        response = client.post(SIGNUP, signup_data(started=token))
    assert response.status_code == 302
    assert User.objects.filter(username="chaewon").exists()


@pytest.mark.parametrize(
    "started",
    [
        signup_started_token(time.time() - 2 * 24 * 3600),  # open for two days
        "",  # a script that never saw the form
        signup_started_token(time.time() - 10)[:-2] + "xx",  # tampered with
        "1700000000",  # unsigned
    ],
    ids=["stale", "missing", "tampered", "unsigned"],
)
def test_a_stale_missing_or_forged_timestamp_is_refused_with_a_fresh_one(client, started):
    response = client.post(SIGNUP, signup_data(started=started))

    body = response.content.decode()
    assert "This form was open for a long time" in body
    assert 'value="chaewon@example.com"' in body
    fresh = re.search(r'name="started" value="([^"]+)"', body)[1]
    assert fresh != started
    assert not User.objects.exists()


# Blocklists


@pytest.mark.parametrize(
    "email", ["spam@junk.example", "x@mail.junk.example", "Spammer@Gmail.example"]
)
def test_blocklisted_addresses_and_domains_are_refused(client, email):
    BlockedEmail.objects.create(pattern="junk.example")
    BlockedEmail.objects.create(pattern="spammer@gmail.example")

    response = client.post(SIGNUP, signup_data(email=email))

    assert "We can&#x27;t accept sign-ups with this e-mail address" in response.content.decode()
    assert not User.objects.exists()


def test_a_domain_block_does_not_catch_lookalikes(client):
    BlockedEmail.objects.create(pattern="junk.example")
    BlockedEmail.objects.create(pattern="spammer@gmail.example")

    for n, email in enumerate(["a@notjunk.example", "other@gmail.example"]):
        client.post(SIGNUP, signup_data(username=f"fan{n}", email=email))
        client.logout()

    assert User.objects.count() == 2


@pytest.mark.parametrize(
    ("network", "ip"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("203.0.113.0/24", "203.0.113.200"),
        ("2001:db8::/32", "2001:db8:1::5"),
    ],
)
def test_blocklisted_ips_and_networks_are_refused(client, network, ip):
    BlockedIP.objects.create(network=network)

    response = client.post(SIGNUP, signup_data(), REMOTE_ADDR=ip)

    assert "New accounts can&#x27;t be made from your network right now" in (
        response.content.decode()
    )
    assert not User.objects.exists()
    assert client.post(SIGNUP, signup_data(), REMOTE_ADDR="198.51.100.1").status_code == 302


def test_moderators_add_blocklist_entries_in_the_admin_normalised(client):
    client.force_login(make_staff())

    client.post(
        reverse("admin:community_blockedip_add"), {"network": " 203.0.113.7/24 ", "reason": "x"}
    )
    client.post(reverse("admin:community_blockedemail_add"), {"pattern": "@Junk.Example"})
    invalid = client.post(reverse("admin:community_blockedip_add"), {"network": "not an ip"})

    assert list(BlockedIP.objects.values_list("network", flat=True)) == ["203.0.113.0/24"]
    assert list(BlockedEmail.objects.values_list("pattern", flat=True)) == ["junk.example"]
    assert "Enter an IP address or a network" in invalid.content.decode()


# Confirming the address


def test_signup_sends_a_link_that_confirms_once(client):
    client.post(SIGNUP, signup_data())
    user = User.objects.get(username="chaewon")
    assert not user.has_confirmed_email
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["chaewon@example.com"]
    path = confirmation_path(mail.outbox[0])

    page = client.get(path)  # opening the link (or a mail scanner doing so) changes nothing
    assert page.status_code == 200
    assert "Confirm my address" in page.content.decode()
    user.refresh_from_db()
    assert not user.has_confirmed_email

    response = client.post(path)
    assert response["Location"] == reverse("home")
    user.refresh_from_db()
    assert user.has_confirmed_email

    again = client.post(path)
    assert again.status_code == 404
    assert "This confirmation link has expired, was already used" in again.content.decode()


def test_the_link_says_nothing_about_the_fan(client):
    client.post(SIGNUP, signup_data())
    key = confirmation_path(mail.outbox[0]).split("/")[3]

    assert re.fullmatch(r"[a-z0-9]{64}", key)  # random, kept in the database: nothing to decode
    assert "chaewon" not in mail.outbox[0].body.split(key)[0].split("http")[-1]


def test_the_link_works_when_opened_logged_out(client):
    client.post(SIGNUP, signup_data())
    path = confirmation_path(mail.outbox[0])
    client.logout()

    assert client.post(path)["Location"] == reverse("account_login")
    assert User.objects.get(username="chaewon").has_confirmed_email


def test_a_link_sent_from_a_page_brings_the_fan_back_there(client):
    video = make_video()
    client.post(
        f"{SIGNUP}?next={video.get_absolute_url()}", signup_data(next=video.get_absolute_url())
    )
    path = confirmation_path(mail.outbox[0])
    assert f"?next={video.get_absolute_url()}" in path.replace("%2F", "/")

    page = client.get(path).content.decode()
    assert f'name="next" value="{video.get_absolute_url()}"' in page
    response = client.post(path, {"next": video.get_absolute_url()})

    assert response["Location"] == video.get_absolute_url()


def test_a_link_never_leads_off_the_site(client):
    client.post(SIGNUP, signup_data(next="https://evil.example/"))
    path = confirmation_path(mail.outbox[0])

    assert "evil" not in path
    assert client.post(path, {"next": "https://evil.example/"})["Location"] == reverse("home")


def test_a_made_up_link_fails_and_says_what_to_do(client):
    fan = make_user(email_verified=False)
    client.force_login(fan)

    response = client.post(reverse("community:confirm-email", args=["nonsense"]))

    assert response.status_code == 404
    body = response.content.decode()
    assert "This confirmation link has expired, was already used" in body
    assert f'action="{RESEND}"' in body
    assert not User.objects.get(pk=fan.pk).has_confirmed_email


def test_an_expired_link_fails(client):
    client.post(SIGNUP, signup_data())
    path = confirmation_path(mail.outbox[0])

    with time_machine.travel(timezone.now() + datetime.timedelta(days=3, minutes=1)):
        response = client.post(path)

    assert response.status_code == 404
    assert not User.objects.get(username="chaewon").has_confirmed_email


# Links mailed before allauth (signed account id and address) still work for their three days


def test_a_link_mailed_before_allauth_still_confirms(client):
    fan = make_user(email_verified=False)
    path = reverse("community:confirm-email", args=[legacy_token(fan)])

    assert "Confirm my address" in client.get(path).content.decode()
    assert client.post(path)["Location"] == reverse("account_login")
    assert User.objects.get(pk=fan.pk).has_confirmed_email


def test_an_old_link_tampered_with_expired_or_for_a_changed_address_fails(client):
    fan = make_user(email_verified=False, email="old@example.com")
    token = legacy_token(fan)
    other = make_user(email_verified=False)
    forged = legacy_token(other).split(":")[0] + ":" + token.split(":", 1)[1]

    for bad in (token[:-3] + "abc", forged):
        assert client.post(reverse("community:confirm-email", args=[bad])).status_code == 404
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3, minutes=1)):
        assert client.post(reverse("community:confirm-email", args=[token])).status_code == 404
    EmailAddress.objects.filter(user=fan).update(email="new@example.com")
    assert client.post(reverse("community:confirm-email", args=[token])).status_code == 404

    assert not User.objects.get(pk=fan.pk).has_confirmed_email
    assert not User.objects.get(pk=other.pk).has_confirmed_email


# Until then: no writing


@pytest.fixture
def newcomer(client):
    fan = make_user(email_verified=False, email="newcomer@example.com")
    client.force_login(fan)
    return fan


def assert_refused(response):
    body = response.content.decode()
    assert response.status_code == 403
    assert "Confirm your e-mail address first" in body
    assert "newcomer@example.com" in body
    assert f'action="{RESEND}"' in body


def test_an_unconfirmed_fan_cannot_rate(client, newcomer):
    video = make_video()
    assert_refused(client.post(reverse("community:rate", args=[video.slug]), {"score": 8}))
    assert not Rating.objects.exists()


def test_an_unconfirmed_fan_cannot_follow(client, newcomer):
    member = make_member()
    response = client.post(reverse("community:follow"), {"kind": "member", "target": member.slug})
    assert_refused(response)
    assert not Follow.objects.exists()


def test_an_unconfirmed_fan_cannot_make_or_fill_lists(client, newcomer):
    video = make_video()
    assert_refused(client.get(reverse("community:watchlist-create")))
    assert_refused(client.post(reverse("community:watchlist-create"), {"name": "Faves"}))
    assert_refused(client.post(reverse("community:watchlist-add", args=[video.slug]), {}))
    assert not Watchlist.objects.filter(owner=newcomer).exists()


def test_an_unconfirmed_fan_cannot_comment(client, newcomer):
    video = make_video()
    url = reverse("community:comment-create", args=[video.slug])
    assert_refused(client.post(url, {"body": "First!"}))
    assert not video.comments.exists()


def test_an_unconfirmed_fan_still_reads_and_edits_settings(client, newcomer):
    assert client.get(make_video().get_absolute_url()).status_code == 200
    settings_page = client.get(reverse("community:settings")).content.decode()
    assert "isn't confirmed yet" in settings_page


def test_a_confirmed_fan_writes(client):
    client.force_login(make_user())
    video = make_video()
    client.post(reverse("community:rate", args=[video.slug]), {"score": 8})
    assert Rating.objects.filter(video=video).exists()


def test_anonymous_visitors_are_still_sent_to_log_in(client):
    video = make_video()
    response = client.post(reverse("community:rate", args=[video.slug]), {"score": 8})
    assert response["Location"].startswith(reverse("login"))


def test_resending_sends_a_working_link_back_to_the_page(client, newcomer):
    video = make_video()
    response = client.post(RESEND, {"next": video.get_absolute_url()}, follow=True)

    assert response.redirect_chain == [(video.get_absolute_url(), 302)]
    assert "We sent a new confirmation link to newcomer@example.com" in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@example.com"]
    path = confirmation_path(mail.outbox[0])
    assert client.post(path, {"next": video.get_absolute_url()})["Location"] == (
        video.get_absolute_url()
    )
    newcomer.refresh_from_db()
    assert newcomer.has_confirmed_email


def test_resending_mails_once_in_a_while_and_is_rate_limited(client, newcomer):
    first = client.post(RESEND, follow=True)
    second = client.post(RESEND, follow=True)
    assert len(mail.outbox) == 1  # the first link still works: no second mail minutes later
    assert "We sent you a link a few minutes ago" in second.content.decode()
    assert "We sent a new confirmation link" in first.content.decode()

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=4)):
        client.post(RESEND)
    assert len(mail.outbox) == 2

    for _ in range(5):  # five an hour at most, whatever they do
        last = client.post(RESEND)
    assert last.status_code == 429


def test_resending_is_not_for_the_confirmed(client):
    client.force_login(make_user())
    response = client.post(RESEND, follow=True)
    assert "Your e-mail address is already confirmed" in response.content.decode()
    assert mail.outbox == []


def test_resending_keeps_next_on_this_site(client, newcomer):
    response = client.post(RESEND, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("community:settings")


def test_an_account_made_by_signup_is_logged_in_but_unconfirmed(client):
    client.post(SIGNUP, signup_data())
    user = User.objects.get(username="chaewon")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert not user.has_confirmed_email
    assert EmailAddress.objects.get(user=user).email == "chaewon@example.com"
