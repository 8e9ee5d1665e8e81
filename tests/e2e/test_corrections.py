"""A fan suggests a corrected release date with a source; a curator accepts it on the desk and
declines a second suggestion with a reason; the page, its history and the fan all see it."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from catalog.models import Release
from tests.e2e.helpers import expect_message, log_in, log_in_to_admin, small_catalog
from tests.factories import make_staff, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SOURCE = "https://example.com/news/easy-release"


def suggest(page: Page, fact: str, correction: str) -> None:
    page.goto("/releases/easy/")
    page.get_by_role("link", name="Suggest a correction to this release").click()
    expect(page.get_by_role("heading", name="Suggest a correction", level=1)).to_be_visible()
    page.get_by_label("Which fact?").select_option(label=fact)
    page.get_by_label("The correction").fill(correction)
    page.get_by_label(re.compile(r"^Source")).fill(SOURCE)
    page.get_by_role("button", name="Send to the curators").click()
    expect_message(page, "a curator will check your correction")


def test_a_fans_correction_is_accepted_and_another_declined(site):
    small_catalog()
    make_user(username="fearnot")
    curator = make_staff(username="curator")
    fan_page = site.page
    log_in(fan_page, "fearnot")

    suggest(fan_page, "Release date", "2024-02-20")
    suggest(fan_page, "Kind", "A single album, not an EP")

    desk = site.new_page()
    log_in_to_admin(desk, "/" + settings.ADMIN_URL, curator)
    desk.get_by_role("link", name="Curators' desk").click()
    expect(desk.get_by_role("link", name=re.compile("2 open suggestions"))).to_be_visible()
    desk.get_by_role("link", name="Decide").first.click()  # the oldest: the date
    expect(desk.get_by_label("Released on:")).to_have_value("2024-02-20")
    desk.get_by_role("button", name="Accept and apply").click()
    expect(desk.locator(".messagelist")).to_contain_text("Accepted")
    desk.get_by_role("link", name="Decide").first.click()
    desk.get_by_label("Reason (the fan reads it)").fill("The label lists it as an EP.")
    desk.get_by_role("button", name="Decline").click()
    expect(desk.locator(".messagelist")).to_contain_text("Declined")
    expect(desk.get_by_role("link", name=re.compile("0 open suggestions"))).to_be_visible()

    # The page: the new date, cited, and the fan among its contributors
    fan_page.goto("/releases/easy/")
    expect(fan_page.locator('time[datetime="2024-02-20"]').first).to_be_visible()
    expect(fan_page.get_by_role("main")).to_contain_text("example.com")
    expect(fan_page.locator(".contributors")).to_contain_text("fearnot")

    # The history names the curator who saved it and the fan who suggested it. (Read from the
    # database: django-simple-history's history page sets an inline style the CSP blocks.)
    latest = Release.objects.get(slug="easy").history.latest()
    assert latest.history_user.username == "curator"
    assert "Correction suggested by fearnot" in latest.history_change_reason

    # The fan is told of both, with the curator's reason
    fan_page.goto("/notifications/")
    expect(fan_page.get_by_role("main")).to_contain_text("accepted your correction")
    expect(fan_page.get_by_role("main")).to_contain_text("The label lists it as an EP.")
    fan_page.goto("/u/fearnot/")
    corrections = fan_page.get_by_role("region", name="Your corrections")
    expect(corrections).to_contain_text("Accepted")
    expect(corrections).to_contain_text("The curator's reason: The label lists it as an EP.")
