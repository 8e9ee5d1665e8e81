"""What people notice first: the icon, a home-screen install, the browser bar's colour, the share
picture, and a word when they log out."""

import json

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def static_file(url: str) -> str:
    path = finders.find(url.removeprefix(settings.STATIC_URL))
    assert path, f"{url} is not a static file"
    return str(path)


def test_every_page_names_its_icons_manifest_and_theme_colour(client):
    body = client.get(reverse("home")).content.decode()
    assert 'rel="icon" href="/static/img/favicon.ico"' in body
    assert 'rel="icon" href="/static/img/icon.svg" type="image/svg+xml"' in body
    assert 'rel="apple-touch-icon" href="/static/img/apple-touch-icon.png"' in body
    assert f'rel="manifest" href="{reverse("web-manifest")}"' in body
    assert '<meta name="theme-color" content="#b3124a"' in body


def test_the_favicon_address_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    with Image.open(static_file(response["Location"])) as icon:
        assert icon.format == "ICO"
        assert (32, 32) in icon.info["sizes"]


def test_the_manifest_makes_the_site_installable(client):
    response = client.get(reverse("web-manifest"))

    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["short_name"] == settings.SITE_NAME
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#b3124a"
    sizes = set()
    for icon in manifest["icons"]:
        if icon["type"] != "image/png":
            continue
        with Image.open(static_file(icon["src"])) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes.add((icon["sizes"], icon.get("purpose", "any")))
    # Chromium installs with a 192 and a 512 px icon; Android's launchers crop a maskable one.
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_the_share_picture_is_the_size_link_previews_use():
    with Image.open(static_file("/static/img/share.png")) as image:
        assert image.size == (1200, 630)


def test_logging_out_says_so(client):
    client.force_login(make_user())
    response = client.post(reverse("logout"), follow=True)
    assert "You have logged out." in response.content.decode()


def test_logging_out_says_so_in_korean(client):
    client.force_login(make_user())
    response = client.post("/ko" + reverse("logout"), follow=True)
    assert "로그아웃했어요" in response.content.decode()
