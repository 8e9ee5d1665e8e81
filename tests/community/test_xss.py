"""Whatever fans type is shown as text: nothing they post becomes live markup on the page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from community import ratelimit, text
from community.models import Comment
from tests.factories import make_user, make_video

pytestmark = pytest.mark.django_db

CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    '"><a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example/"></iframe>',
    "<b><i>never closed",
    "evil\u202egnp.exe",
    'http://example.com/"onmouseover="alert(1)',
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
]


@pytest.fixture
def page_with_corpus(client, monkeypatch):
    """The video page after a fan posted every corpus entry as its own comment."""
    monkeypatch.setitem(ratelimit.WRITE_LIMITS, "comment", ratelimit.Limit("comment", 100, 60))
    video = make_video(youtube_id="4vbDFu0PUew")
    fan = make_user(date_joined=timezone.now() - datetime.timedelta(days=30))
    client.force_login(fan)
    for body in CORPUS:
        response = client.post(
            reverse("community:comment-create", args=[video.slug]), {"body": body}
        )
        assert response.status_code == 302, body
    assert Comment.objects.filter(status="visible").count() == len(CORPUS)
    return client.get(video.get_absolute_url()).content.decode()


def test_no_corpus_entry_is_live_on_the_page(page_with_corpus):
    """Live means markup: a tag or attribute. The words themselves stay, escaped, as text."""
    page = page_with_corpus.lower()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert not re.search(r"<[^>]*\son\w+\s*=", page)  # no onerror=, onload=, … on any tag
    # The only <svg> in the main part are the drawn avatars (community/avatars.py), none from a
    # body; the header's icons are the site's own.
    svgs = re.findall(r"<svg[^>]*>", page.split("<main", 1)[1])
    assert svgs
    assert all(tag.startswith('<svg class="avatar avatar-generated" ') for tag in svgs)
    assert "<iframe" not in page
    assert 'href="javascript:' not in page
    assert 'href="data:' not in page
    assert 'onmouseover="' not in page
    assert "<b><i>" not in page
    assert "\u202e" not in page


def test_the_corpus_is_shown_as_the_text_it_is(page_with_corpus):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_with_corpus
    assert "&lt;b&gt;&lt;i&gt;never closed" in page_with_corpus
    assert "evilgnp.exe" in page_with_corpus  # the override is dropped, the letters stay
    # The address ends at the quote; the rest is text.
    assert (
        '<a href="http://example.com/" rel="nofollow ugc noopener">http://example.com/</a>'
        "&quot;onmouseover=&quot;alert(1)"
    ) in page_with_corpus


def test_a_plain_https_address_becomes_a_safe_link(client):
    video = make_video()
    fan = make_user(date_joined=timezone.now() - datetime.timedelta(days=30))
    client.force_login(fan)
    client.post(
        reverse("community:comment-create", args=[video.slug]),
        {"body": "Behind the scenes: https://example.com/?a=1&b=2."},
    )
    page = client.get(video.get_absolute_url()).content.decode()
    assert (
        '<a href="https://example.com/?a=1&amp;b=2" rel="nofollow ugc noopener">'
        "https://example.com/?a=1&amp;b=2</a>."
    ) in page


def test_a_word_too_long_to_post_is_refused_and_long_words_break(client):
    video = make_video()
    client.force_login(make_user(date_joined=timezone.now() - datetime.timedelta(days=30)))
    url = reverse("community:comment-create", args=[video.slug])
    assert client.post(url, {"body": "A" * 5000}).status_code == 400

    client.post(url, {"body": "B" * 2900})
    page = client.get(video.get_absolute_url()).content.decode()
    assert "B" * 2900 not in page
    assert ("B" * text.LONG_WORD + "<wbr>") * 3 in page


@pytest.mark.parametrize(
    "body",
    [
        "JaVaScRiPt:alert(1)",
        "java\nscript:alert(1)",
        "https://x.example/<script>",
        "http://x.example/'onfocus='alert(1)",
        "ftp://files.example/",
        "http:// spaced.example",
        "\u202ahttps://a.example\u2066x\u2069",
        "a" * 5000,
        "line one\r\nline two\rline three",
    ],
)
def test_rendering_never_makes_live_markup(body):
    html = text.comment_html(body, "https://www.youtube.com/watch?v=4vbDFu0PUew")
    tags = re.findall(r"<(\w+)", html)
    assert set(tags) <= {"a", "br", "wbr"}
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("http://", "https://"))
    assert not re.search(r"<a [^>]*\bon\w+=", html)
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", html)
    assert not re.search(rf"\S{{{text.LONG_WORD + 10}}}", re.sub(r"<[^>]+>", " ", html))
