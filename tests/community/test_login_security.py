"""Login brute force: django-axes locks a (username, IP) pair out after a few wrong passwords,
with a friendly page; the admin's login is stricter; password resets reveal no accounts."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from community.security import client_ip
from tests.factories import make_staff, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")


def attempt(client, username="yunjin", password="wrong", url=LOGIN, ip="127.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.fixture
def yunjin():
    return make_user(username="yunjin")


def test_four_wrong_passwords_are_just_wrong_and_the_fifth_locks_the_pair_out(client, yunjin):
    for _ in range(4):
        response = attempt(client)
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()

    locked = attempt(client)

    assert locked.status_code == 429
    # Now even the right password is refused from this IP, without being checked.
    assert attempt(client, password=PASSWORD).status_code == 429
    assert not logged_in(client)


def test_the_lock_holds_one_username_from_one_ip_only(client, yunjin):
    make_user(username="kazuha")
    for _ in range(5):
        attempt(client)

    # Another fan on the same connection (a shared Wi-Fi) still logs in...
    assert attempt(client, username="kazuha", password=PASSWORD).status_code == 302
    client.logout()
    # ... and so does Yunjin from her own connection.
    assert attempt(client, password=PASSWORD, ip="198.51.100.4").status_code == 302
    assert logged_in(client)


def test_changing_the_username_case_counts_as_the_same_username(client, yunjin):
    for name in ("yunjin", "Yunjin", "YUNJIN", "yunJin", " yunjin"):
        response = attempt(client, username=name)

    assert response.status_code == 429
    assert AccessAttempt.objects.get().username == "yunjin"


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
    assert not AccessAttempt.objects.exists()  # a good login clears the count


def test_the_lockout_page_is_friendly_and_says_when_to_retry(client, yunjin):
    start = timezone.now().replace(hour=14, minute=20, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            response = attempt(client)

    body = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "<h1>Let's pause for a moment</h1>" in body
    assert "try again in about 15 minutes, after 14:35" in body
    assert reverse("password_reset") in body
    assert "Traceback" not in body
    assert "Content-Security-Policy" in response.headers  # a normal page of the site


def test_limits_come_from_settings(client, yunjin, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    assert attempt(client).status_code == 200
    assert attempt(client).status_code == 429


def test_trusted_proxies_give_the_client_address(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_ip(request) == "10.0.0.1"  # no proxy trusted: the header is ignored
    settings.TRUSTED_PROXY_COUNT = 1
    # The load balancer appended the address it saw; what the client wrote before it is ignored.
    assert client_ip(request) == "203.0.113.9"


# The admin


def test_the_admin_login_is_the_site_login_and_locks_out_sooner(client):
    staff = make_staff(username="curator")
    page = client.get(ADMIN_LOGIN, {"next": reverse("admin:index")})
    assert page.status_code == 200
    assert 'class="account-form"' in page.content.decode()

    for _ in range(2):
        assert attempt(client, username="curator", url=ADMIN_LOGIN).status_code == 200
    assert attempt(client, username="curator", url=ADMIN_LOGIN).status_code == 429
    assert attempt(client, username="curator", password=PASSWORD, url=ADMIN_LOGIN).status_code == (
        429
    )
    assert not logged_in(client)
    assert staff.is_staff


def test_anonymous_admin_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)


# Password reset


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client):
    make_user(email="kazuha@example.com")

    known = client.post(reverse("password_reset"), {"email": "kazuha@example.com"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert known.content == unknown.content
    assert [message.to for message in mail.outbox] == [["kazuha@example.com"]]
