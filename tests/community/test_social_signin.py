"""Signing in with another site's account: providers appear once configured, and a new fan coming
from one picks a username and meets the blocklists. Against a real OpenID Connect provider
running on this machine (tests/oidc_provider.py), the way Kakao, LINE or Google are met."""

import re
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from community.models import BlockedEmail, BlockedIP, Profile, User, Watchlist
from tests.factories import make_user
from tests.oidc_provider import Person, Provider, provider_settings

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
START = "/accounts/oidc/local/login/"


@pytest.fixture
def provider(settings):
    person = Person(
        sub="local-7",
        name="Hana Kim",
        email="hana@fans.example",
        preferred_username="hana",
    )
    with Provider(client_id="fansite", client_secret="s3cret", person=person) as running:
        settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": provider_settings(running)}
        yield running


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def approve_at_provider(authorize_url: str) -> str:
    """What the person's browser does at the provider: opens the page and presses "Allow".
    Returns where the provider sends them back to."""
    opener = urllib.request.build_opener(_NoRedirects)
    with opener.open(authorize_url, timeout=5) as page:
        assert "Allow" in page.read().decode()
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    request = urllib.request.Request(
        authorize_url.split("?")[0], data=urlencode(params).encode(), method="POST"
    )
    try:
        opener.open(request, timeout=5)
    except urllib.error.HTTPError as redirect:
        return redirect.headers["Location"]
    raise AssertionError("the provider did not send the person back")


def come_back_from_provider(client) -> str:
    """Start at the site, approve at the provider, land back on the site: the next page."""
    started = client.post(START)
    assert started.status_code == 302
    back = approve_at_provider(started["Location"])
    assert back.startswith("http://testserver/accounts/oidc/local/login/callback/")
    return client.get(back.removeprefix("http://testserver"))["Location"]


def test_no_provider_is_offered_until_one_is_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get(LOGIN).content.decode()
    assert "Continue with" not in page
    assert client.post(START).status_code == 404


def test_a_configured_provider_is_offered_with_a_button_that_posts(client, provider):
    page = client.get(LOGIN).content.decode()
    assert re.search(rf'<form method="post" action="{START}(\?process=login)?">', page)
    assert "Continue with Local ID" in page


def test_a_new_fan_picks_a_username_and_is_signed_in_confirmed(client, provider):
    signup = come_back_from_provider(client)
    assert signup == reverse("socialaccount_signup")
    page = client.get(signup).content.decode()
    assert 'value="hana"' in page  # suggested from the provider, theirs to change
    assert 'value="hana@fans.example"' in page

    response = client.post(signup, {"username": "Hana_Fearnot", "email": "hana@fans.example"})

    assert response.status_code == 302
    fan = User.objects.get(username="Hana_Fearnot")
    assert client.session[SESSION_KEY] == str(fan.pk)
    assert fan.has_confirmed_email  # the provider vouched for the address
    assert not fan.has_usable_password()
    assert SocialAccount.objects.get(user=fan).uid == "local-7"
    assert Profile.objects.filter(user=fan).exists()
    assert Watchlist.objects.get(owner=fan).is_default


def test_the_same_person_signs_in_again_without_the_form(client, provider):
    signup = come_back_from_provider(client)
    client.post(signup, {"username": "hana", "email": "hana@fans.example"})
    client.logout()

    assert come_back_from_provider(client) == reverse("home")
    assert client.session[SESSION_KEY] == str(User.objects.get(username="hana").pk)


def test_a_taken_username_is_refused_in_any_case(client, provider):
    make_user(username="HANA")
    signup = come_back_from_provider(client)

    response = client.post(signup, {"username": "hana", "email": "hana@fans.example"})

    assert "That username is taken." in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_a_blocked_address_is_refused_and_another_one_must_be_confirmed(client, provider):
    BlockedEmail.objects.create(pattern="fans.example")
    signup = come_back_from_provider(client)

    refused = client.post(signup, {"username": "hana", "email": "hana@fans.example"})
    assert "We can&#x27;t accept sign-ups with this e-mail address" in refused.content.decode()
    assert not User.objects.filter(username="hana").exists()

    client.post(signup, {"username": "hana", "email": "hana@mail.example"})
    fan = User.objects.get(username="hana")
    assert not fan.has_confirmed_email  # the provider never vouched for this one
    assert EmailAddress.objects.get(user=fan).email == "hana@mail.example"


def test_a_blocked_network_is_refused(client, provider):
    BlockedIP.objects.create(network="127.0.0.0/8")
    signup = come_back_from_provider(client)

    response = client.post(signup, {"username": "hana", "email": "hana@fans.example"})

    assert "New accounts can&#x27;t be made from your network right now" in (
        response.content.decode()
    )
    assert not User.objects.filter(username="hana").exists()


def test_the_provider_page_is_allowed_by_the_content_security_policy():
    """Starting posts a form that the site answers with a redirect to the provider's page, which
    browsers check against form-action: configured providers are in it (settings.py)."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    code = "from django.conf import settings; print(settings.SECURE_CSP['form-action'])"
    env = {
        **os.environ,
        "KAKAO_CLIENT_ID": "k",
        "KAKAO_SECRET": "s",
        "OIDC_CLIENT_ID": "o",
        "OIDC_SECRET": "s",
        "OIDC_SERVER_URL": "https://id.example.org/realms/fans",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "https://kauth.kakao.com" in out
    assert "https://id.example.org'" in out
    assert "accounts.google.com" not in out
