"""A fan makes a public and a private list, fills them from the video list and a video page,
reorders, marks a video watched and downloads the CSV; another fan can't open the private one."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from community.models import Watchlist
from tests.e2e.helpers import expect_message, header, log_in, open_menu, small_catalog
from tests.factories import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("device")]


def make_list(page: Page, name: str, *, public: bool) -> None:
    header(page).get_by_role("link", name="My lists").click()
    page.get_by_role("link", name="Make a new list").click()
    expect(page.get_by_role("heading", name="Make a list")).to_be_visible()
    page.get_by_label("Name:", exact=True).fill(name)
    page.get_by_label("Description:").fill(f"{name}, for the weekend.")
    page.get_by_label("Public", exact=True).set_checked(public)
    page.get_by_role("button", name="Make the list").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    eyebrow = "Public list" if public else "Private list — only you can see it"
    expect(page.get_by_text(eyebrow)).to_be_visible()


def choose_list(page: Page, video_title: str, list_label: str) -> None:
    """On the "Add … to a list" page: pick the list, add, and land back where we were."""
    expect(page.get_by_role("heading", name=f"Add “{video_title}” to a list")).to_be_visible()
    page.get_by_role("group", name="List").get_by_label(list_label, exact=True).check()
    page.get_by_role("button", name="Add to the list").click()
    expect_message(page, f"Added “{video_title}” to “")


def items(page: Page):
    """The list's videos, as their cards' headings, in order."""
    return page.get_by_role("main").get_by_role("listitem").get_by_role("heading", level=3)


def test_two_watchlists_reordered_watched_exported_and_kept_private(site):
    small_catalog()
    make_user(username="fearnot_hana")
    make_user(username="curious_other")
    page = site.page
    log_in(page, "fearnot_hana")

    make_list(page, "Comeback essentials", public=True)
    make_list(page, "Secret stash", public=False)

    # From the video list: "Choose a list…" on two cards
    header_nav = page.get_by_role("navigation", name="Main")
    for title in ("EASY", "ANTIFRAGILE"):
        open_menu(page)
        header_nav.get_by_role("link", name="Videos").click()
        page.get_by_role("link", name=f"Choose a list… for {title}").click()
        choose_list(page, title, "Comeback essentials")
        expect(page).to_have_url(re.compile(r"/videos/$"))

    # From a video page: one more to the public list, and one to the private list
    page.get_by_role("link", name="Smart", exact=True).click()
    expect(page.get_by_role("heading", name="Smart", level=1)).to_be_visible()
    page.get_by_role("link", name="Choose a list… for Smart").click()
    choose_list(page, "Smart", "Comeback essentials")
    expect(page).to_have_url(re.compile(r"/videos/smart-mv/$"))
    page.get_by_role("link", name="Choose a list… for Smart").click()
    choose_list(page, "Smart", "Secret stash (private)")

    # The public list, in the order the videos were added
    header(page).get_by_role("link", name="My lists").click()
    page.get_by_role("link", name="Comeback essentials").click()
    expect(page.get_by_text("3 videos")).to_be_visible()
    expect(items(page)).to_have_text(["EASY", "ANTIFRAGILE", "Smart"])

    # Reorder: EASY down one place, then Smart to the top
    page.get_by_role("button", name="↓ Move “EASY” down").click()
    expect(items(page)).to_have_text(["ANTIFRAGILE", "EASY", "Smart"])
    # ("Top" + a visually hidden ": move … to the top"; whether the name gets a space before the
    # colon depends on when the stylesheet applied, so match the words that carry the meaning.)
    page.get_by_role("button", name="move “Smart” to the top").click()
    expect(items(page)).to_have_text(["Smart", "ANTIFRAGILE", "EASY"])

    # Mark EASY watched
    easy = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="EASY"))
    easy.get_by_label("Watched on").fill("2024-03-01")
    easy.get_by_role("button", name="Save note on “EASY”").click()
    easy = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="EASY"))
    expect(easy.get_by_text("Watched 1 March 2024")).to_be_visible()

    # Export the list as CSV: a download, in the list's order
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert [row["title"] for row in rows] == ["Smart", "ANTIFRAGILE", "EASY"]
    assert [row["watched_on"] for row in rows] == ["", "", "2024-03-01"]

    # Another fan, in another browser: the public list opens, the private one is a 404
    public = Watchlist.objects.get(name="Comeback essentials")
    private = Watchlist.objects.get(name="Secret stash")
    assert (public.item_count, private.item_count) == (3, 1)
    other = site.new_page()
    log_in(other, "curious_other")
    other.goto(public.get_absolute_url())
    expect(other.get_by_role("heading", name="Comeback essentials", level=1)).to_be_visible()
    site.allow(rf"status of 404 .*{re.escape(private.get_absolute_url())}")
    response = other.goto(private.get_absolute_url())
    assert response is not None
    assert response.status == 404
    expect(other.get_by_role("heading", name="We couldn't find that page")).to_be_visible()
    expect(other.get_by_role("main")).not_to_contain_text("Secret stash")
