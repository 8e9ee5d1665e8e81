"""Every page type at 320, 390, 768 and 1280 px, in English, Korean and Japanese: nothing scrolls
sideways and no text is cut off.

The catalog is the demo one, whose longest titles and filter options are the real ones, plus a
fan with a long name, ratings, talk, a list, a diary and notifications. One browser, two pages (a
visitor and the fan); each address is loaded once per language and measured at each width by
resizing the window, which lays the page out again as a phone or a desktop would.

A page fails when the document is wider than the window, or when an element that hides its
overflow (overflow: hidden or clip, or an ellipsis) holds text wider than itself; the report names
the page, the width, the language and the element.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command

from catalog.models import MusicVideo
from community.models import WatchEntry
from community.services.talk import comment_create
from tests.e2e.helpers import YOUTUBE_ID, log_in
from tests.factories import make_profile, make_rating, make_user, make_watchlist

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (320, 390, 768, 1280)
LANGUAGES = ("", "/ko", "/ja")
FAN = "fearnot_since_day_one_2022"  # as long a name as fans pick

MEASURE = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    const wide = [...document.body.querySelectorAll("*")]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1
        || (!el.children.length && el.scrollWidth > el.clientWidth + 1))
      .slice(-3)
      .map((el) => el.outerHTML.slice(0, 100));
    const size = `${root.scrollWidth} px in ${root.clientWidth}`;
    problems.push(`scrolls sideways (${size}): ${wide.join(" | ")}`);
  }
  // Text a reader sees: not what is only for screen readers, nor decorative glyphs (a half
  // star is a whole one cut in two on purpose).
  const unseen = '.visually-hidden, [aria-hidden="true"]';
  const seen = (node) => [...node.childNodes].map((child) => child.nodeType === Node.TEXT_NODE
    ? child.textContent
    : child.nodeType === Node.ELEMENT_NODE && !child.matches(unseen) ? seen(child) : "").join("");
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    const hides = ["hidden", "clip"].includes(style.overflowX) || style.textOverflow === "ellipsis";
    if (!hides || el.clientWidth <= 1 || style.visibility === "hidden") continue;
    if (el.closest(".visually-hidden, [hidden], details:not([open]) > :not(summary)")) continue;
    if (el.scrollWidth > el.clientWidth + 1 && seen(el).trim()) {
      const size = `${el.scrollWidth} px in ${el.clientWidth}`;
      problems.push(`cuts its text (${size}): ${el.outerHTML.slice(0, 100)}`);
    }
  }
  return problems;
}"""


def layout_site() -> dict[str, str]:
    """The demo catalog and a fan's doings; the addresses of each page type (English)."""
    call_command("load_catalog", verbosity=0)
    videos = list(
        MusicVideo.objects.published().filter(release__isnull=False).order_by("-published_on")
    )
    linked, unlinked = videos[0], videos[1]
    linked.youtube_id = YOUTUBE_ID
    linked.save()
    longest = max(videos, key=lambda video: len(video.title))
    assert longest.release is not None

    fan = make_user(username=FAN)
    make_profile(fan, display_name="Hana from Busan, FEARNOT forever", bio="Since FEARLESS.")
    other = make_user(username="minji_fan")
    for video in (linked, unlinked, longest):
        make_rating(user=fan, video=video, score=9)
        WatchEntry.objects.create(user=fan, video=video, watched_on=datetime.date(2025, 3, 14))
    first = comment_create(author=fan, video=linked, body="The dance break at 1:23 is perfect")
    comment_create(author=other, video=linked, body="Agreed, and the ending too", parent=first)
    watchlist = make_watchlist(fan, name="Everything from the EASY era", videos=videos[:4])
    member = linked.lineup()[0]
    return {
        "home": "/",
        "videos with filters": f"/videos/?member={member.slug}&kind=official&sort=oldest",
        "a video with an upload": linked.get_absolute_url(),
        "a video without one": unlinked.get_absolute_url(),
        "the longest title": longest.get_absolute_url(),
        "release": longest.release.get_absolute_url(),
        "member": member.get_absolute_url(),
        "members": "/members/",
        "timeline": "/timeline/",
        "top": "/top/",
        "search": "/search/?q=Bluebeard",
        "lists": "/lists/",
        "a list": watchlist.get_absolute_url(),
        "profile": fan.get_absolute_url(),
        "diary": "/diary/",
        "year in review": f"/u/{FAN}/year/2025/",
        "notifications": "/notifications/",
        "settings": "/accounts/settings/",
        "404": "/no-such-page/",
    }


VISITOR_PAGES = {
    "home (visitor)": "/",
    "sign up": "/accounts/signup/",
    "log in": "/accounts/login/",
}


def measure(page: Any, name: str, address: str) -> list[str]:
    problems = []
    page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
    page.goto(address)
    page.evaluate("document.fonts.ready.then(() => true)")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{name} {address} at {width} px: {p}" for p in page.evaluate(MEASURE)]
    return problems


def test_no_page_scrolls_sideways_or_cuts_text_at_any_width_in_any_language(site):
    pages = layout_site()
    site.allow(r"status of 404 .*/no-such-page/")
    site.allow(r"status of 429 .*/live/")  # so many video pages opened so fast: streams refused
    fan = site.page
    log_in(fan, FAN)
    visitor = site.new_page()

    problems: list[str] = []
    for language in LANGUAGES:
        for name, address in pages.items():
            problems += measure(fan, name, language + address)
        for name, address in VISITOR_PAGES.items():
            problems += measure(visitor, name, language + address)

    assert not problems, f"{len(problems)} layout problem(s):\n" + "\n".join(problems)


def test_the_open_menu_fits_a_phone(site):
    """The header's menu, opened, on the narrowest phone and in the longest language."""
    layout_site()
    page = site.page
    log_in(page, FAN)
    problems = []
    for language in LANGUAGES:
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(f"{language}/videos/")
        page.locator("details.site-menu > summary").click()
        problems += [f"{language or '/'} menu: {p}" for p in page.evaluate(MEASURE)]
        panel = page.locator(".site-menu-panel").bounding_box()
        assert panel
        assert panel["x"] >= 0
        assert panel["x"] + panel["width"] <= 320
    assert not problems, "\n".join(problems)


def test_a_fans_header_is_one_row_on_a_wide_screen_in_every_language(site):
    """On a wide screen the bar holds the logo, the catalog's links, search, the fan's badges and
    name and the languages in one row: at 1280 px in Korean and Japanese, from 1440 px in
    English, whose words are longest (narrower, or with a name as long as FAN's, a second row
    is allowed, as the test above checks). The fan's own pages open from their name and close
    again with Escape."""
    layout_site()
    name = "hana_fearnot22"
    make_user(username=name)
    page = site.page
    log_in(page, name)
    settings_names = {"": "Settings", "/ko": "설정", "/ja": "設定"}
    for language, width in (("", 1440), ("/ko", 1280), ("/ja", 1280)):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{language}/videos/")
        page.wait_for_load_state()
        brand = page.locator(".brand").bounding_box()
        languages = page.locator(".language-nav").bounding_box()
        assert brand
        assert languages
        assert abs(languages["y"] - brand["y"]) < brand["height"], f"{language or '/'} wraps"

        page.locator("details.account-menu > summary").click()
        settings_link = page.get_by_role("link", name=settings_names[language])
        assert settings_link.is_visible()
        page.keyboard.press("Escape")
        assert not settings_link.is_visible()
