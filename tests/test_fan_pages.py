"""Signed-in fans' pages from one shared copy with their own parts filled in
(foundation/fan_pages.py): two fans never see each other's name, lists, follows, badges or
token, after each write and from a warm copy; staff and anything unusual get the page rendered
for them."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community.badges import unread_key
from community.models import Comment, CommentLike, Follow, Notification, Report, Watchlist
from community.services import talk
from community.services.ratings import rating_set
from foundation import fan_pages
from tests.factories import make_member, make_release, make_staff, make_user, make_video

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
SCORED = re.compile(r'name="score" id="score-\d+" value="\d+" checked')


@pytest.fixture
def videos():
    return [
        make_video(
            title="Antifragile", slug="antifragile", published_on=datetime.date(2022, 10, 17)
        ),
        make_video(title="Unforgiven", slug="unforgiven", published_on=datetime.date(2023, 5, 1)),
    ]


def fan_client(fan):
    client = Client()
    client.force_login(fan)
    return client


@pytest.fixture
def aki():
    return make_user(username="aki")


@pytest.fixture
def bora():
    return make_user(username="bora")


def _page(client, path="/videos/"):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert fan_pages.stencil_username() not in html
    assert fan_pages.stencil_list_name() not in html
    assert "fanpart-" not in html
    assert str(fan_pages.stencil_list_pk()) not in html
    assert "private" in response["Cache-Control"]
    return html


def _add(client, video):
    response = client.post(f"/videos/{video.slug}/add-to-list/", {"next": "/videos/"})
    assert response.status_code == 302


def _saved(html, video, fan):
    """Whether the card of `video` says it is in the fan's Watch later list."""
    card = html[html.index(f'href="/videos/{video.slug}/"') :]
    card = card[: card.index("</article>")]
    watch_later = Watchlist.objects.filter(owner=fan, is_default=True).first()
    if watch_later is not None and f'href="/lists/{watch_later.pk}/"' in card:
        return True
    assert "✓ In" not in card  # no one else's list either
    return False


def test_each_fan_sees_their_own_name_and_list_from_one_shared_copy(
    videos, aki, bora, django_assert_max_num_queries
):
    a, b = fan_client(aki), fan_client(bora)
    _add(a, videos[0])
    for _ in range(2):  # the first renders the shared copy, the second reads it
        html_a, html_b = _page(a), _page(b)
        assert "@aki" in html_a
        assert "@bora" not in html_a
        assert "@bora" in html_b
        assert "@aki" not in html_b
        assert 'href="/u/aki/"' in html_a
        assert 'href="/u/bora/"' in html_b
        assert _saved(html_a, videos[0], aki)
        assert not _saved(html_b, videos[0], bora)
        assert not _saved(html_a, videos[1], aki)
    _add(b, videos[1])  # a write: each sees theirs at once
    html_a, html_b = _page(a), _page(b)
    assert _saved(html_b, videos[1], bora)
    assert not _saved(html_a, videos[1], aki)
    assert _saved(html_a, videos[0], aki)
    assert not _saved(html_b, videos[0], bora)
    # The first page after the write (and its message) reads their rows again, and keeps them.
    with django_assert_max_num_queries(3):
        _page(b)
    # Warm: session and fan; the copy, the generation and their rows in one read of the cache.
    with django_assert_max_num_queries(2):
        html_b = _page(b)
    assert _saved(html_b, videos[1], bora)


def test_the_forms_carry_the_fans_own_token_and_it_is_accepted(videos, aki):
    client = Client(enforce_csrf_checks=True)
    client.force_login(aki)
    _page(client)  # the shared copy
    html = _page(client)
    tokens = set(TOKEN.findall(html))
    assert tokens
    assert all(len(token) == 64 for token in tokens)
    response = client.post(
        f"/videos/{videos[0].slug}/add-to-list/",
        {"csrfmiddlewaretoken": tokens.pop(), "next": "/videos/"},
    )
    assert response.status_code == 302
    assert _saved(_page(client), videos[0], aki)


def test_a_renamed_watch_later_list_shows_under_its_own_name(videos, aki, bora):
    a, b = fan_client(aki), fan_client(bora)
    _add(a, videos[0])
    Watchlist.objects.filter(owner=aki, is_default=True).update(name="<b>Aki's picks</b>")
    _page(b)
    html = _page(a)
    assert "&lt;b&gt;Aki&#x27;s picks&lt;/b&gt;" in html or "&lt;b&gt;Aki&#39;s picks" in html
    assert "<b>Aki" not in html
    assert "Aki" not in _page(b)


def test_follow_buttons_and_badges_are_each_fans_own(videos, aki, bora):
    a, b = fan_client(aki), fan_client(bora)
    _page(b, "/")
    response = a.post("/follow/", {"kind": "group", "target": "", "next": "/"})
    assert response.status_code == 302
    assert Follow.objects.filter(follower=aki, kind=Follow.Kind.GROUP).exists()
    Notification.objects.create(recipient=bora, kind=Notification.Kind.REPLY)
    cache.delete(unread_key(bora.pk))
    home_a, home_b = _page(a, "/"), _page(b, "/")
    assert "Following LE SSERAFIM" in home_a
    assert "Following LE SSERAFIM" not in home_b
    assert "Follow LE SSERAFIM" in home_b
    assert re.search(r'notifications-badge"[^>]*>Notifications <span class="badge">1', home_b)
    assert 'class="badge"' not in home_a


def test_languages_are_kept_apart(videos, aki, bora):
    a, b = fan_client(aki), fan_client(bora)
    english = _page(a, "/videos/")
    korean = _page(b, "/ko/videos/")
    assert '<html lang="en">' in english
    assert '<html lang="ko">' in korean
    assert "@bora" in korean
    assert "@aki" in english


def test_staff_get_their_page_rendered(videos):
    staff = fan_client(make_staff(username="curator"))
    html = staff.get("/videos/").content.decode()
    assert "@curator" in html
    assert "fanpart-" not in html


@pytest.mark.parametrize("storage", ["cookie", "session"])
def test_a_fans_message_shows_to_them_alone_and_once(settings, videos, aki, bora, storage):
    if storage == "session":
        settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    a, b = fan_client(aki), fan_client(bora)
    _page(b)  # the shared copy
    response = a.post(f"/videos/{videos[0].slug}/watched/", {"watched_on": "2026-12-01"})
    assert response.status_code == 302
    shown = a.get("/videos/").content.decode()
    assert "Logged “Antifragile” as watched" in shown
    assert "Logged" not in _page(b)
    assert "Logged" not in _page(a)


def test_an_unconfirmed_fan_gets_the_confirm_links_not_a_confirmed_fans_buttons(videos, aki):
    newcomer = fan_client(make_user(username="newcomer", email_verified=False))
    _page(fan_client(aki))  # the confirmed fans' copy
    html = _page(newcomer)
    assert "confirm your e-mail to add" in html
    assert "@newcomer" in html


# ---- The video page: ratings, likes, reports, blocks, held comments -----------------------------


@pytest.fixture
def talk_video():
    return make_video(title="Perfect Night", slug="perfect-night", youtube_id="dQw4w9WgXcQ")


@pytest.fixture
def chaewon_fan():
    return make_user(username="chaewon_fan")


def _video_page(client, path="/videos/perfect-night/"):
    return _page(client, path)


def _comment_block(html, comment):
    start = html.index(f'id="comment-{comment.pk}"')
    return html[start : html.index("</article>", start)]


def test_each_fan_sees_their_own_rating_from_the_shared_copy(talk_video, aki, bora):
    a, b = fan_client(aki), fan_client(bora)
    rating_set(user=aki, video=talk_video, score=8)
    for _ in range(2):
        html_a, html_b = _video_page(a), _video_page(b)
        assert 'value="8" checked' in html_a
        assert "You gave it 4 out of 5." in html_a
        assert not SCORED.search(html_b)
        assert "rated it yet." in html_b
    rating_set(user=bora, video=talk_video, score=3)
    html_a, html_b = _video_page(a), _video_page(b)
    assert 'value="3" checked' in html_b
    assert 'value="8" checked' not in html_b
    assert 'value="8" checked' in html_a
    assert 'value="3" checked' not in html_a


def test_likes_and_reports_are_each_fans_own(talk_video, aki, bora, chaewon_fan):
    comment = talk.comment_create(author=chaewon_fan, video=talk_video, body="The bridge!")
    a, b = fan_client(aki), fan_client(bora)
    _video_page(b)  # the shared copy, before any like
    talk.comment_like(user=aki, comment=comment)
    talk.report_create(reporter=bora, comment=comment, reason=Report.Reason.choices[0][0])
    for _ in range(2):
        mine_a = _comment_block(_video_page(a), comment)
        mine_b = _comment_block(_video_page(b), comment)
        assert 'aria-pressed="true"' in mine_a
        assert "♥" in mine_a
        assert 'aria-pressed="false"' in mine_b
        assert "♥" not in mine_b
        assert "1 like" in mine_a
        assert "1 like" in mine_b
        assert 'class="comment-reported"' in mine_b
        assert 'class="comment-reported"' not in mine_a
        assert 'class="comment-report"' in mine_a


def test_a_fan_who_blocked_the_author_never_sees_the_comment_others_do(
    talk_video, aki, bora, chaewon_fan
):
    comment = talk.comment_create(author=chaewon_fan, video=talk_video, body="Unforgettable")
    a, b = fan_client(aki), fan_client(bora)
    _video_page(a)
    talk.block_create(blocker=bora, blocked=chaewon_fan)
    assert "Unforgettable" not in _video_page(b)
    assert "Unforgettable" in _video_page(a)
    talk.block_delete(blocker=bora, blocked=chaewon_fan)
    assert "Unforgettable" in _video_page(b)
    talk.block_create(blocker=chaewon_fan, blocked=aki)  # the other way round too
    assert "Unforgettable" not in _video_page(a)
    assert f'id="comment-{comment.pk}"' in _video_page(b)


def test_held_and_own_comments_show_to_their_author_alone(talk_video, aki, bora, chaewon_fan):
    a, b, c = fan_client(aki), fan_client(bora), fan_client(chaewon_fan)
    visible = talk.comment_create(author=chaewon_fan, video=talk_video, body="Visible words")
    _video_page(b)
    held = Comment.objects.create(
        author=aki, video=talk_video, body="Waiting words", status=Comment.Status.HELD
    )
    mine = _video_page(a)
    assert "Waiting words" in mine
    assert "Waiting for a moderator" in mine
    for client in (b, c):
        assert "Waiting words" not in _video_page(client)
    authors = _comment_block(_video_page(c), visible)
    assert "/edit/" in authors
    assert 'class="comment-report"' not in authors
    others = _comment_block(_video_page(b), visible)
    assert "/edit/" not in others
    assert 'class="comment-report"' in others
    assert held.pk


def test_a_korean_and_an_english_fan_get_their_language_and_their_own_parts(talk_video, aki, bora):
    rating_set(user=bora, video=talk_video, score=10)
    a, b = fan_client(aki), fan_client(bora)
    english = _video_page(a, "/videos/perfect-night/")
    korean = _video_page(b, "/ko/videos/perfect-night/")
    assert '<html lang="en">' in english
    assert '<html lang="ko">' in korean
    assert 'value="10" checked' in korean
    assert not SCORED.search(english)


def test_the_video_page_keeps_a_small_budget_from_the_shared_copy(
    talk_video, aki, bora, chaewon_fan
):
    for n in range(25):
        talk.comment_create(author=chaewon_fan, video=talk_video, body=f"Comment {n}")
    _video_page(fan_client(bora))
    a = fan_client(aki)
    _video_page(a)
    # session and fan: their rows (blocks, held comments, score, likes, reports, list) are
    # kept, nothing is read per comment, and the view itself doesn't run
    with CaptureQueriesContext(connection) as queries:
        _video_page(a)
    assert len(queries) <= 2
    assert not [q for q in queries if "catalog_musicvideo" in q["sql"]]


def test_a_like_through_the_shared_copys_form_lands(talk_video, aki, chaewon_fan):
    comment = talk.comment_create(author=chaewon_fan, video=talk_video, body="Like me")
    client = Client(enforce_csrf_checks=True)
    client.force_login(aki)
    _video_page(client)
    html = _comment_block(_video_page(client), comment)
    form = html[html.index("<form") : html.index("</form>")]
    action = re.search(r'action="([^"]+)"', form).group(1)
    token = TOKEN.search(form).group(1)
    response = client.post(action, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert CommentLike.objects.filter(user=aki, comment=comment).exists()
    assert 'aria-pressed="true"' in _comment_block(_video_page(client), comment)


def test_release_and_member_pages_show_each_fan_their_own_follows_and_lists(aki, bora):
    member = make_member(stage_name="KIM CHAEWON", slug="kim-chaewon")
    release = make_release(title="EASY", slug="easy")
    video = make_video(title="Easy", slug="easy-mv", release=release)
    video.members.add(member)
    a, b = fan_client(aki), fan_client(bora)
    _page(b, member.get_absolute_url())
    a.post("/follow/", {"kind": "member", "target": member.slug, "next": "/"})
    _add(a, video)
    for _ in range(2):
        page_a, page_b = _page(a, member.get_absolute_url()), _page(b, member.get_absolute_url())
        assert "Following KIM CHAEWON" in page_a
        assert "Following KIM CHAEWON" not in page_b
        assert _saved(page_a, video, aki)
        assert not _saved(page_b, video, bora)
        release_a, release_b = _page(a, "/releases/easy/"), _page(b, "/releases/easy/")
        assert _saved(release_a, video, aki)
        assert not _saved(release_b, video, bora)
        assert "@aki" in release_a
        assert "@bora" in release_b
