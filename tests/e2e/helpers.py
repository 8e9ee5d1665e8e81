"""What the browser journeys share: a small catalog, logging in as a person does, two-factor
codes, and axe-core's accessibility check."""

from __future__ import annotations

import datetime
import re
import time
from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from catalog.models import Member, MusicVideo, Release
from community.models import User
from tests.factories import make_member, make_release, make_track, make_video

PASSWORD = "correct horse battery staple"
YOUTUBE_ID = "abcDEF12_-3"

# WCAG 2.2 A and AA, as axe-core tags them (wcag22a has no rules of its own).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()


@dataclass
class Catalog:
    chaewon: Member
    sakura: Member
    easy: Release
    antifragile: Release
    easy_video: MusicVideo
    smart_video: MusicVideo
    antifragile_video: MusicVideo


def small_catalog() -> Catalog:
    """Two members, two releases, three videos over two years; "EASY" has a YouTube id."""
    chaewon = make_member(
        stage_name="KIM CHAEWON", slug="kim-chaewon", native_name="김채원", order=1
    )
    sakura = make_member(
        stage_name="SAKURA", slug="sakura", native_name="宮脇咲良", nationality="Japanese", order=2
    )
    antifragile = make_release(
        title="ANTIFRAGILE",
        slug="antifragile",
        released_on=datetime.date(2022, 10, 17),
        ordinal_note="2nd mini album",
    )
    easy = make_release(
        title="EASY",
        slug="easy",
        released_on=datetime.date(2024, 2, 19),
        ordinal_note="3rd mini album",
    )
    easy_track = make_track(release=easy, title="EASY", is_title_track=True)
    make_track(release=easy, title="Smart")
    antifragile_video = make_video(
        title="ANTIFRAGILE",
        slug="antifragile-mv",
        release=antifragile,
        published_on=datetime.date(2022, 10, 17),
        members=[chaewon, sakura],
    )
    smart_video = make_video(
        title="Smart",
        slug="smart-mv",
        release=easy,
        published_on=datetime.date(2024, 2, 25),
        members=[chaewon],
    )
    easy_video = make_video(
        title="EASY",
        slug="easy-mv",
        release=easy,
        track=easy_track,
        youtube_id=YOUTUBE_ID,
        published_on=datetime.date(2024, 2, 19),
        members=[chaewon, sakura],
    )
    return Catalog(chaewon, sakura, easy, antifragile, easy_video, smart_video, antifragile_video)


# ---- Logging in ---------------------------------------------------------------------------------


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """From the home page, through the header's "Log in", as a fan would."""
    page.goto("/")
    header(page).get_by_role("link", name="Log in", exact=True).click()
    fill_login_form(page, username, password)
    expect(header(page)).to_contain_text(f"@{username}")


def fill_login_form(page: Page, username: str, password: str = PASSWORD) -> None:
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in", exact=True).click()


def totp_now(secret: str) -> str:
    """What an authenticator app with this secret shows now (allauth's own TOTP)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def totp_code(user: User) -> str:
    """What the staff member's authenticator app shows now."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return totp_now(authenticator.data["secret"])


def log_in_to_admin(page: Page, admin_url: str, user: User, password: str = PASSWORD) -> None:
    """From the home page to the admin's address (no link leads there) → the login page → the
    two-factor code → the admin's index."""
    page.goto("/")
    page.goto(admin_url)
    fill_login_form(page, user.username, password)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill(totp_code(user))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def open_menu(page: Page) -> None:
    """Opens the header's menu where the screen shows its button (phones and tablets), as a fan
    would before following a link in it."""
    page.wait_for_load_state()
    summary = page.locator("details.site-menu > summary")
    if summary.is_visible() and not page.locator("details.site-menu[open]").count():
        summary.click()


def header(page: Page) -> Any:
    """The header's account links (in the menu, opened first; on wide screens a signed-in fan's
    own pages are in a drop-down under their name, opened too)."""
    open_menu(page)
    account = page.locator("details.account-menu")
    summary = account.locator("> summary")
    if account.count() and summary.is_visible() and not account.evaluate("menu => menu.open"):
        summary.click()
    return page.get_by_role("navigation", name="Your account")


def expect_message(page: Page, text: str) -> None:
    """The site's flash message (a status region at the top of the page) says `text`."""
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


# ---- Accessibility ------------------------------------------------------------------------------


def axe_violations(page: Page) -> list[dict[str, Any]]:
    # After the stylesheet and fonts: sizes and colours are what a person sees.
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
    }
    return list(_axe.run(page, options=options).response["violations"])


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            html = re.sub(r"\s+", " ", node["html"])[:240]
            lines.append(f"    {', '.join(map(str, node['target']))}: {html}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:400]}")
    return "\n".join(lines)


@dataclass(frozen=True)
class KnownViolation:
    """An axe violation reported to the template's owner and not fixed yet: `rule` on elements
    inside `within` (a CSS selector). Tests that pass one also check it still happens, so the
    entry goes as soon as the fix lands."""

    rule: str
    within: str
    reason: str


def _inside(page: Page, node: dict[str, Any], within: str) -> bool:
    selector = node["target"][-1] if node["target"] else ""
    if not isinstance(selector, str):  # inside a frame or a shadow root: not ours
        return False
    return bool(
        page.evaluate(
            "([selector, within]) => !!document.querySelector(selector)?.closest(within)",
            [selector, within],
        )
    )


def assert_accessible(page: Page, known: tuple[KnownViolation, ...] = ()) -> set[KnownViolation]:
    """axe-core finds nothing at WCAG 2.2 A/AA on the page as it is now (but `known`); returns
    the known violations it did see."""
    seen: set[KnownViolation] = set()
    left = []
    for violation in axe_violations(page):
        nodes = []
        for node in violation["nodes"]:
            match = next(
                (k for k in known if k.rule == violation["id"] and _inside(page, node, k.within)),
                None,
            )
            if match is None:
                nodes.append(node)
            else:
                seen.add(match)
        if nodes:
            left.append({**violation, "nodes": nodes})
    assert not left, f"axe on {page.url}:\n{describe_violations(left)}"
    return seen
