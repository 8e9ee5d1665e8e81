"""Every `next` a visitor can write leads back onto this site, whichever form or link carries it:
checked as the browser will follow it, after the view's own rewrites."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

# Each would leave the site once a browser follows it (or, with a line break, break the header).
OFF_SITE = [
    "/ja//evil.example/",
    "/ko//evil.example/path",
    "/ja/\\evil.example/",
    "//evil.example/",
    "https://evil.example/",
    "/videos/\r\nSet-Cookie: x=1",
]


def _stays(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.mark.parametrize("next_url", OFF_SITE)
@pytest.mark.parametrize("language", ["en", "ko", "ja", "xx"])
def test_the_language_switch_never_leaves_the_site(client, next_url, language):
    response = client.get("/language/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert _stays(response["Location"]), response["Location"]


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_the_language_form_never_leaves_the_site(next_url):
    client = Client()
    client.force_login(make_user())
    response = client.post("/language/", {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert _stays(response["Location"]), response["Location"]


def test_the_language_switch_still_keeps_the_page():
    client = Client()
    response = client.get("/language/", {"language": "en", "next": "/ja/videos/?kind=mv"})
    assert response["Location"] == "/videos/?kind=mv"


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_community_forms_never_send_a_fan_off_the_site(next_url):
    fan = make_user()
    client = Client()
    client.force_login(make_user())
    followed = client.post(
        reverse("community:follow"), {"kind": "fan", "target": fan.username, "next": next_url}
    )
    blocked = client.post(reverse("community:block", args=[fan.username]), {"next": next_url})
    for response in (followed, blocked):
        assert response.status_code == 302
        assert _stays(response["Location"]), response["Location"]


@pytest.mark.parametrize("next_url", ["/ja//evil.example/", "//evil.example/", "/x\r\ny"])
def test_signing_in_never_sends_a_fan_off_the_site(client, next_url):
    make_user(username="chaewon", password="correct horse battery staple")
    response = client.post(
        f"{reverse('account_login')}?next={next_url}",
        {"login": "chaewon", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert _stays(response["Location"]), response["Location"]
