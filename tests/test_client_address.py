"""One client address for everything that counts per address (foundation.client_address.client_ip):
X-Forwarded-For is the client's own claim unless TRUSTED_PROXY_COUNT says a proxy of ours wrote
it, and behind one trusted proxy each fan is counted on their own."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.urls import reverse

from community import ratelimit
from community.models import BlockedIP, User
from tests.community.test_signup_abuse import SIGNUP, signup_data
from tests.factories import make_user, make_video

pytestmark = pytest.mark.django_db

BALANCER = "10.0.0.1"
API_LIST = "/api/v1/videos/"
LOCKED = "Too many wrong passwords for this account from your connection"


def test_a_new_forwarded_for_on_every_request_never_escapes_the_api_throttle(client):
    """No proxy trusted: a script writing a fresh X-Forwarded-For each time is one client."""
    statuses = [
        client.get(API_LIST, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(61)
    ]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429


def test_behind_one_trusted_proxy_each_visitor_has_their_own_api_allowance(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Whatever the client puts before the balancer's entry changes nothing.
    statuses = [
        client.get(
            API_LIST, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 203.0.113.9"
        ).status_code
        for n in range(61)
    ]
    assert statuses[60] == 429
    other = client.get(API_LIST, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 200


def _limited_times(n, **meta):
    request = RequestFactory().post("/", **meta)
    return [ratelimit.is_limited(request, "comment") for _ in range(n)]


def test_write_limits_ignore_a_forwarded_for_no_proxy_of_ours_wrote():
    allowance = ratelimit.WRITE_LIMITS["comment"].count * 5
    results = [
        ratelimit.is_limited(
            RequestFactory().post("/", REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}"),
            "comment",
        )
        for n in range(allowance + 1)
    ]
    assert results == [False] * allowance + [True]


def test_behind_one_trusted_proxy_each_fans_write_limit_is_their_own(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    allowance = ratelimit.WRITE_LIMITS["comment"].count * 5
    first = _limited_times(allowance + 1, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert first[-1] is True
    assert _limited_times(1, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.7") == [False]


def test_behind_one_trusted_proxy_a_fans_comments_are_not_their_neighbours(settings):
    """The page a fan sees: another fan's burst on the same balancer leaves them able to post."""
    settings.TRUSTED_PROXY_COUNT = 1
    video = make_video()
    url = reverse("community:comment-create", args=[video.slug])
    allowance = ratelimit.WRITE_LIMITS["comment"].count * 5
    busy = _limited_times(allowance, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert busy[-1] is False  # that address's allowance, used up to the last comment
    assert _limited_times(1, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.9") == [True]

    fan = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.7")
    fan.force_login(make_user())
    assert fan.post(url, {"body": "Still here"}).status_code == 302
    assert video.comments.filter(body="Still here").exists()


def test_a_forwarded_for_no_proxy_of_ours_wrote_does_not_escape_a_login_lockout(client):
    make_user(username="yunjin")
    for n in range(6):
        client.post(
            reverse("login"),
            {"login": "yunjin", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    response = client.post(
        reverse("login"),
        {"login": "yunjin", "password": "correct horse battery staple"},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert LOCKED in response.content.decode()


def test_the_signup_blocklist_reads_the_address_our_proxy_saw(client, settings):
    BlockedIP.objects.create(network="203.0.113.0/24")
    # No proxy trusted: claiming another address doesn't get a blocked network through...
    client.post(
        SIGNUP, signup_data(), REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert not User.objects.exists()
    # ...and behind one, the balancer's address is not the fan's.
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(SIGNUP, signup_data(), REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert not User.objects.exists()
    response = client.post(
        SIGNUP, signup_data(), REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert response.status_code == 302
    assert User.objects.filter(username="chaewon").exists()


def test_allauth_and_drf_read_the_same_proxy_count():
    """For any code of theirs that reads X-Forwarded-For itself, not through our function."""
    code = (
        "import django; django.setup();"
        "from allauth import app_settings;"
        "from rest_framework.settings import api_settings;"
        "print(app_settings.TRUSTED_PROXY_COUNT, api_settings.NUM_PROXIES,"
        " app_settings.TRUSTED_CLIENT_IP_HEADER)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fansite.settings", "TRUSTED_PROXY_COUNT": "2"}
    output = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert output.split() == ["2", "2", "None"]
