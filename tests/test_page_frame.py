"""The frame every page shares (head, header, footer): what it keeps once per language is still
right for each page, language, visitor and fan."""

import re

import pytest
from django.conf import settings
from django.template import Context, RequestContext, Template
from django.test import RequestFactory, override_settings
from django.utils import translation

from tests.factories import make_user, make_video

pytestmark = pytest.mark.django_db


def header(page: str) -> str:
    match = re.search(r'<header class="site-header">.*?</header>', page, re.S)
    assert match is not None
    return match.group(0)


def render(kept: Template, **values: object) -> str:
    return kept.render(RequestContext(RequestFactory().get("/"), values))


def test_the_kept_markup_follows_the_language_and_the_keys():
    kept = Template(
        '{% load i18n page_tags %}{% same_for_language name %}{% translate "Videos" %}:'
        "{{ name }}{% endsame_for_language %}"
    )
    with translation.override("en"):
        assert render(kept, name="a") == "Videos:a"
        assert render(kept, name="b") == "Videos:b"
        assert render(kept, name="a") == "Videos:a"
    with translation.override("ko"):
        assert render(kept, name="a") == "뮤직비디오:a"


def test_changed_settings_start_the_kept_markup_over():
    kept = Template(
        "{% load page_tags %}{% same_for_language %}{{ SITE_NAME }}{% endsame_for_language %}"
    )
    assert render(kept) == settings.SITE_NAME
    with override_settings(SITE_NAME="other"):
        assert render(kept) == "other"


def test_without_a_request_nothing_is_kept():
    kept = Template(
        "{% load page_tags %}{% same_for_language %}{{ SITE_NAME }}{% endsame_for_language %}"
    )
    assert kept.render(Context({"SITE_NAME": "bare"})) == "bare"
    assert render(kept) == settings.SITE_NAME


def test_the_header_marks_the_current_section_on_each_page(client):
    video = make_video()
    on_videos = header(client.get(f"/videos/{video.slug}/").content.decode())
    on_members = header(client.get("/members/").content.decode())
    assert re.search(r'href="/videos/" aria-current="page"', on_videos)
    assert 'href="/members/" aria-current="page"' not in on_videos
    assert 'href="/members/" aria-current="page"' in on_members
    assert 'href="/videos/" aria-current="page"' not in on_members


def test_a_visitors_header_comes_back_to_this_address_escaped(client):
    page = client.get('/members/?q="><b>x').content.decode()
    top = header(page)
    assert 'value="&quot;&gt;&lt;b&gt;x"' in top
    assert "/accounts/login/?next=/members/%3Fq%3D" in top
    assert "<b>" not in top
    other = header(client.get("/releases/").content.decode())
    assert "next=/releases/" in other
    assert "next=/members/" not in other


def test_the_login_page_links_to_itself_without_coming_back(client):
    top = header(client.get("/accounts/login/").content.decode())
    assert 'href="/accounts/login/" aria-current="page"' in top


def test_a_fans_header_and_footer_are_their_own(client):
    fan = make_user(username="minji")
    client.get("/members/")  # a visitor's frame first, kept for English
    client.force_login(fan)
    page = client.get("/members/").content.decode()
    assert "@minji" in header(page)
    assert "csrfmiddlewaretoken" in header(page)
    assert "Your API tokens" in page
    client.logout()
    assert "Your API tokens" not in client.get("/members/").content.decode()


def test_each_language_gets_its_own_frame(client):
    english = client.get("/members/").content.decode()
    korean = client.get("/ko/members/").content.decode()
    assert '<html lang="en">' in english
    assert '<html lang="ko">' in korean
    assert 'href="/ko/videos/"' in header(korean)
    assert 'href="/videos/"' in header(english)
