"""A fan's own rows kept in the cache under a version of theirs (community/fan_rows.py): two fans
never see each other's lists, follows, ratings, likes, reports or blocks, after each write —
through the site, the services or a bare queryset — and from a warm cache; a warm catalog page
reads none of their rows from the database."""

import datetime
import re
import shutil
import time

import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community import fan_parts, fan_rows
from community.badges import alerts_key
from community.live import bus
from community.models import (
    Comment,
    CommentLike,
    Follow,
    Rating,
    Report,
    Watchlist,
    WatchlistItem,
)
from community.services import talk
from community.services.accounts import account_delete
from community.services.follows import follow_create
from community.services.ratings import rating_set
from community.services.watchlists import watchlist_add_video, watchlist_default_for
from foundation import cache as resilient
from foundation import fan_pages
from tests.factories import make_member, make_staff, make_user, make_video
from tests.test_cache_outage import RETRY, RedisServer

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories.py's

# The tables of the fan's own rows: a warm page reads none of them.
OWN_TABLES = (
    "community_watchlist",
    "community_watchlistitem",
    "community_follow",
    "community_rating",
    "community_commentlike",
    "community_report",
    "community_block",
)


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


@pytest.fixture
def videos():
    member = make_member(stage_name="KIM CHAEWON", slug="kim-chaewon")
    return [
        make_video(
            title="Antifragile",
            slug="antifragile",
            published_on=datetime.date(2022, 10, 17),
            members=[member],
        ),
        make_video(title="Unforgiven", slug="unforgiven", published_on=datetime.date(2023, 5, 1)),
    ]


@pytest.fixture
def member(videos):
    return videos[0].members.get()


def _page(client, path="/videos/"):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "fanpart-" not in html
    assert fan_pages.stencil_username() not in html
    return html


def _card(html, video):
    card = html[html.index(f'href="/videos/{video.slug}/"') :]
    return card[: card.index("</article>")]


def _saved(html, video, fan):
    """Whether the card of `video` says it is in the fan's Watch later list (and no one else's)."""
    card = _card(html, video)
    watch_later = Watchlist.objects.filter(owner=fan, is_default=True).first()
    if watch_later is not None and f'href="/lists/{watch_later.pk}/"' in card:
        return True
    assert "✓ In" not in card
    return False


def _own_reads(queries):
    return [q["sql"] for q in queries if any(table in q["sql"] for table in OWN_TABLES)]


def _warm(*clients, path="/videos/"):
    for client in clients:
        _page(client, path)
        _page(client, path)


# ---- Lists and follows: every page the same -----------------------------------------------------


def test_a_warm_catalog_page_reads_none_of_the_fans_rows(videos, member, aki):
    a = fan_client(aki)
    watchlist_add_video(watchlist=watchlist_default_for(user=aki), video=videos[0])
    follow_create(follower=aki, kind=Follow.Kind.GROUP, target=None)
    _page(a, "/")  # the copy, and the fan's rows kept
    for path in ("/", "/videos/", member.get_absolute_url()):
        _page(a, path)  # this page's copy
        with CaptureQueriesContext(connection) as queries:
            html = _page(a, path)
        assert not _own_reads(queries), path
    assert _saved(html, videos[0], aki)
    assert "Following LE SSERAFIM" in _page(a, "/")


def test_lists_and_follows_are_each_fans_own_after_each_write_through_the_site(
    videos, member, aki, bora
):
    a, b = fan_client(aki), fan_client(bora)
    _warm(a, b)
    assert a.post(f"/videos/{videos[0].slug}/add-to-list/", {"next": "/"}).status_code == 302
    html_a, html_b = _page(a), _page(b)
    assert _saved(html_a, videos[0], aki)
    assert not _saved(html_b, videos[0], bora)
    assert b.post(f"/videos/{videos[1].slug}/add-to-list/", {"next": "/"}).status_code == 302
    html_a, html_b = _page(a), _page(b)
    assert _saved(html_b, videos[1], bora)
    assert not _saved(html_a, videos[1], aki)
    assert _saved(html_a, videos[0], aki)

    _warm(a, b, path=member.get_absolute_url())
    follow = {"kind": "member", "target": member.slug, "next": "/"}
    assert a.post("/follow/", follow).status_code == 302
    assert "Following KIM CHAEWON" in _page(a, member.get_absolute_url())
    assert "Following KIM CHAEWON" not in _page(b, member.get_absolute_url())
    assert a.post("/unfollow/", follow).status_code == 302
    assert "Following KIM CHAEWON" not in _page(a, member.get_absolute_url())


def test_the_alerts_count_of_a_fan_who_follows_no_one_needs_no_read(videos, aki):
    a = fan_client(aki)
    _warm(a, path="/")
    cache.delete(alerts_key(aki.pk))  # kept for a minute only
    with CaptureQueriesContext(connection) as queries:
        html = _page(a, "/")
    assert not [q for q in queries if "community_follow" in q["sql"]]
    assert "New videos <span" not in html
    follow_create(follower=aki, kind=Follow.Kind.GROUP, target=None)
    make_video(title="Come Over", slug="come-over")  # published after the follow
    cache.delete(alerts_key(aki.pk))
    assert re.search(r">New videos <span class=\"badge\">1", _page(a, "/"))


def test_writes_that_send_no_signal_reach_the_fans_page(videos, aki, bora):
    """Bulk creates, queryset updates and deletes, as a script or the admin makes them."""
    a, b = fan_client(aki), fan_client(bora)
    watch_later = watchlist_default_for(user=aki)
    _warm(a, b)
    WatchlistItem.objects.bulk_create(
        [WatchlistItem(watchlist=watch_later, video=videos[1], position=1)]
    )
    assert _saved(_page(a), videos[1], aki)
    assert not _saved(_page(b), videos[1], bora)
    WatchlistItem.objects.filter(watchlist=watch_later).update(video=videos[0])
    assert _saved(_page(a), videos[0], aki)
    assert not _saved(_page(a), videos[1], aki)
    WatchlistItem.objects.filter(watchlist__owner=aki).delete()
    assert not _saved(_page(a), videos[0], aki)

    Watchlist.objects.filter(pk=watch_later.pk).update(name="Aki's picks")
    WatchlistItem.objects.create(watchlist=watch_later, video=videos[0], position=1)
    assert "Aki&#x27;s picks" in _page(a)
    assert "Aki" not in _page(b)
    Watchlist.objects.filter(pk=watch_later.pk).update(is_default=False)
    assert not _saved(_page(a), videos[0], aki)

    # Rows created with no id back (ignore_conflicts) still name their fan.
    Follow.objects.bulk_create(
        [Follow(follower=bora, kind=Follow.Kind.GROUP)], ignore_conflicts=True
    )
    assert "Following LE SSERAFIM" in _page(b, "/")
    assert "Following LE SSERAFIM" not in _page(a, "/")
    Follow.objects.filter(follower=bora).delete()
    assert "Following LE SSERAFIM" not in _page(b, "/")


def _log_in(fan, on_commit):
    """A browser logged in as `fan` through the login page, with what waits for the commit run
    (as a request outside a test's transaction does)."""
    client = Client()
    with on_commit(execute=True):
        response = client.post("/accounts/login/", {"login": fan.username, "password": PASSWORD})
    assert response.status_code == 302
    # The page showing "Successfully signed in" is rendered for them alone; the pages after it
    # are served from the shared copies (as are those of clients that drop the message).
    client.cookies.pop(CookieStorage.cookie_name, None)
    return client


def test_a_fans_first_page_after_logging_in_reads_none_of_their_rows(
    videos, member, aki, bora, django_capture_on_commit_callbacks
):
    watchlist_add_video(watchlist=watchlist_default_for(user=aki), video=videos[0])
    follow_create(follower=aki, kind=Follow.Kind.MEMBER, target=member)
    listed = Watchlist.objects.create(owner=bora, name="Bora's", is_public=True)
    follow_create(follower=aki, kind=Follow.Kind.LIST, target=listed)
    for path in ("/videos/", member.get_absolute_url(), listed.get_absolute_url()):
        _warm(fan_client(bora), path=path)  # the pages' copies, kept by another fan
    a = _log_in(aki, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        html = _page(a, "/videos/")
        member_html = _page(a, member.get_absolute_url())
        listed_html = _page(a, listed.get_absolute_url())
    assert not _own_reads(queries)
    assert not [q for q in queries if 'FROM "community_user"' in q["sql"]]
    assert _saved(html, videos[0], aki)
    assert "Following KIM CHAEWON" in member_html
    assert "Following this list ✓" in listed_html


def test_a_write_between_logging_in_and_the_first_page_shows_on_it(
    videos, aki, bora, django_capture_on_commit_callbacks
):
    listed = Watchlist.objects.create(owner=bora, name="Bora's", is_public=True)
    _page(fan_client(bora), listed.get_absolute_url())
    a = _log_in(aki, django_capture_on_commit_callbacks)
    watchlist_add_video(watchlist=watchlist_default_for(user=aki), video=videos[1])
    follow_create(follower=aki, kind=Follow.Kind.LIST, target=listed)
    assert _saved(_page(a), videos[1], aki)
    assert "Following this list ✓" in _page(a, listed.get_absolute_url())
    Follow.objects.filter(follower=aki, kind=Follow.Kind.LIST).delete()
    assert "Following this list" not in _page(a, listed.get_absolute_url())


def test_a_write_committing_while_logging_in_keeps_the_rows_is_not_hidden(
    videos, aki, django_capture_on_commit_callbacks
):
    """The rows kept at logging in are read under the version read first: a write committing
    between those reads leaves the entry stale."""
    written = []

    def save_after_the_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "community_watchlistitem" in sql and sql.startswith("SELECT") and not written:
            written.append(True)
            watchlist_add_video(watchlist=watchlist_default_for(user=aki), video=videos[0])
        return result

    client = Client()
    with django_capture_on_commit_callbacks() as callbacks:
        client.post("/accounts/login/", {"login": aki.username, "password": PASSWORD})
    with connection.execute_wrapper(save_after_the_read):
        for callback in callbacks:
            callback()
    assert written
    assert _saved(_page(client), videos[0], aki)


def test_counters_written_with_a_query_leave_the_kept_rows_alone(videos, aki):
    """A list's item and follower counts change nothing a fan's kept rows hold."""
    watch_later = watchlist_default_for(user=aki)
    a = fan_client(aki)
    _warm(a)
    version = cache.get(fan_rows.version_key(aki.pk))
    Watchlist.objects.filter(pk=watch_later.pk).update(follower_count=3)
    assert cache.get(fan_rows.version_key(aki.pk)) == version
    Watchlist.objects.filter(pk=watch_later.pk).update(name="Later")
    assert cache.get(fan_rows.version_key(aki.pk)) != version


def test_a_write_committed_after_a_reader_kept_the_old_rows_still_shows(
    videos, aki, django_capture_on_commit_callbacks
):
    """A reader that read the database before the write committed keeps the old rows under the
    version it read: the bump after the commit makes them stale."""
    a = fan_client(aki)
    _warm(a)
    with django_capture_on_commit_callbacks() as callbacks:
        watchlist_add_video(watchlist=watchlist_default_for(user=aki), video=videos[0])
        # Another request, not seeing the write yet, reads the version and the old rows.
        version = cache.get(fan_rows.version_key(aki.pk))
        cache.set(fan_rows.own_key(aki.pk), (version, {}, None))
    assert callbacks
    for callback in callbacks:
        callback()
    assert _saved(_page(a), videos[0], aki)


def test_a_deleted_account_leaves_the_other_fans_pages_as_they_were(videos, aki, bora):
    a, b = fan_client(aki), fan_client(bora)
    watchlist_add_video(watchlist=watchlist_default_for(user=bora), video=videos[0])
    _warm(a, b)
    account_delete(user=aki)
    assert _saved(_page(b), videos[0], bora)


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


def test_a_warm_video_page_reads_none_of_the_fans_rows(talk_video, aki, chaewon_fan):
    comment = talk.comment_create(author=chaewon_fan, video=talk_video, body="The bridge!")
    talk.comment_like(user=aki, comment=comment)
    rating_set(user=aki, video=talk_video, score=6)
    a = fan_client(aki)
    _video_page(a)
    with CaptureQueriesContext(connection) as queries:
        html = _video_page(a)
    assert not _own_reads(queries)
    assert 'value="6" checked' in html
    assert 'aria-pressed="true"' in _comment_block(html, comment)


def test_ratings_likes_and_reports_are_each_fans_own_after_each_write(
    talk_video, aki, bora, chaewon_fan
):
    comment = talk.comment_create(author=chaewon_fan, video=talk_video, body="The bridge!")
    a, b = fan_client(aki), fan_client(bora)
    _warm(a, b, path=talk_video.get_absolute_url())
    rating_set(user=aki, video=talk_video, score=8)
    talk.comment_like(user=bora, comment=comment)
    for _ in range(2):
        html_a, html_b = _video_page(a), _video_page(b)
        assert 'value="8" checked' in html_a
        assert 'value="8" checked' not in html_b
        assert 'aria-pressed="true"' in _comment_block(html_b, comment)
        assert 'aria-pressed="false"' in _comment_block(html_a, comment)
    Rating.objects.filter(user=aki).update(score=2)
    CommentLike.objects.filter(user=bora).delete()
    talk.report_create(reporter=aki, comment=comment, reason=Report.Reason.SPAM)
    html_a, html_b = _video_page(a), _video_page(b)
    assert 'value="2" checked' in html_a
    assert 'aria-pressed="false"' in _comment_block(html_b, comment)
    assert 'class="comment-reported"' in _comment_block(html_a, comment)
    assert 'class="comment-reported"' not in _comment_block(html_b, comment)
    CommentLike.objects.bulk_create([CommentLike(user=aki, comment=comment)])
    assert 'aria-pressed="true"' in _comment_block(_video_page(a), comment)
    assert 'aria-pressed="false"' in _comment_block(_video_page(b), comment)


def test_a_block_reaches_the_blocked_fans_warm_page_too(talk_video, aki, bora):
    said = talk.comment_create(author=bora, video=talk_video, body="Bora's words")
    a, b = fan_client(aki), fan_client(bora)
    _warm(a, b, path=talk_video.get_absolute_url())
    assert "Bora&#x27;s words" in _video_page(a) or "Bora's words" in _video_page(a)
    talk.block_create(blocker=bora, blocked=aki)
    assert f'id="comment-{said.pk}"' not in _video_page(a)
    talk.block_delete(blocker=bora, blocked=aki)
    assert f'id="comment-{said.pk}"' in _video_page(a)


def test_moderation_reaches_the_authors_warm_page(talk_video, aki, bora, chaewon_fan):
    talk.comment_create(author=chaewon_fan, video=talk_video, body="Visible words")
    a, b = fan_client(aki), fan_client(bora)
    _warm(a, b, path=talk_video.get_absolute_url())
    held = Comment.objects.create(
        author=aki, video=talk_video, body="Waiting words", status=Comment.Status.HELD
    )
    assert "Waiting words" in _video_page(a)
    assert "Waiting words" not in _video_page(b)
    staff = make_staff(username="moderator", is_superuser=True)
    talk.comment_approve(comment=held, moderator=staff)
    assert "Waiting for a moderator" not in _video_page(a)
    assert "Waiting words" in _video_page(b)
    talk.comment_hide(comment=held, moderator=staff)
    assert "Waiting words" in _video_page(a)
    assert "Waiting words" not in _video_page(b)
    # Written by a query (no signal), held from the start: its author sees it waiting.
    _warm(a, b, path=talk_video.get_absolute_url())
    Comment.objects.bulk_create(
        [Comment(author=bora, video=talk_video, body="Bulk words", status=Comment.Status.HELD)]
    )
    assert "Bulk words" in _video_page(b)
    assert "Bulk words" not in _video_page(a)


def test_a_korean_and_an_english_fan_keep_their_language_and_their_own_rows(talk_video, aki, bora):
    a, b = fan_client(aki), fan_client(bora)
    rating_set(user=bora, video=talk_video, score=10)
    for _ in range(2):
        english = _video_page(a, "/videos/perfect-night/")
        korean = _video_page(b, "/ko/videos/perfect-night/")
        assert '<html lang="en">' in english
        assert '<html lang="ko">' in korean
        assert 'value="10" checked' in korean
        assert 'value="10" checked' not in english
    rating_set(user=aki, video=talk_video, score=4)
    assert 'value="4" checked' in _video_page(a, "/ko/videos/perfect-night/")
    assert 'value="4" checked' not in _video_page(b, "/ko/videos/perfect-night/")


def test_a_fans_first_video_page_after_logging_in_reads_none_of_their_rows(
    talk_video, aki, bora, chaewon_fan, django_capture_on_commit_callbacks
):
    liked = talk.comment_create(author=chaewon_fan, video=talk_video, body="The bridge!")
    reported = talk.comment_create(author=chaewon_fan, video=talk_video, body="Buy followers")
    talk.comment_like(user=aki, comment=liked)
    talk.report_create(reporter=aki, comment=reported, reason=Report.Reason.SPAM)
    rating_set(user=aki, video=talk_video, score=6)
    _warm(fan_client(bora), path=talk_video.get_absolute_url())  # the page's copy
    a = _log_in(aki, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        html = _video_page(a)
    assert not _own_reads(queries)
    assert 'value="6" checked' in html
    assert 'aria-pressed="true"' in _comment_block(html, liked)
    assert 'aria-pressed="false"' in _comment_block(html, reported)
    assert 'class="comment-reported"' in _comment_block(html, reported)
    assert 'class="comment-reported"' not in _comment_block(html, liked)


def test_a_fan_with_more_likes_than_their_rows_keep_still_sees_each_of_them(
    talk_video, aki, chaewon_fan, monkeypatch
):
    monkeypatch.setattr(fan_parts, "ALL_AT_MOST", 1)
    comments = [
        talk.comment_create(author=chaewon_fan, video=talk_video, body=f"Words {n}")
        for n in range(3)
    ]
    for comment in comments[:2]:
        talk.comment_like(user=aki, comment=comment)
    a = fan_client(aki)
    for _ in range(2):
        html = _video_page(a)
        assert 'aria-pressed="true"' in _comment_block(html, comments[0])
        assert 'aria-pressed="true"' in _comment_block(html, comments[1])
        assert 'aria-pressed="false"' in _comment_block(html, comments[2])
    with CaptureQueriesContext(connection) as queries:
        _video_page(a)
    assert not _own_reads(queries)  # the page's rows, kept for it
    CommentLike.objects.filter(user=aki, comment=comments[0]).delete()
    html = _video_page(a)
    assert 'aria-pressed="false"' in _comment_block(html, comments[0])
    assert 'aria-pressed="true"' in _comment_block(html, comments[1])


def test_a_held_comment_on_one_video_leaves_the_fans_other_pages_shared(
    talk_video, videos, aki, bora
):
    Comment.objects.create(
        author=aki, video=videos[0], body="Waiting words", status=Comment.Status.HELD
    )
    said = talk.comment_create(author=bora, video=talk_video, body="Bora's words")
    _warm(fan_client(bora), path=talk_video.get_absolute_url())  # the page's copy
    a = fan_client(aki)
    assert "Waiting words" in _video_page(a, videos[0].get_absolute_url())
    assert "Waiting words" not in _video_page(fan_client(bora), videos[0].get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        html = _video_page(a)
    assert not _own_reads(queries)
    assert f'id="comment-{said.pk}"' in html
    assert "Waiting words" not in html


# ---- Redis away ---------------------------------------------------------------------------------


@pytest.fixture
def redis_server(tmp_path, settings, monkeypatch):
    """A Redis of the test's own, to pause (as tests/test_cache_outage.py does)."""
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "foundation.cache.RedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "fansite",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.REDIS_URL = server.url
    monkeypatch.setattr(resilient, "RETRY_SECONDS", RETRY, raising=False)
    bus.forget_bus()
    yield server
    server.stop()
    bus.forget_bus()


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL), as in CI")
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server on PATH")
def test_a_write_while_redis_hangs_shows_and_the_rows_kept_before_never_come_back(
    redis_server, videos, aki, bora
):
    a, b = fan_client(aki), fan_client(bora)
    _warm(a, b)
    assert redis_server.keys("fan-rows:own:")
    redis_server.pause()
    assert a.post(f"/videos/{videos[0].slug}/add-to-list/", {"next": "/"}).status_code == 302
    assert _saved(_page(a), videos[0], aki)  # from the database
    assert not _saved(_page(b), videos[0], bora)
    redis_server.resume()
    time.sleep(RETRY + 0.1)  # the breaker tries Redis again
    for _ in range(2):  # read again, then kept again
        assert _saved(_page(a), videos[0], aki)
        assert not _saved(_page(b), videos[0], bora)
