"""A visitor signs up from a video, too fast at first; unconfirmed, the video says where to
confirm instead of offering controls that can't work; confirming brings them back to rate."""

import re
import time

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import PASSWORD, assert_accessible, expect_message, small_catalog

pytestmark = pytest.mark.django_db(transaction=True)


def rating(page: Page) -> Locator:
    return page.get_by_role("region", name="Fans' rating")


def talk(page: Page) -> Locator:
    return page.get_by_role("region", name=re.compile(r"^Talk"))


@pytest.mark.usefixtures("device")
def test_a_new_fan_confirms_from_the_video_and_comes_back_to_rate(site):
    video = small_catalog().smart_video
    page = site.page
    page.goto(video.get_absolute_url())

    # From the video to the sign-up form, sent at once: refused, what may be kept is kept
    rating(page).get_by_role("link", name="Log in to rate this video").click()
    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    shown_at = time.monotonic()
    page.get_by_label("Username:", exact=True).fill("fearnot_hana")
    page.get_by_label("E-mail:", exact=True).fill("hana@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_contain_text("press “Sign up”")
    expect(page.get_by_label("Username:", exact=True)).to_have_value("fearnot_hana")
    expect(page.get_by_label("E-mail:", exact=True)).to_have_value("hana@example.com")
    expect(page.get_by_label("Password:", exact=True)).to_have_value("")  # never sent back

    # Pressing again after a moment, passwords typed again: in, and back on the video
    left = settings.SIGNUP_MIN_SECONDS + 0.5 - (time.monotonic() - shown_at)
    if left > 0:
        page.wait_for_timeout(left * 1000)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect_message(page, "Welcome! We've e-mailed you a link")
    expect(page).to_have_url(re.compile(rf"{video.get_absolute_url()}"))

    # Unconfirmed: no controls that look as if they'd work, a way to confirm instead
    expect(rating(page)).to_contain_text("Confirm your e-mail to rate")
    expect(rating(page).get_by_role("group", name="Your rating")).to_have_count(0)
    expect(rating(page).get_by_role("button", name="Save rating")).to_have_count(0)
    expect(talk(page)).to_contain_text("Confirm your e-mail to comment")
    expect(talk(page).get_by_role("button", name="Post comment")).to_have_count(0)
    expect(page.get_by_text("Confirm your e-mail to add to lists")).to_be_visible()
    page.reload()  # axe on the prompts, without the flash messages (base.html's own matter)
    assert_accessible(page)

    # Asking for the link again comes back to the rating
    rating(page).get_by_role("button", name="Send me the link again").click()
    expect(page).to_have_url(re.compile(rf"{video.get_absolute_url()}#rating$"))
    expect_message(page, "We sent you a link a few minutes ago")

    # The link from the e-mail: confirmed, and back on the video to rate it
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body)[0]
    page.goto(link)
    page.get_by_role("button", name="Confirm my address").click()
    expect_message(page, "your e-mail address is confirmed")
    expect(page).to_have_url(re.compile(rf"{video.get_absolute_url()}"))
    expect(rating(page)).not_to_contain_text("Confirm your e-mail")
    # The stars (their Save button shows only until the page's script takes over)
    expect(rating(page).get_by_role("group", name="Your rating")).to_be_visible()
    expect(talk(page).get_by_role("button", name="Post comment")).to_be_visible()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_the_prompts_are_accessible(site, color_scheme):
    from tests.e2e.helpers import log_in
    from tests.factories import make_user

    video = small_catalog().easy_video
    make_user(username="fearnot_hana", email_verified=False)
    page = site.page
    page.emulate_media(color_scheme=color_scheme)
    log_in(page, "fearnot_hana")
    page.goto(video.get_absolute_url())
    expect(rating(page)).to_contain_text("Confirm your e-mail to rate")
    assert_accessible(page)
    page.goto("/videos/")
    assert_accessible(page)
