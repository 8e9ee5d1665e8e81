"""Real-browser tests: Debian's Chromium, driven by Playwright, against a live server.

One browser for the whole run and a fresh context (cookies, storage) per test. Every page is
watched: a console error, an uncaught script error, a failed request, a server error or a
Content-Security-Policy violation fails the test. Requests that leave this machine are cut
(the network is closed here anyway); only YouTube's, which the player asks for, may fail.

The live server serves /static/ through WhiteNoise, as production does, but from the source
folders (tests/conftest.py): the suite needs no `collectstatic`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# The player's frame: the network is closed here, so these are expected to fail.
OFFLINE_HOSTS = re.compile(r"^https?://([\w-]+\.)*(youtube-nocookie\.com|youtube\.com|ytimg\.com)/")
# Anything that is not the live server.
OUTSIDE = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost|\[::1\])[:/])[a-z]+://")
TIMEOUT_MS = 10_000

# Written into every frame before its own scripts: Chromium reports CSP violations on the console
# too, but the event also catches the ones it only reports to the page.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    `Content Security Policy violation: ${event.violatedDirective} blocked ` +
    `${event.blockedURI || "inline code"} (${event.sourceFile}:${event.lineNumber})`
  );
}, true);
"""

HERE = Path(__file__).parent


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the browser tests and run them last (after pytest-randomly's shuffle): Playwright's
    event loop then never overlaps the rest of the suite."""
    browser_tests, others = [], []
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            browser_tests.append(item)
        else:
            others.append(item)
    items[:] = others + browser_tests


def _passthrough(application: Any) -> Any:
    return application


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest, django_db_setup: None) -> Iterator[Any]:
    """pytest-django's live server, with /static/ left to WhiteNoise (its own static handler looks
    for the hashed file names in the source folders and finds nothing). Addressed as localhost:
    browsers refuse passkeys on an IP address."""
    from pytest_django.live_server_helper import LiveServer

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address, start=False)
    server.thread.static_handler = _passthrough  # type: ignore[assignment]  # any WSGI wrapper does
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}: run `make browser` "
            "(apt-get install chromium) or set E2E_CHROMIUM.",
            pytrace=False,
        )
    # Playwright's synchronous API keeps an asyncio loop on this thread, which makes Django refuse
    # ORM calls from the test itself; the live server runs on its own thread and is unaffected.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Problem:
    page: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] on {self.page}: {self.detail}"


class Site:
    """The browser's view of the live server for one test: pages in fresh contexts, each watched
    for errors. `site.page` is the first fan's page; `site.new_page()` opens another context
    (another person, sharing nothing)."""

    def __init__(self, browser: Any, base_url: str, device: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.device = device
        self.problems: list[Problem] = []
        self._allowed: list[re.Pattern[str]] = []
        self._contexts: list[Any] = []
        self.page = self.new_page()

    def allow(self, pattern: str) -> None:
        """An expected console error or failed request (a 404 page logs one), for this test."""
        self._allowed.append(re.compile(pattern))

    def new_page(self, device: str | None = None, locale: str = "en-GB") -> Any:
        """A page in a new context: another person, or the same one on another screen; `locale`
        is the browser's language (its Accept-Language)."""
        device = device or self.device
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=VIEWPORTS[device],
            is_mobile=device == "phone",
            has_touch=device == "phone",
            locale=locale,
            timezone_id="UTC",
            accept_downloads=True,
            service_workers="block",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        context.route(OUTSIDE, lambda route: route.abort("internetdisconnected"))
        self._contexts.append(context)
        page = context.new_page()
        self._watch(page)
        return page

    def _ok(self, *texts: str) -> bool:
        return any(pattern.search(text) for pattern in self._allowed for text in texts if text)

    def _add(self, page: Any, kind: str, detail: str, *also: str) -> None:
        if not self._ok(detail, *also):
            self.problems.append(Problem(page.url, kind, detail))

    def _watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            source = (message.location or {}).get("url", "")
            if "Content Security Policy" in message.text:
                self.problems.append(Problem(page.url, "csp", message.text))
            elif message.type == "error" and not OFFLINE_HOSTS.match(source):
                self._add(page, "console", f"{message.text} ({source})", source)

        def on_request_failed(request: Any) -> None:
            if OFFLINE_HOSTS.match(request.url):
                return
            failure = request.failure or ""
            if "ERR_ABORTED" in failure:
                # The page itself cancelled it: it navigated on (or to a download) while the
                # request was in flight, or a script aborted a search it no longer needs.
                return
            self._add(page, "request failed", f"{request.method} {request.url}: {failure}")

        def on_response(response: Any) -> None:
            if response.status >= 500:
                self._add(page, "server error", f"{response.status} {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self._add(page, "script error", str(error)))
        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)

    def assert_clean(self) -> None:
        __tracebackhide__ = True
        self.page.wait_for_load_state()
        if self.problems:
            report = "\n".join(f"  {problem}" for problem in self.problems)
            raise AssertionError(f"The browser saw {len(self.problems)} problem(s):\n{report}")

    def save_artifacts(self, name: str) -> None:
        folder = Path(
            os.environ.get("E2E_ARTIFACTS") or Path(tempfile.gettempdir(), "fansite-e2e-failures")
        )
        stem = re.sub(r"[^\w.-]+", "-", name)
        for n, context in enumerate(self._contexts):
            for m, page in enumerate(context.pages):
                path = folder / f"{stem}-{n}{m}"
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{path}.png", full_page=True, timeout=5_000)
                    Path(f"{path}.html").write_text(page.content(), encoding="utf-8")
                except Exception as error:  # the page may be gone; the failure matters more
                    print(f"Could not save {path}: {error}")  # noqa: T201
                else:
                    print(f"Saved {path}.png and .html ({page.url})")  # noqa: T201

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        self._contexts.clear()


@pytest.fixture(params=list(VIEWPORTS))
def device(request: pytest.FixtureRequest) -> str:
    """Journeys run twice: on a desktop window and on a phone (390x844, touch)."""
    return str(request.param)


@pytest.fixture
def site(request: pytest.FixtureRequest, browser: Any, live_server: Any) -> Iterator[Site]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    device = request.getfixturevalue("device") if "device" in request.fixturenames else "desktop"
    watched = Site(browser, live_server.url, device)
    yield watched
    watched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test that used the browser fails if any of its pages logged a problem; when it fails,
    each open page's screenshot and HTML go to $E2E_ARTIFACTS (default: the temporary directory)."""
    watched = getattr(item, "funcargs", {}).get("site")
    try:
        result = yield
        if isinstance(watched, Site):
            watched.assert_clean()
    except BaseException:
        if isinstance(watched, Site):
            watched.save_artifacts(item.name)
        raise
    return result
