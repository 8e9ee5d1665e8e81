"""A visitor, not logged in, browses: a release, a video (and plays it), a member, the filters."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import YOUTUBE_ID, open_menu, small_catalog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("device")]


def test_a_visitor_browses_plays_a_video_and_filters_the_list(site):
    small_catalog()
    page = site.page

    page.goto("/")
    expect(page.get_by_role("heading", name="LE SSERAFIM", level=1)).to_be_visible()

    # Home → the latest release
    page.get_by_role("region", name="Latest release").get_by_role(
        "link", name="EASY", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/releases/easy/$"))
    expect(page.get_by_role("heading", name="EASY", level=1)).to_be_visible()
    tracklist = page.get_by_role("region", name="Tracklist")
    expect(tracklist.get_by_role("listitem")).to_have_count(2)

    # → one of its videos
    page.get_by_role("region", name="Music videos").get_by_role(
        "link", name="EASY", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/videos/easy-mv/$"))
    expect(page.get_by_role("heading", name="EASY", level=1)).to_be_visible()

    # → play it: the facade becomes YouTube's privacy-enhanced player (whose load the closed
    # network blocks; nothing was asked of YouTube before the click)
    assert page.locator("iframe").count() == 0
    page.get_by_role("link", name="Play “EASY”").click()
    player = page.locator(".player iframe")
    expect(player).to_have_attribute(
        "src", re.compile(rf"^https://www\.youtube-nocookie\.com/embed/{YOUTUBE_ID}\?autoplay=1")
    )
    expect(player).to_have_attribute("title", "EASY")
    expect(page.get_by_role("link", name="Play “EASY”")).to_have_count(0)

    # → a member who appears in it
    page.get_by_role("link", name="SAKURA").click()
    expect(page.get_by_role("heading", name="SAKURA", level=1)).to_be_visible()
    videos = page.get_by_role("region", name="Videos she appears in")
    expect(videos.get_by_role("heading", level=3)).to_have_count(2)

    # The video list, filtered by member and year
    open_menu(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Videos").click()
    expect(page.get_by_role("heading", name="Music videos", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("3 videos")
    # A choice applies at once (the page's script sends the form on change)
    page.wait_for_load_state()  # the deferred script runs after the heading shows
    page.get_by_label("Member").select_option(label="KIM CHAEWON")
    expect(page).to_have_url(re.compile(r"member=kim-chaewon"))
    page.wait_for_load_state()  # the new page's script, which applies the next choice
    page.get_by_label("Year").select_option(label="2024")
    expect(page).to_have_url(re.compile(r"year=2024"))
    expect(page.get_by_role("status")).to_have_text("2 videos")
    cards = page.get_by_role("heading", level=3)
    expect(cards).to_have_text(["Smart", "EASY"])

    page.wait_for_load_state()
    page.get_by_label("Year").select_option(label="2022")
    expect(page).to_have_url(re.compile(r"year=2022"))
    expect(page.get_by_role("status")).to_have_text("1 video")
    expect(cards).to_have_text(["ANTIFRAGILE"])

    page.get_by_role("link", name="Clear filters").click()
    expect(page.get_by_role("status")).to_have_text("3 videos")
