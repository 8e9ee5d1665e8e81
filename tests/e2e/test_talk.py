"""Talk as a fan finds it: posting, replying and following a notification land on the comment
on the talk's normal page, highlighted; notifications are read once opened; a reported comment
says so; report and block wait under "…"; likes are quiet; every comment has a face."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from community.models import Comment, Notification
from community.services.talk import comment_create
from tests.e2e.helpers import assert_accessible, expect_message, header, log_in, small_catalog
from tests.factories import make_profile, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def talk(page: Page) -> Locator:
    return page.get_by_role("region", name=re.compile(r"^(Talk|A thread on)"))


def comment_by(page: Page, text: str) -> Locator:
    return talk(page).get_by_role("article").filter(has_text=text).first


def landed(page: Page) -> Locator:
    """The comment the address points at (#comment-<id>), which the page highlights."""
    return page.locator(".comment:target")


def notifications_link(page: Page) -> Locator:
    return header(page).get_by_role("link", name=re.compile(r"^Notifications"))


def older_talk(video, fan, n: int) -> list[Comment]:
    """n comments from yesterday, oldest first: the newest-first talk has a second page."""
    comments = [
        comment_create(author=fan, video=video, body=f"Older comment {i}") for i in range(n)
    ]
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Comment.objects.filter(pk__in=[c.pk for c in comments]).update(created_at=yesterday)
    return comments


@pytest.mark.usefixtures("device")
def test_a_fan_lands_on_what_they_post_and_on_what_they_are_told(site):
    video = small_catalog().easy_video
    minji = make_user(username="minji_fan")
    make_profile(minji, display_name="Minji")
    older = older_talk(video, minji, 25)
    comment_create(author=make_user(), video=video, parent=older[-1], body="First reply")
    make_user(username="fearnot_hana")
    page = site.page
    log_in(page, "fearnot_hana")
    page.goto(video.get_absolute_url())

    # A comment: the first page of the talk, scrolled to it and highlighted, with a face
    talk(page).get_by_label("Your comment").fill("Landing right here")
    talk(page).get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(re.compile(rf"{video.get_absolute_url()}#comment-\d+$"))
    expect(landed(page)).to_contain_text("Landing right here")
    expect(landed(page)).to_contain_text("just now")
    expect(landed(page).locator(".avatar")).to_be_visible()
    expect(talk(page)).not_to_contain_text("Back to the first comments")
    expect(talk(page).get_by_role("article")).to_have_count(20 + 1)  # a page, and one reply
    # Fans don't like their own comments: the count, no button
    expect(landed(page).get_by_role("button", name=re.compile(r"^Like"))).to_have_count(0)
    expect(landed(page)).to_contain_text("0 likes")

    # A reply to a thread that has one: its page, both replies under "2 replies"
    thread = comment_by(page, "Older comment 24")
    thread.get_by_text("Reply", exact=True).click()
    thread.get_by_label("Your reply").fill("Replying on the thread")
    thread.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("A thread on")
    expect(page.get_by_role("heading", name="2 replies")).to_be_visible()
    expect(page.get_by_role("list", name="2 replies").get_by_role("article")).to_have_count(2)
    expect(landed(page)).to_contain_text("Replying on the thread")
    expect(page.get_by_text("Back to the first replies")).to_have_count(0)

    # Another fan's comment: a quiet like with its count; report and block under "…"
    page.goto(video.get_absolute_url())
    theirs = comment_by(page, "Older comment 23")
    expect(theirs.get_by_text("Minji")).to_be_visible()
    like = theirs.get_by_role("button", name=re.compile(r"^Like"))
    expect(like).to_have_text(re.compile(r"0 likes$"))
    like.click()
    theirs = comment_by(page, "Older comment 23")
    expect(theirs.get_by_role("button", name=re.compile(r"^Like"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(theirs.get_by_role("button", name=re.compile(r"^Like"))).to_contain_text("1 like")
    expect(theirs.get_by_role("button", name="Block this fan")).to_be_hidden()
    theirs.locator("summary", has_text="More actions").click()
    expect(theirs.get_by_role("button", name="Block this fan")).to_be_visible()
    theirs.get_by_text("Report", exact=True).click()
    theirs.get_by_label("What's wrong?").select_option(label="Spam")
    theirs.get_by_role("button", name="Send report").click()
    expect_message(page, "a moderator will look at this comment")
    expect(landed(page)).to_contain_text("Older comment 23")
    landed(page).locator("summary", has_text="More actions").click()
    expect(landed(page).get_by_text("Reported", exact=True)).to_be_visible()
    expect(landed(page).get_by_text("Report", exact=True)).to_have_count(0)

    # Someone answers: the header counts it; opening the list reads it, still marked new there
    mine = Comment.objects.get(body="Landing right here")
    comment_create(author=minji, video=video, parent=mine, body="Welcome, Hana!")
    page.goto("/")
    expect(notifications_link(page)).to_contain_text("1 unread")
    page.goto(notifications_link(page).get_attribute("href"))  # the header's menu may be folded
    notification = page.locator(".notification").first
    expect(notification).to_contain_text("New")
    expect(notification).to_contain_text("Minji replied to your comment on")
    expect(notifications_link(page)).not_to_contain_text("unread")
    assert_accessible(page)

    # Following it: the thread's page, scrolled to the reply
    # By the keyboard: on a phone the new header's account menu covers the top of the list
    # (reported with this branch).
    notification.get_by_role("link", name="EASY").focus()
    page.keyboard.press("Enter")
    expect(landed(page)).to_contain_text("Welcome, Hana!")
    expect(page).to_have_url(re.compile(rf"/comments/{mine.pk}/#comment-\d+$"))
    assert not Notification.objects.filter(recipient=mine.author, read_at__isnull=True).exists()
    page.goto("/notifications/")
    expect(page.locator(".notification").first).not_to_contain_text("New")


def test_the_menu_opens_from_the_keyboard(site):
    video = small_catalog().easy_video
    comment_create(author=make_user(username="minji_fan"), video=video, body="Keyboard me")
    make_user(username="fearnot_hana")
    page = site.page
    log_in(page, "fearnot_hana")
    page.goto(video.get_absolute_url())

    theirs = comment_by(page, "Keyboard me")
    menu = theirs.locator("summary", has_text="More actions")
    for _ in range(150):
        if menu.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(theirs.get_by_text("Report", exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    expect(theirs.get_by_text("Report", exact=True)).to_be_focused()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_talk_with_a_landed_comment_and_an_open_menu_is_accessible(site, color_scheme):
    video = small_catalog().easy_video
    minji = make_user(username="minji_fan")
    theirs = comment_create(author=minji, video=video, body="The bridge!")
    hana = make_user(username="fearnot_hana")
    make_profile(hana)
    mine = comment_create(author=hana, video=video, body="Mine, freshly posted")
    comment_create(author=minji, video=video, parent=mine, body="A reply to Hana")
    page = site.page
    page.emulate_media(color_scheme=color_scheme)
    log_in(page, "fearnot_hana")

    page.goto(f"{video.get_absolute_url()}#comment-{theirs.pk}")
    comment_by(page, "The bridge!").locator("summary", has_text="More actions").click()
    comment_by(page, "The bridge!").get_by_text("Report", exact=True).click()
    expect(landed(page)).to_contain_text("The bridge!")
    assert_accessible(page)
    page.goto("/notifications/")
    expect(page.locator(".notification")).to_contain_text("New")
    assert_accessible(page)
