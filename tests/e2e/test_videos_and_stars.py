"""Every video leads somewhere, and stars read right: a fan follows a video without a linked
upload to a YouTube search, rates with the star control (with the script and without), reads
half stars and filters the chart; a curator links the upload by pasting its address."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from catalog.models import MusicVideo
from tests.e2e.helpers import PASSWORD, log_in, log_in_to_admin, small_catalog
from tests.factories import make_rating, make_staff, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SMART_ID = "Xq9_-Smart0"  # not EASY's (the small catalog links that one)


def rating(page: Page):
    return page.get_by_role("region", name="Fans' rating")


@pytest.mark.usefixtures("device")
def test_a_fan_follows_a_video_onward_rates_it_and_filters_the_chart(site, settings):
    settings.TOP_MIN_VOTES = 2
    catalog = small_catalog()
    smart = catalog.smart_video  # no upload confirmed
    for score in (9, 8):
        make_rating(video=smart, score=score)
    for score in (6, 6, 7):
        make_rating(video=catalog.antifragile_video, score=score)
    make_user(username="fearnot_hana")
    page = site.page
    log_in(page, "fearnot_hana")

    # From the chart to the video: half stars show the 4.25 average as four and a half
    page.get_by_role("link", name="Top rated").first.click()
    entry = page.locator(".top-list > li").filter(has_text="Smart")
    expect(entry).to_contain_text("4.3 average from 2 ratings")
    expect(entry.locator(".stars .star-half")).to_have_count(1)
    expect(entry.locator(".stars .star-full")).to_have_count(4)
    entry.get_by_role("link", name="Smart").click()
    expect(page.get_by_role("heading", name="Smart", level=1)).to_be_visible()

    # No upload linked: a search, labelled as one, for the group and the exact title
    player = page.locator(".player")
    expect(player).to_contain_text("No video linked yet.")
    search = player.get_by_role("link", name="Search YouTube for “Smart”")
    expect(player).to_contain_text("a search on YouTube, not a confirmed upload")
    address = urlsplit(search.get_attribute("href"))
    assert (address.netloc, address.path) == ("www.youtube.com", "/results")
    assert parse_qs(address.query)["search_query"] == ['LE SSERAFIM "Smart"']
    expect(player.locator("iframe")).to_have_count(0)

    # Rate it by picking the fifth star's left half: it saves without a button
    expect(page.get_by_role("button", name="Save rating")).to_be_hidden()
    stars = page.get_by_role("group", name="Your rating")
    stars.locator("label").filter(has_text=re.compile(r"^4\.5 stars$")).click()
    expect(rating(page).get_by_role("status")).to_have_text("You gave it 4.5 out of 5.")
    expect(stars.get_by_role("radio", name="4.5 stars")).to_be_checked()
    expect(rating(page).locator(".rating-summary")).to_contain_text("4.3 out of 5")
    assert MusicVideo.objects.get(pk=smart.pk).rating_count == 3

    # The chart by era and member: EASY's era holds Smart, KIM CHAEWON appears in both
    page.goto("/top/")
    chart = page.get_by_role("form", name="Filter the chart")
    chart.get_by_label("Era").select_option(label="EASY")
    chart.get_by_label("Member").select_option(label="KIM CHAEWON")
    chart.get_by_role("button", name="Show the chart").click()
    listed = page.locator(".top-list > li")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("Smart")
    expect(listed.first.locator(".top-art")).to_be_visible()
    chart = page.get_by_role("form", name="Filter the chart")
    chart.get_by_label("Year").select_option(label="2022")
    chart.get_by_role("button", name="Show the chart").click()
    expect(page.get_by_role("main")).to_contain_text("No video with enough ratings matches")

    # The home page's month ranks the same way: both videos, Smart first
    page.goto("/")
    month = page.get_by_role("region", name="Top rated this month")
    expect(month.get_by_role("listitem")).to_have_count(2)
    expect(month.get_by_role("listitem").first).to_contain_text("Smart")
    expect(month).to_contain_text("at least 2 ratings this month")


def test_without_javascript_the_button_saves_the_rating(site, live_server):
    catalog = small_catalog()
    make_user(username="fearnot_hana")
    context = site.browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username or e-mail").fill("fearnot_hana")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("main").get_by_role("button", name="Log in", exact=True).click()
        page.goto(catalog.antifragile_video.get_absolute_url())
        stars = page.get_by_role("group", name="Your rating")
        stars.locator("label").filter(has_text=re.compile(r"^3\.5 stars$")).click()
        expect(stars.get_by_role("radio", name="3.5 stars")).to_be_checked()
        page.get_by_role("button", name="Save rating").click()
        expect(page).to_have_url(re.compile(r"#rating$"))
        expect(rating(page).get_by_role("status")).to_have_text("You gave it 3.5 out of 5.")
        expect(stars.get_by_role("radio", name="3.5 stars")).to_be_checked()
    finally:
        context.close()


@pytest.mark.usefixtures("device")
def test_a_curator_links_the_upload_by_pasting_its_address(site):
    catalog = small_catalog()
    video = catalog.smart_video
    curator = make_staff(username="curator")
    page = site.page
    log_in_to_admin(page, "/" + settings.ADMIN_URL, curator)

    page.get_by_role("row", name="Music videos").get_by_role("link", name="Music videos").click()
    page.get_by_role("link", name="Smart", exact=True).click()
    expect(page.get_by_role("heading", name="Change music video")).to_be_visible()
    expect(page.locator(".field-youtube_preview")).to_contain_text("No video linked yet.")

    # A channel's address is refused, naming what was wrong, and the text is kept
    box = page.get_by_label("YouTube video:")
    box.fill("https://www.youtube.com/@HYBELABELS")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-youtube_id .errorlist")).to_contain_text("not of one video")
    expect(box).to_have_value("https://www.youtube.com/@HYBELABELS")

    # The address from the share button, tracking and all, is stored as the 11-character id
    box.fill(f"https://youtu.be/{SMART_ID}?si=Xy12ab&t=42")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.get_by_label("YouTube video:")).to_have_value(SMART_ID)
    preview = page.locator(".field-youtube_preview img")
    expect(preview).to_have_attribute("src", f"https://i.ytimg.com/vi/{SMART_ID}/hqdefault.jpg")
    video.refresh_from_db()
    assert video.youtube_id == SMART_ID

    # The fan's page now offers the player, and no search
    page.goto(video.get_absolute_url())
    player = page.locator(".player")
    expect(player.get_by_role("link", name="Play “Smart”")).to_have_attribute(
        "href", f"https://www.youtube.com/watch?v={SMART_ID}"
    )
    expect(player.get_by_role("link", name=re.compile("Search YouTube"))).to_have_count(0)
