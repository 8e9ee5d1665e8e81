"""Redis going away mid-traffic (foundation/cache.py): every page and API list still answers, writes
land with exact figures, sessions come from the database, limits still hold (counted in the
process), and caching resumes by itself when Redis is back.

Each test starts its own redis-server on a free port and stops, pauses or restarts it; the shared
Redis the rest of the suite uses is never touched. Runs where REDIS_URL points at Redis and
redis-server is on PATH, as in CI's PostgreSQL + Redis run.
"""

import logging
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from community.live import bus
from community.models import Comment
from foundation import cache as resilient
from tests.factories import make_member, make_user, make_video, make_watchlist

pytestmark = [
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL), as in CI"),
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="needs redis-server on PATH, to start and stop a Redis of its own",
    ),
    pytest.mark.django_db,
]

RETRY = 0.5  # the breaker's pause, shortened so the tests don't wait five seconds
PASSWORD = "correct horse battery staple"


class RedisServer:
    """A redis-server of the test's own, on a free port, with nothing saved to disk."""

    def __init__(self, directory):
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a paused server can't stop otherwise
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def pause(self):
        """Redis hangs: connections open, nothing answers (a stalled or partitioned server)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def keys(self, pattern):
        return self.client().keys(f"*{pattern}*")


@pytest.fixture
def server(tmp_path, settings, monkeypatch):
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
    settings.REDIS_URL = server.url  # the live events' bus too
    monkeypatch.setattr(resilient, "RETRY_SECONDS", RETRY, raising=False)
    bus.forget_bus()
    yield server
    server.stop()
    bus.forget_bus()


def back_in_use():
    """Past the breaker's pause: the next cache call tries Redis again."""
    time.sleep(RETRY + 0.1)


@pytest.fixture
def catalog():
    member = make_member(stage_name="KIM CHAEWON", slug="kim-chaewon")
    video = make_video(title="Impurities", slug="impurities", members=[member])
    return video, member


def page_paths(video, member):
    return [
        "/",
        "/videos/",
        video.get_absolute_url(),
        "/members/",
        member.get_absolute_url(),
        reverse("login"),
        "/api/v1/videos/",
        "/api/v1/videos/impurities/",
        "/search/?q=impurities",
        "/top/",
    ]


def assert_every_page_answers(clients, paths):
    for client in clients:
        signed_in = settings.SESSION_COOKIE_NAME in client.cookies  # (client.session makes one)
        for path in paths:
            response = client.get(path)
            # The login page sends a fan who is signed in on to the home page.
            expected = 302 if signed_in and path == reverse("login") else 200
            assert response.status_code == expected, (path, response.status_code)


def test_every_page_answers_while_redis_is_stopped_and_caching_resumes_after(
    server, catalog, caplog
):
    video, member = catalog
    fan = make_user(username="yunjin")
    someones = make_watchlist(owner=make_user(username="sakura"), videos=[video])
    own = make_watchlist(owner=fan, is_public=False, videos=[video])
    paths = [*page_paths(video, member), someones.get_absolute_url()]
    visitor, signed_in = Client(), Client()
    signed_in.force_login(fan)
    assert_every_page_answers([visitor, signed_in], paths)
    assert server.keys("page:"), "pages are cached while Redis answers"

    server.stop()
    caplog.set_level(logging.WARNING, logger="foundation.cache")
    assert_every_page_answers([visitor, signed_in], paths)
    own_page = signed_in.get(own.get_absolute_url())  # a private list, to its owner alone
    assert own_page.status_code == 200
    assert reverse("community:watchlist-edit", args=[own.pk]) in own_page.content.decode()
    assert visitor.get(own.get_absolute_url()).status_code == 404
    back_in_use()  # and once more after the pause, when Redis is tried and still gone
    assert_every_page_answers([visitor, signed_in], paths)
    assert "yunjin" in signed_in.get("/").content.decode()  # the session, from the database
    # Live updates stop (the page asks again later); the page itself is served.
    live = visitor.get(reverse("live:video-events", args=[video.slug]))
    assert live.status_code == 200
    ready = visitor.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["problems"]["cache"] == "ConnectionError"
    outage_lines = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage_lines) == 1, "one log line per outage, not one per request"

    server.start()  # empty: a restarted Redis
    back_in_use()
    assert_every_page_answers([visitor, signed_in], paths)
    assert server.keys("page:"), "caching resumed without restarting anything"
    assert visitor.get("/readyz").json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert [r for r in caplog.records if "answers again" in r.getMessage()]


def test_a_rating_and_a_comment_made_while_redis_hangs_land_and_show_when_it_is_back(
    server, catalog
):
    """A hung Redis keeps what it had: the copies made before the writes must not come back."""
    video, _member = catalog
    visitor, fan = Client(), Client()
    fan.force_login(make_user())
    page = visitor.get(video.get_absolute_url()).content.decode()
    assert "No ratings yet" in page or "from 0 ratings" in page or "from 1 rating" not in page
    assert server.keys("page:")

    server.pause()
    started = time.monotonic()
    rated = fan.post(reverse("community:rate", args=[video.slug]), {"score": "9"})
    commented = fan.post(
        reverse("community:comment-create", args=[video.slug]), {"body": "Said while it hung"}
    )
    elapsed = time.monotonic() - started
    assert (rated.status_code, commented.status_code) == (302, 302)
    assert elapsed < 3, f"a hung Redis held two writes for {elapsed:.1f}s"
    video.refresh_from_db()
    assert (video.rating_count, video.rating_sum, video.comment_count) == (1, 9, 1)
    assert Comment.objects.filter(body="Said while it hung").exists()
    during = visitor.get(video.get_absolute_url()).content.decode()
    assert "from 1 rating" in during
    assert "Said while it hung" in during

    server.resume()
    back_in_use()
    after = visitor.get(video.get_absolute_url())
    assert after.status_code == 200
    body = after.content.decode()
    assert "from 1 rating" in body
    assert "Said while it hung" in body
    assert "1 comment" in body
    again = visitor.get(video.get_absolute_url())
    assert again.content == after.content  # stored again, and served from the cache
    assert server.keys("page:")


def test_a_rating_and_a_comment_while_redis_is_stopped(server, catalog):
    video, _member = catalog
    fan = Client()
    fan.force_login(make_user())
    server.stop()
    assert fan.post(reverse("community:rate", args=[video.slug]), {"score": "7"}).status_code == 302
    response = fan.post(
        reverse("community:comment-create", args=[video.slug]), {"body": "Nobody cached this"}
    )
    assert response.status_code == 302
    video.refresh_from_db()
    assert (video.rating_count, video.rating_sum, video.comment_count) == (1, 7, 1)
    server.start()
    back_in_use()
    body = Client().get(video.get_absolute_url()).content.decode()
    assert "from 1 rating" in body
    assert "Nobody cached this" in body


def test_logging_in_and_out_while_redis_is_away(server, catalog):
    make_user(username="sakura", password=PASSWORD)
    server.stop()
    fan = Client()
    response = fan.post(reverse("login"), {"login": "sakura", "password": PASSWORD})
    assert response.status_code == 302
    assert SESSION_KEY in fan.session
    assert "sakura" in fan.get("/").content.decode()


def test_a_logout_while_redis_hangs_is_not_undone_when_it_is_back(server, catalog):
    """The session Redis kept from before is deleted there once it answers again."""
    fan = Client()
    fan.force_login(make_user(username="eunchae"))
    assert "eunchae" in fan.get("/").content.decode()
    cookie = fan.cookies[settings.SESSION_COOKIE_NAME].value

    server.pause()
    fan.post(reverse("logout"))
    server.resume()
    back_in_use()

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert "eunchae" not in replay.get("/videos/").content.decode()
    assert SESSION_KEY not in replay.session


def test_login_lockouts_still_hold_while_redis_is_stopped(server, catalog):
    make_user(username="kazuha", password=PASSWORD)
    server.stop()
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"login": "kazuha", "password": "wrong"})
    response = client.post(reverse("login"), {"login": "kazuha", "password": PASSWORD})
    assert "Too many wrong passwords" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_write_limits_and_api_throttles_still_hold_while_redis_is_stopped(server, catalog):
    video, _member = catalog
    server.stop()
    visitor = Client()
    statuses = [visitor.get("/api/v1/videos/").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429

    fan = Client()
    fan.force_login(make_user())
    url = reverse("community:comment-create", args=[video.slug])
    statuses = [fan.post(url, {"body": f"Comment {n}"}).status_code for n in range(11)]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
    assert Comment.objects.count() == 10


def test_a_dead_redis_is_tried_once_then_left_alone_for_a_few_seconds(server, monkeypatch):
    attempts = []
    connect = redis.connection.AbstractConnection.connect

    def counting(self, *args, **kwargs):
        attempts.append(time.monotonic())
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "connect", counting)
    cache.set("warm", 1)
    server.stop()
    attempts.clear()

    assert cache.get("warm") is None
    tried = len(attempts)
    assert tried >= 1
    for n in range(50):
        assert cache.get(f"key-{n}") is None
        cache.set(f"key-{n}", n)
    assert len(attempts) == tried  # skipped: no connection even attempted

    back_in_use()
    assert cache.get("key-0") is None
    assert len(attempts) > tried  # tried again after the pause


def test_a_hung_redis_holds_a_call_for_well_under_a_second(server):
    cache.set("warm", 1)
    server.pause()
    started = time.monotonic()
    assert cache.get("warm") is None
    first = time.monotonic() - started
    started = time.monotonic()
    for _ in range(20):
        assert cache.get("warm") is None
    rest = time.monotonic() - started
    server.resume()
    assert first < 0.8
    assert rest < 0.1  # skipped while the breaker is open


def test_after_too_many_missed_writes_everything_kept_from_before_is_dropped(server, monkeypatch):
    """Past MAX_MISSED keys a process stops listing them and, once Redis is back, deletes every
    key under the site's prefix: a long outage under heavy writes leaves nothing stale."""
    monkeypatch.setattr(resilient, "MAX_MISSED", 3)
    cache.set("kept-from-before", "old")
    server.client().set("another-site:key", "theirs")
    server.pause()
    for n in range(5):
        cache.set(f"written-{n}", n)
    server.resume()
    back_in_use()
    assert cache.get("kept-from-before") is None
    assert server.client().get("another-site:key") == b"theirs"
    cache.set("after", 1)
    assert cache.get("after") == 1
