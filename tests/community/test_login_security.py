"""Login brute force: allauth's limits lock a (name, IP) pair out after a few wrong passwords and
say when to come back; one IP's guesses across many names are limited too; password resets
reveal no accounts; the client's address is the one our proxies saw."""

import datetime

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from community.adapters import AccountAdapter
from foundation.client_address import client_ip
from tests.factories import make_staff, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
LOCKED = "Too many wrong passwords for this account from your connection"


def attempt(client, login="yunjin", password="wrong", ip="127.0.0.1"):
    return client.post(LOGIN, {"login": login, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.fixture
def yunjin():
    return make_user(username="yunjin", email="yunjin@example.com")


def test_five_wrong_passwords_are_just_wrong_and_then_the_pair_is_locked_out(client, yunjin):
    for _ in range(5):
        response = attempt(client)
        assert response.status_code == 200
        assert "The username and/or password you specified are not correct." in (
            response.content.decode()
        )

    locked = attempt(client, password=PASSWORD)  # even the right password, without a check

    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    assert not logged_in(client)


def test_the_lock_holds_one_name_from_one_ip_only(client, yunjin):
    make_user(username="kazuha")
    for _ in range(6):
        attempt(client)

    # Another fan on the same connection (a shared Wi-Fi) still logs in...
    assert attempt(client, login="kazuha", password=PASSWORD).status_code == 302
    client.logout()
    # ... and so does Yunjin from her own connection: a stranger can't lock her out from afar.
    assert attempt(client, password=PASSWORD, ip="198.51.100.4").status_code == 302
    assert logged_in(client)


def test_the_name_counts_the_same_in_any_case_or_spacing(client, yunjin):
    for name in ("yunjin", "Yunjin", "YUNJIN", "yunJin", " yunjin"):
        attempt(client, login=name)

    assert attempt(client, password=PASSWORD).status_code == 429


def test_one_ip_guessing_many_names_is_stopped_too(client):
    for n in range(10):
        assert attempt(client, login=f"fan{n}").status_code == 200
    assert attempt(client, login="someone-else").status_code == 429


def test_the_lock_lifts_after_the_window(client, yunjin):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            attempt(client)
        assert attempt(client, password=PASSWORD).status_code == 429

    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert attempt(client, password=PASSWORD).status_code == 429  # tries while locked ...

    with time_machine.travel(start + datetime.timedelta(minutes=15, seconds=1), tick=False):
        # ... don't extend the lock: the page's promise holds.
        response = attempt(client, password=PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_the_lockout_page_is_friendly_and_says_when_to_retry(client, yunjin):
    for _ in range(6):
        response = attempt(client)

    body = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "Try again in 15 minutes, or reset your password." in body
    assert reverse("account_reset_password") in body
    assert 'value="yunjin"' in body  # the form is kept
    assert "Content-Security-Policy" in response.headers  # a normal page of the site


def test_limits_come_from_settings(client, yunjin, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/15m/key"}
    assert attempt(client).status_code == 200
    assert attempt(client).status_code == 200
    assert attempt(client).status_code == 429


def test_two_factor_codes_are_limited_per_fan_as_passwords_are(client):
    from tests.factories import make_totp

    fan = make_user(username="chaewon")
    make_totp(fan)
    client.post(LOGIN, {"login": "chaewon", "password": PASSWORD})
    for _ in range(5):
        response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert "Incorrect code." in response.content.decode()

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert LOCKED in response.content.decode()
    assert not logged_in(client)


def test_trusted_proxies_give_the_client_address(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_ip(request) == "10.0.0.1"  # no proxy trusted: the header is ignored
    settings.TRUSTED_PROXY_COUNT = 1
    # The load balancer appended the address it saw; what the client wrote before it is ignored.
    assert client_ip(request) == "203.0.113.9"
    assert AccountAdapter(request).get_client_ip(request) == "203.0.113.9"  # allauth's too


def test_behind_a_proxy_each_client_is_counted_on_its_own(client, yunjin, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(6):
        client.post(
            LOGIN,
            {"login": "yunjin", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )

    other = client.post(
        LOGIN, {"login": "yunjin", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert other.status_code == 302


# The admin


def test_the_admin_login_is_the_site_login(client):
    make_staff(username="curator")
    response = client.get(ADMIN_LOGIN, {"next": reverse("admin:index")}, follow=True)

    assert response.redirect_chain[-1][0].startswith(f"{LOGIN}?next=")
    assert 'class="account-form"' in response.content.decode()


def test_anonymous_admin_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)


# Password reset


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client):
    make_user(email="kazuha@example.com")
    reset = reverse("account_reset_password")

    known = client.post(reset, {"email": "kazuha@example.com"}, follow=True)
    unknown = client.post(reset, {"email": "nobody@example.com"}, follow=True)

    done = reverse("account_reset_password_done")
    assert known.redirect_chain == unknown.redirect_chain == [(done, 302)]
    assert known.content == unknown.content
    assert [message.to for message in mail.outbox] == [["kazuha@example.com"]]


def test_password_reset_mails_are_limited_per_address(client):
    make_user(email="kazuha@example.com")
    reset = reverse("account_reset_password")
    for _ in range(3):
        client.post(reset, {"email": "kazuha@example.com"})

    assert client.post(reset, {"email": "kazuha@example.com"}).status_code == 429
    assert len(mail.outbox) == 3


def test_password_reset_mails_stay_limited_when_spread_out(client):
    """One every two minutes slips under any per-minute limit: the address's hourly one holds."""
    make_user(email="kazuha@example.com")
    reset = reverse("account_reset_password")
    start = timezone.now()
    for n in range(12):
        with time_machine.travel(start + datetime.timedelta(minutes=2 * n), tick=False):
            client.post(reset, {"email": "kazuha@example.com"})
    assert len(mail.outbox) == 3


def test_password_reset_mails_are_limited_per_ip(client):
    reset = reverse("account_reset_password")
    for n in range(25):
        make_user(email=f"fan{n}@example.net")
    start = timezone.now()
    statuses = []
    for n in range(25):
        with time_machine.travel(start + datetime.timedelta(minutes=n), tick=False):
            statuses.append(client.post(reset, {"email": f"fan{n}@example.net"}).status_code)
    assert statuses.count(429) == 5
    assert len(mail.outbox) == 20


def test_wrong_current_passwords_on_the_change_page_run_out(client, yunjin):
    client.force_login(yunjin)
    change = reverse("account_change_password")
    new = {"password1": "a brand new passphrase 7", "password2": "a brand new passphrase 7"}
    start = timezone.now()
    for n in range(12):  # spread out, as a patient script would
        with time_machine.travel(start + datetime.timedelta(minutes=2 * n), tick=False):
            client.post(change, {"oldpassword": f"guess {n}", **new})

    with time_machine.travel(start + datetime.timedelta(minutes=25), tick=False):
        response = client.post(change, {"oldpassword": "correct horse battery staple", **new})

    assert "Too many wrong passwords" in response.content.decode()
    yunjin.refresh_from_db()
    assert yunjin.check_password("correct horse battery staple")

    with time_machine.travel(start + datetime.timedelta(minutes=90), tick=False):
        response = client.post(change, {"oldpassword": "correct horse battery staple", **new})
    yunjin.refresh_from_db()
    assert yunjin.check_password("a brand new passphrase 7")
