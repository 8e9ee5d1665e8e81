"""A new fan signs up, confirms the address, logs in, rates, comments, replies, edits and deletes,
and reports another fan's comment; then the same rating and comment forms by keyboard alone."""

import re
import time

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Locator, Page, expect

from community.models import Comment, Report, User
from community.services.talk import comment_create
from tests.e2e.helpers import (
    PASSWORD,
    YOUTUBE_ID,
    expect_message,
    header,
    log_in,
    small_catalog,
)
from tests.factories import make_rating, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def talk(page: Page) -> Locator:
    """The comments: on a video's page, or on a thread's own page (where a reply lands)."""
    return page.get_by_role("region", name=re.compile(r"^(Talk|A thread on)"))


def replies(page: Page) -> Locator:
    return talk(page).get_by_role("list", name=re.compile(r"^(Replies|\d+ repl)"))


def rating(page: Page) -> Locator:
    return page.get_by_role("region", name="Fans' rating")


def histogram_count(page: Page, stars: str) -> Locator:
    """The "Ratings" cell of the histogram's row for `stars`."""
    row = (
        rating(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=f"{stars}★", exact=True))
    )
    return row.get_by_role("cell").last


def pick(page: Page, stars: str) -> None:
    """Click the half star a fan sees (the right half of the fifth star for "4.5"); its radio is
    visually hidden under it. The choice saves itself."""
    group = page.get_by_role("group", name="Your rating")
    group.locator("label").filter(has_text=re.compile(rf"^{re.escape(stars)} stars?$")).click()


def comment_by(page: Page, text: str) -> Locator:
    return talk(page).get_by_role("article").filter(has_text=text).first


def sign_up(page: Page, username: str, email: str) -> None:
    page.goto("/")
    header(page).get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Join the fans")).to_be_visible()
    shown_at = time.monotonic()
    page.get_by_label("Username:", exact=True).fill(username)
    page.get_by_label("E-mail:", exact=True).fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation:", exact=True).fill(PASSWORD)
    # People take a few seconds over a form; the site refuses anything faster.
    left = settings.SIGNUP_MIN_SECONDS + 0.5 - (time.monotonic() - shown_at)
    if left > 0:
        page.wait_for_timeout(left * 1000)
    page.get_by_role("button", name="Sign up").click()
    expect_message(page, "Welcome! We've e-mailed you a link")


@pytest.mark.usefixtures("device")
def test_a_new_fan_rates_comments_replies_and_reports(site):
    catalog = small_catalog()
    video = catalog.easy_video
    make_rating(video=video, score=6)  # another fan's 3 stars
    other = make_user(username="minji_fan")
    theirs = comment_create(author=other, video=video, body="The choreography is unreal")
    page = site.page

    # Sign up, then confirm the address with the link from the e-mail
    sign_up(page, "fearnot_hana", "hana@example.com")
    expect(header(page)).to_contain_text("@fearnot_hana")
    (message,) = mail.outbox
    assert message.to == ["hana@example.com"]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body)[0]
    page.goto(link)
    page.get_by_role("button", name="Confirm my address").click()
    expect_message(page, "your e-mail address is confirmed")

    # Log out, and log in again
    header(page).get_by_role("button", name="Log out").click()
    expect_message(page, "You have logged out.")
    expect(header(page).get_by_role("link", name="Log in", exact=True)).to_be_visible()
    log_in(page, "fearnot_hana")

    # Home → the video
    page.get_by_role("region", name="Newest videos").get_by_role(
        "link", name="EASY", exact=True
    ).click()
    expect(page.get_by_role("heading", name="EASY", level=1)).to_be_visible()
    expect(rating(page)).to_contain_text("3.0 out of 5")
    expect(rating(page)).to_contain_text("from 1 rating")

    # Rate it 4.5 stars: picking saves, and the widget updates in place, without a new page
    page.evaluate("window.sameDocument = true")
    stars = page.get_by_role("group", name="Your rating")
    expect(page.get_by_role("button", name="Save rating")).to_be_hidden()
    pick(page, "4.5")
    expect(stars.get_by_role("radio", name="4.5 stars")).to_be_checked()
    expect(rating(page).get_by_role("status")).to_have_text("You gave it 4.5 out of 5.")
    expect(rating(page)).to_contain_text("3.8 out of 5")
    expect(rating(page)).to_contain_text("from 2 ratings")
    expect(histogram_count(page, "4.5")).to_have_text("1")
    expect(histogram_count(page, "3")).to_have_text("1")
    assert page.evaluate("window.sameDocument") is True

    # Change it to 5 stars
    expect(stars.get_by_role("radio", name="4.5 stars")).to_be_checked()
    pick(page, "5")
    expect(rating(page).get_by_role("status")).to_have_text("You gave it 5 out of 5.")
    expect(rating(page)).to_contain_text("4.0 out of 5")
    expect(histogram_count(page, "4.5")).to_have_text("0")
    expect(histogram_count(page, "5")).to_have_text("1")
    assert page.evaluate("window.sameDocument") is True

    # A comment citing a moment; the moment link starts the player there
    talk(page).get_by_label("Your comment").fill("Her smile at 1:23 is everything")
    talk(page).get_by_role("button", name="Post comment").click()
    mine = comment_by(page, "Her smile at")
    expect(mine).to_be_visible()
    expect(talk(page)).to_contain_text("2 comments")
    mine.get_by_role("link", name="1:23").click()
    player = page.locator(".player iframe")
    expect(player).to_have_attribute(
        "src", re.compile(rf"youtube-nocookie\.com/embed/{YOUTUBE_ID}\?.*start=83")
    )

    # Reply to the other fan's comment
    theirs_on_page = comment_by(page, "The choreography is unreal")
    theirs_on_page.get_by_text("Reply", exact=True).click()
    theirs_on_page.get_by_label("Your reply").fill("Agreed, the chorus especially")
    theirs_on_page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("A thread on")
    expect(replies(page)).to_contain_text("Agreed, the chorus especially")

    # Edit the reply, then delete it
    reply = replies(page).get_by_role("article").filter(has_text="Agreed")
    reply.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit your comment")).to_be_visible()
    page.get_by_label("Your comment").fill("Agreed, the bridge especially")
    page.get_by_role("button", name="Save").click()
    expect_message(page, "Your comment was updated.")
    reply = talk(page).get_by_role("article").filter(has_text="the bridge especially")
    expect(reply).to_contain_text("edited")

    reply.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete your comment?")).to_be_visible()
    page.get_by_role("button", name="Delete the comment").click()
    expect_message(page, "Your comment was deleted.")
    expect(talk(page)).not_to_contain_text("the bridge especially")

    # Report the other fan's comment
    theirs_on_page = comment_by(page, "The choreography is unreal")
    theirs_on_page.locator("summary", has_text="More actions").click()  # the "…" menu
    theirs_on_page.get_by_text("Report", exact=True).click()
    theirs_on_page.get_by_label("What's wrong?").select_option(label="Off-topic")
    theirs_on_page.get_by_role("button", name="Send report").click()
    expect_message(page, "a moderator will look at this comment")

    fan = User.objects.get(username="fearnot_hana")
    report = Report.objects.get()
    assert (report.reporter, report.comment_id, report.reason) == (fan, theirs.pk, "off_topic")
    assert fan.ratings.get().score == 10
    # The reply had no replies of its own, so deleting it removed it for good.
    assert list(Comment.objects.filter(author=fan).values_list("body", "status")) == [
        ("Her smile at 1:23 is everything", "visible")
    ]


# ---- Keyboard only ------------------------------------------------------------------------------


def focused(locator: Locator) -> bool:
    return bool(locator.evaluate("element => element === document.activeElement"))


def tab_to(page: Page, target: Locator, *, limit: int = 120) -> None:
    """Press Tab until `target` has the focus, as a keyboard user does."""
    for _ in range(limit):
        if focused(target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def test_rating_and_commenting_with_the_keyboard_only(site):
    catalog = small_catalog()
    other = make_user(username="minji_fan")
    comment_create(author=other, video=catalog.easy_video, body="The choreography is unreal")
    make_user(username="fearnot_hana")
    page = site.page
    log_in(page, "fearnot_hana")
    page.goto(catalog.easy_video.get_absolute_url())

    # The rating: Tab into the radio group, arrows to 4.5 stars; it saves once the arrows stop,
    # and the focus stays on the stars
    stars = page.get_by_role("group", name="Your rating")
    tab_to(page, stars.get_by_role("radio").first)
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    expect(stars.get_by_role("radio", name="4.5 stars")).to_be_checked()
    expect(rating(page).get_by_role("status")).to_have_text("You gave it 4.5 out of 5.")
    expect(stars.get_by_role("radio", name="4.5 stars")).to_be_focused()

    # An arrow back to 4 stars saves that
    page.keyboard.press("ArrowLeft")
    expect(rating(page).get_by_role("status")).to_have_text("You gave it 4 out of 5.")
    expect(stars.get_by_role("radio", name="4 stars")).to_be_focused()

    # A comment: Tab to the box, type, Tab to the button, Enter
    tab_to(page, talk(page).get_by_label("Your comment"))
    page.keyboard.type("Watching this at 2:05 again")
    page.keyboard.press("Tab")
    expect(talk(page).get_by_role("button", name="Post comment")).to_be_focused()
    page.keyboard.press("Enter")
    expect(comment_by(page, "Watching this at")).to_be_visible()

    # A reply: Enter opens "Reply", Tab to the box, type, Tab to "Post reply", Space
    theirs = comment_by(page, "The choreography is unreal")
    summary = theirs.get_by_text("Reply", exact=True)
    tab_to(page, summary)
    page.keyboard.press("Enter")
    box = theirs.get_by_label("Your reply")
    expect(box).to_be_visible()
    page.keyboard.press("Tab")
    expect(box).to_be_focused()
    page.keyboard.type("So clean!")
    page.keyboard.press("Tab")
    expect(theirs.get_by_role("button", name="Post reply")).to_be_focused()
    page.keyboard.press("Space")
    expect(replies(page)).to_contain_text("So clean!")

    fan = User.objects.get(username="fearnot_hana")
    assert fan.ratings.get().score == 8
    assert set(Comment.objects.filter(author=fan).values_list("body", flat=True)) == {
        "Watching this at 2:05 again",
        "So clean!",
    }
