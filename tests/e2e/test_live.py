"""Two fans watch the same video: what one writes appears on the other's page without a reload;
a blocked fan's comment never does, and a comment a moderator hides disappears.

First on the live server (the development server's way: one process, its events in-process).
Then as production runs: two app servers (ASGI, uvicorn) sharing the database and Redis, each
fan on their own server, so every event crosses servers through Redis. That needs PostgreSQL and
Redis (.ci/run's second half): on SQLite the in-process bus reaches no other process, so it is
skipped there.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Page, expect

from community.models import Comment
from community.services.talk import block_create, comment_create, comment_hide
from tests.e2e.conftest import Site
from tests.e2e.helpers import log_in, small_catalog
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
ARRIVES_MS = 2_000  # what "live" promises: on the other page within 2 seconds
NEVER_MS = 2_500  # how long a comment that must never appear is watched for


def talk(page: Page) -> Any:
    return page.get_by_role("region", name="Talk")


def rating(page: Page) -> Any:
    return page.get_by_role("region", name="Fans' rating")


def comment_by(page: Page, text: str) -> Any:
    return talk(page).get_by_role("article").filter(has_text=text).first


def open_video(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("document.querySelector('[data-live]') !== null")
    # The stream is open once the browser holds it (EventSource: readyState 1).
    page.wait_for_timeout(300)


def journey(hana: Page, minji: Page, video: Any, moderator: Any, blocked: Any) -> None:
    """Hana writes; Minji, who blocked `blocked`, watches the same video elsewhere."""
    open_video(hana, video.get_absolute_url())
    open_video(minji, video.get_absolute_url())

    # A comment by Hana arrives on Minji's page, without a reload
    minji.evaluate("window.sameDocument = true")
    talk(hana).get_by_label("Your comment").fill("Watching the premiere with you all")
    talk(hana).get_by_role("button", name="Post comment").click()
    expect(comment_by(minji, "Watching the premiere")).to_be_visible(timeout=ARRIVES_MS)

    # Hana likes Minji's comment: the count moves on Minji's page
    mine = comment_by(hana, "Minji was here first")
    mine.get_by_role("button", name="Like").click()
    expect(comment_by(minji, "Minji was here first")).to_contain_text("1 like", timeout=ARRIVES_MS)

    # Hana rates it (picking a star saves it): Minji's figures change, her own rating form
    # stays as it was
    hana.get_by_role("group", name="Your rating").locator("label").filter(
        has_text=re.compile(r"^4\.5 stars$")
    ).click()
    expect(rating(minji)).to_contain_text("from 1 rating", timeout=ARRIVES_MS)
    expect(rating(minji)).to_contain_text("4.5 out of 5")
    expect(rating(minji).get_by_role("group", name="Your rating")).to_be_visible()
    expect(rating(minji).get_by_role("radio", checked=True)).to_have_count(0)

    # The fan Minji blocked posts: it never reaches her (it reaches Hana, back on the first
    # page of talk: posting left her on the page of her own comment)
    open_video(hana, video.get_absolute_url())
    comment_create(author=blocked, video=video, body="Blocked fan's words")
    expect(comment_by(hana, "Blocked fan's words")).to_be_visible(timeout=ARRIVES_MS)
    minji.wait_for_timeout(NEVER_MS)
    expect(talk(minji)).not_to_contain_text("Blocked fan's words")

    # A moderator hides Hana's comment: its words disappear from Minji's page
    hanas = Comment.objects.get(body="Watching the premiere with you all")
    comment_hide(comment=hanas, moderator=moderator)
    expect(talk(minji)).not_to_contain_text("Watching the premiere", timeout=ARRIVES_MS)
    expect(comment_by(minji, "Removed by a moderator.")).to_be_visible()
    assert minji.evaluate("window.sameDocument") is True  # never reloaded


def cast() -> tuple[Any, Any, Any, Any]:
    catalog = small_catalog()
    video = catalog.easy_video
    make_user(username="hana")
    minji = make_user(username="minji")
    blocked = make_user(username="troll")
    block_create(blocker=minji, blocked=blocked)
    moderator = make_user(username="mod", is_staff=True, is_superuser=True)
    comment_create(author=minji, video=video, body="Minji was here first")
    return video, moderator, blocked, minji


def test_two_fans_on_one_server_see_each_other_live(site, settings):
    settings.LIVE_WSGI_STREAMS = True  # the development server's way: a thread per stream
    video, moderator, blocked, _ = cast()
    hana = site.page
    minji = site.new_page()
    log_in(hana, "hana")
    log_in(minji, "minji")

    journey(hana, minji, video, moderator, blocked)


# ---- Two app servers ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    """The site under uvicorn, as `make serve` runs its event streams, on this test's database
    and Redis."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "fansite.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"uvicorn stopped: {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("uvicorn did not start within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()


@pytest.fixture
def two_servers(transactional_db: None, tmp_path: Path) -> Iterator[tuple[AppServer, AppServer]]:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("two app servers share PostgreSQL and Redis (.ci/run's second half)")
    database = connection.settings_dict
    env = {
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
        "PAGE_CACHE_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    # Production serves collected, hashed static files: collect the site's own (not the API
    # docs' assets, which these pages never load and which take minutes to compress).
    env["STATIC_ROOT"] = str(tmp_path / "static")
    subprocess.run(
        [
            *(sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"),
            *("--ignore", "drf_spectacular_sidecar"),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    servers = (AppServer(env, tmp_path / "first.log"), AppServer(env, tmp_path / "second.log"))
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_two_fans_on_two_app_servers_see_each_other_live(browser, two_servers, settings):
    # Passwords the servers can check (the suite's fast hasher is not among production's).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    first, second = two_servers
    video, moderator, blocked, _ = cast()
    on_first = Site(browser, first.url, "desktop")
    on_second = Site(browser, second.url, "desktop")
    try:
        hana, minji = on_first.page, on_second.page
        log_in(hana, "hana")
        log_in(minji, "minji")

        journey(hana, minji, video, moderator, blocked)

        on_first.assert_clean()
        on_second.assert_clean()
    finally:
        on_first.close()
        on_second.close()


# ---- The premiere's countdown -------------------------------------------------------------------


def test_the_countdown_shows_the_fans_own_time_and_reaches_the_premiere(site):
    """The browser's clock is frozen: a minute before the premiere, in Tokyo, the countdown shows
    a minute left and the time in the fan's own zone; at the minute it says it has begun."""
    from datetime import timedelta

    from django.utils import timezone

    video = small_catalog().easy_video
    starts = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    video.premiere_at, video.premiere_time_zone = starts, "Asia/Seoul"
    video.save()
    context = site.browser.new_context(
        base_url=site.base_url, locale="en-GB", timezone_id="Asia/Tokyo"
    )
    page = context.new_page()
    page.clock.install(time=starts - timedelta(seconds=70))
    page.goto(video.get_absolute_url())
    page.clock.pause_at(starts - timedelta(minutes=1))

    premiere = page.get_by_role("region", name="Premiere")
    expect(premiere.get_by_role("timer")).to_have_text(re.compile(r"Starts in .*1 min"))
    local = starts.astimezone(timezone.get_fixed_timezone(9 * 60))
    expect(premiere.locator("time")).to_contain_text(local.strftime("%-I:%M"))
    expect(premiere.locator("time")).to_contain_text("GMT+9")
    page.clock.run_for(61_000)
    expect(premiere.get_by_role("timer")).to_have_text("Premiering now")
    context.close()
