"""The README's pictures: `make screenshots` (or .venv/bin/python tests/e2e/screenshots.py).

Starts the real server (gunicorn, DEBUG off, WhiteNoise) on a throw-away SQLite database with the
demo catalog and a little fan activity, then Debian's Chromium saves:

    docs/screenshots/home.png        the home page, 1280x900
    docs/screenshots/home-phone.png  the home page on a phone, 390x844
    docs/screenshots/menu-phone.png  the header's menu opened on a phone, signed in, 390x844
    docs/screenshots/video.png       a video page, 1280x900
    docs/screenshots/korean.png      a release page in Korean, 1280x900
    docs/screenshots/admin.png       the curators' list of videos in the admin, 1280x900

Needs `collectstatic` first, and fonts-noto-cjk for Hangul and kanji (the make target sees to both).
Not a test: pytest doesn't collect it.
"""

from __future__ import annotations

import datetime
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
]
PASSWORD = "a screenshot only password 2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(folder: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "MEDIA_URL", "STATIC_URL"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'screenshots.sqlite3'}",
        MEDIA_ROOT=str(folder / "media"),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        SERVE_MEDIA="1",
        TASKS_BACKEND="immediate",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "load_catalog", "-v", "0"], env=env, check=True)


def fan_activity() -> tuple[str, str, str]:
    """A few fans who rate and talk, so the home page's charts have something in them; a curator
    with two-factor set up. Returns (curator's username, a video's path, its release's path)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from django.db.models import Q
    from django.utils import timezone

    from catalog.models import MusicVideo
    from community.models import User
    from community.services.ratings import rating_set
    from community.services.talk import comment_create

    fans = []
    for name in ("fearnot_hana", "minji_fan", "sakura_days", "yunjin_vocal"):
        fan = User(username=name, email=f"{name}@example.com")
        fan.set_password(PASSWORD)
        fan.save()
        EmailAddress.objects.create(user=fan, email=fan.email, primary=True, verified=True)
        fans.append(fan)
    videos = list(
        MusicVideo.objects.published()
        .filter(release__isnull=False)
        .filter(Q(published_on__isnull=False))
        .order_by("-published_on")[:6]
    )
    for offset, video in enumerate(videos):
        for n, fan in enumerate(fans):
            rating_set(user=fan, video=video, score=10 - ((offset + n) % 4))
    # No YouTube id is invented, even for a picture: the page shows "No video linked yet".
    featured = videos[0]
    first = comment_create(
        author=fans[1], video=featured, body="The dance break at 1:23 gives me chills every time"
    )
    comment_create(
        author=fans[0], video=featured, body="Same! And the ending at 2:58", parent=first
    )
    comment_create(author=fans[2], video=videos[1], body="The styling in this era is perfect")

    curator = User(
        username="curator",
        email="curator@example.com",
        is_staff=True,
        is_superuser=True,
        date_joined=timezone.now() - datetime.timedelta(days=30),
    )
    curator.set_password(PASSWORD)
    curator.save()
    EmailAddress.objects.create(user=curator, email=curator.email, primary=True, verified=True)
    Authenticator.objects.create(
        user=curator, type=Authenticator.Type.TOTP, data={"secret": generate_totp_secret()}
    )
    assert featured.release is not None
    return curator.username, featured.get_absolute_url(), featured.release.get_absolute_url()


def totp_code(username: str) -> str:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    secret = Authenticator.objects.get(user__username=username, type="totp").data["secret"]
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The server stopped (exit code {server.returncode}).")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"The server didn't answer on {url} within {seconds:g} seconds.")


def take(base_url: str, curator: str, video_path: str, release_path: str) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    admin = "/" + os.environ.get("ADMIN_URL", "admin/")
    OUT.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)

        def context(viewport: ViewportSize, **options: Any) -> BrowserContext:
            made = browser.new_context(
                base_url=base_url,
                viewport=viewport,
                locale="en-GB",
                color_scheme="light",
                **options,
            )
            made.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(base_url) else route.abort()
                ),
            )
            return made

        def shoot(page: Page, name: str) -> None:
            page.wait_for_load_state("networkidle")
            page.evaluate("document.fonts.ready.then(() => true)")
            path = OUT / name
            page.screenshot(path=str(path))
            saved.append(path)

        desktop = context(DESKTOP).new_page()
        desktop.goto("/")
        shoot(desktop, "home.png")
        desktop.goto(video_path)
        shoot(desktop, "video.png")
        desktop.goto(f"/ko{release_path}")
        shoot(desktop, "korean.png")

        phone = context(PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto("/")
        shoot(phone, "home-phone.png")
        phone.goto("/accounts/login/")
        phone.get_by_label("Username or e-mail").fill("fearnot_hana")
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("main").get_by_role("button", name="Log in", exact=True).click()
        phone.locator("details.site-menu > summary").click()
        expect(phone.get_by_role("navigation", name="Your account")).to_be_visible()
        shoot(phone, "menu-phone.png")

        desktop.goto(admin)
        desktop.get_by_label("Username or e-mail").fill(curator)
        desktop.get_by_label("Password").fill(PASSWORD)
        desktop.get_by_role("main").get_by_role("button", name="Log in", exact=True).click()
        desktop.get_by_label("Code").fill(totp_code(curator))
        desktop.get_by_role("button", name="Continue").click()
        expect(desktop.get_by_role("heading", name="Site administration")).to_be_visible()
        desktop.goto(f"{admin}catalog/musicvideo/")
        shoot(desktop, "admin.png")
        browser.close()
    return saved


def main() -> None:
    if not (ROOT / "staticfiles" / "staticfiles.json").exists() and "STATIC_ROOT" not in os.environ:
        raise SystemExit("Run `make static` (collectstatic) first.")
    if not os.access(CHROMIUM, os.X_OK):
        raise SystemExit(f"No Chromium at {CHROMIUM}: run `make browser`.")
    with tempfile.TemporaryDirectory(prefix="fansite-screenshots-") as tmp:
        folder = Path(tmp)
        env = server_environment(folder)
        prepare_database(env)

        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fansite.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        curator, video_path, release_path = fan_activity()
        # Playwright keeps an event loop on this thread; the ORM calls here are plain and quick.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "fansite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=env,
        )
        try:
            wait_until_up(base_url, server)
            saved = take(base_url, curator, video_path, release_path)
        finally:
            server.terminate()
            server.wait(timeout=30)
    for path in saved:
        print(f"Saved {path.relative_to(ROOT)}")  # noqa: T201


if __name__ == "__main__":
    main()
