"""A curator signs in to the admin with a two-factor code, adds a release with two tracks and a
cover, and a video with a credit, publishes both, and finds them on the public site."""

import re

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from catalog.models import MusicVideo, Release, Status
from tests.e2e.helpers import log_in_to_admin
from tests.factories import make_member, make_person, make_staff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("device")]

# An image's natural width once it has loaded (0 if it can't be): waits for the load if needed.
LOADED_WIDTH = """image => image.complete ? image.naturalWidth : new Promise(resolve => {
    image.addEventListener("load", () => resolve(image.naturalWidth), {once: true});
    image.addEventListener("error", () => resolve(0), {once: true});
})"""


def inline_row(page: Page, prefix: str, index: int) -> Locator:
    """One row of a tabular inline (its inputs have column headers but no labels of their own)."""
    return page.locator(f"#{prefix}-{index}")


def inline_field(page: Page, prefix: str, index: int, field: str) -> Locator:
    return inline_row(page, prefix, index).locator(f'[name="{prefix}-{index}-{field}"]')


def autocomplete(page: Page, box: Locator, search: str, option: str) -> None:
    """Pick from one of the admin's search-as-you-type selects (select2)."""
    box.locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results").get_by_role("option", name=option).click()


def run_action(page: Page, row_text: str, action: str) -> None:
    """On a change list: tick the row, choose the action, run it."""
    page.get_by_role("row").filter(has_text=row_text).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label=action)
    page.get_by_role("button", name=re.compile(r"^(Go|Run)$")).click()


def test_a_curator_adds_and_publishes_a_release_and_a_video(site, tmp_path):
    curator = make_staff(username="curator")
    make_member(stage_name="HUH YUNJIN", slug="huh-yunjin", native_name="허윤진")
    make_person(name="Jimmy Lee", slug="jimmy-lee")
    cover = tmp_path / "cover.png"
    Image.new("RGB", (600, 600), (179, 18, 74)).save(cover)
    page = site.page
    admin = "/" + settings.ADMIN_URL

    log_in_to_admin(page, admin, curator)

    # A release with two tracks (inline) and a cover
    page.get_by_role("row", name="Releases").get_by_role("link", name="Add").click()
    expect(page.get_by_role("heading", name="Add release")).to_be_visible()
    page.wait_for_load_state("load")  # the admin's scripts fill the slug in as we type
    page.get_by_label("Title:", exact=True).press_sequentially("HOT")
    expect(page.get_by_label("Title:", exact=True)).to_have_value("HOT")
    expect(page.get_by_label("Slug:")).to_have_value("hot")
    page.get_by_label("Kind:").select_option(label="EP (mini album)")
    page.get_by_label("Ordinal note:").fill("5th mini album")
    page.get_by_label("Released on:", exact=True).fill("2025-03-14")
    page.get_by_role("group", name="Cover:").locator("input[type=file]").set_input_files(cover)
    page.get_by_label("Cover alt:").fill("The HOT cover: the five members in red light")
    for index, title in enumerate(["HOT", "Come Over"]):
        if index:
            page.get_by_role("button", name="Add another Track").click()
        inline_field(page, "tracks", index, "number").fill(str(index + 1))
        inline_field(page, "tracks", index, "sequence").fill(str(index + 1))
        inline_field(page, "tracks", index, "title").fill(title)
    inline_field(page, "tracks", 0, "is_title_track").check()
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # Publish it from the list
    run_action(page, "HOT", "Publish selected releases")
    expect(page.locator(".messagelist")).to_contain_text("1 release published")

    # A video of the title track, with a director's credit, published from its form
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="Catalog").click()
    page.get_by_role("row", name="Music videos").get_by_role("link", name="Add").click()
    expect(page.get_by_role("heading", name="Add music video")).to_be_visible()
    page.wait_for_load_state("load")
    page.get_by_label("Title:", exact=True).press_sequentially("HOT")
    expect(page.get_by_label("Title:", exact=True)).to_have_value("HOT")
    expect(page.get_by_label("Slug:")).to_have_value("hot")
    autocomplete(page, page.locator(".field-release"), "HOT", "HOT")
    page.get_by_label("Published on:", exact=True).fill("2025-03-14")
    page.get_by_label("YouTube video:").fill("hotMV123_-x")
    page.get_by_label("Whole group").uncheck()  # a solo video: who appears is listed
    autocomplete(page, page.locator(".field-members"), "YUNJIN", "HUH YUNJIN")
    page.get_by_role("button", name="Add another Credit").click()
    autocomplete(page, inline_row(page, "credits", 0), "Jimmy", "Jimmy Lee")
    inline_field(page, "credits", 0, "role").select_option(label="Director")
    page.get_by_label("Status:").select_option(label="Published")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    release = Release.objects.get(slug="hot")
    video = MusicVideo.objects.get(slug="hot")
    assert (release.status, video.status) == (Status.PUBLISHED, Status.PUBLISHED)
    assert list(release.tracks.values_list("title", flat=True)) == ["HOT", "Come Over"]
    assert video.release == release

    # The public site: the video on the home page, its credit, its release with the cover
    page.goto("/")
    page.get_by_role("region", name="Newest videos").get_by_role(
        "link", name="HOT", exact=True
    ).click()
    expect(page.get_by_role("heading", name="HOT", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Credits")).to_contain_text("Jimmy Lee")
    expect(page.get_by_role("link", name="HUH YUNJIN")).to_be_visible()
    page.get_by_role("link", name="HOT", exact=True).click()
    expect(page).to_have_url(re.compile(r"/releases/hot/$"))
    cover_image = page.get_by_role("img", name="The HOT cover: the five members in red light")
    expect(cover_image).to_be_visible()
    # Visible is laid out (its width and height are set), not yet loaded: wait for the file.
    assert cover_image.evaluate(LOADED_WIDTH) > 0
    tracks = page.get_by_role("region", name="Tracklist").get_by_role("listitem")
    expect(tracks).to_have_count(2)
    expect(tracks.first).to_contain_text("Title track")
