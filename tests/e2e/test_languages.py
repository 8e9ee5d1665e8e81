"""The site in English, Korean and Japanese in a real browser: a Korean browser lands on Korean
pages, the header's menu switches language, and every language lays out without breaking on a
desktop and on a phone (each page is screenshot for a person to look at, and checked for
horizontal overflow, clipped header items and accessibility)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, open_menu, small_catalog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("device")]

SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "test-results/screenshots"))
HEADINGS = {"en": "Members", "ko": "멤버", "ja": "メンバー"}


def test_a_korean_browser_gets_korean_and_the_menu_switches_language(site):
    small_catalog()
    page = site.new_page(locale="ko-KR")

    page.goto("/members/")
    expect(page).to_have_url(re.compile(r"/ko/members/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    open_menu(page)
    menu = page.get_by_role("navigation", name="언어")
    menu.get_by_role("link", name="日本語").click()
    expect(page).to_have_url(re.compile(r"/ja/members/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    # English on purpose: the Korean browser is not sent back to Korean any more.
    open_menu(page)
    page.get_by_role("navigation", name="言語").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/members/$"))
    page.goto("/videos/")
    expect(page).to_have_url(re.compile(r"/videos/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _fits(page) -> None:
    """Nothing sticks out sideways: no horizontal scrolling, no header item cut off."""
    overflow = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const wide = document.documentElement.scrollWidth > width;
          const clipped = [...document.querySelectorAll('header a, header button, h1')]
            .filter(el => { const r = el.getBoundingClientRect();
                            return r.width > 0 && (r.left < -1 || r.right > width + 1); })
            .map(el => el.textContent.trim());
          return {wide, clipped};
        }"""
    )
    assert not overflow["wide"], f"{page.url} scrolls sideways"
    assert not overflow["clipped"], f"{page.url} cuts off {overflow['clipped']}"


@pytest.mark.parametrize("language", ["en", "ko", "ja"])
def test_each_language_lays_out_and_is_screenshot(site, language, device):
    catalog = small_catalog()
    page = site.page
    prefix = "" if language == "en" else f"/{language}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in (
        ("home", "/"),
        ("members", "/members/"),
        ("video", f"/videos/{catalog.easy_video.slug}/"),
        ("release", f"/releases/{catalog.easy.slug}/"),
    ):
        page.goto(prefix + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        if name == "members":
            expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[language])
        # The web fonts are the system's: wait for them before measuring and taking the picture.
        page.evaluate("document.fonts.ready")
        _fits(page)
        page.screenshot(path=SCREENSHOTS / f"{language}-{name}-{device}.png", full_page=True)
    assert_accessible(page)
