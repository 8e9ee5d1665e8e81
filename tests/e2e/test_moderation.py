"""A moderator (staff with the moderation permission, not a superuser) hides a reported comment
in the admin; its author sees the notification and the comment marked as removed."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from community.models import Comment, ModerationLog
from community.services.talk import comment_create, report_create
from tests.e2e.helpers import header, log_in, log_in_to_admin, small_catalog
from tests.factories import make_staff, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("device")]


def make_moderator():
    moderator = make_staff(username="moderator", is_superuser=False)
    moderator.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="community",
            codename__in=["moderate_comment", "view_comment", "change_comment"],
        )
    )
    return moderator


def test_a_moderator_hides_a_reported_comment_and_its_author_is_told(site):
    catalog = small_catalog()
    author = make_user(username="loud_fan")
    reporter = make_user(username="careful_fan")
    calm = comment_create(author=reporter, video=catalog.easy_video, body="Lovely styling")
    rude = comment_create(author=author, video=catalog.easy_video, body="Everyone here is dumb")
    report_create(reporter=reporter, comment=rude, reason="harassment", note="Insults")
    moderator = make_moderator()

    # The moderator: the comment queue, filtered on open reports, the "hide" action
    page = site.page
    log_in_to_admin(page, "/" + settings.ADMIN_URL, moderator)
    page.get_by_role("row", name="Comments").get_by_role("link", name="Comments").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Select comment"))).to_be_visible()
    page.get_by_role("link", name="Has open reports").click()
    rows = page.locator("#result_list tbody").get_by_role("row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Everyone here is dumb")
    rows.first.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Hide the selected comments")
    page.get_by_label("Note (kept in the moderation log)").fill("Insults other fans")
    page.get_by_role("button", name=re.compile(r"^(Go|Run)$")).click()
    expect(page.locator(".messagelist")).to_contain_text("Hidden: 1.")

    rude.refresh_from_db()
    calm.refresh_from_db()
    assert (rude.status, calm.status) == (Comment.Status.HIDDEN, Comment.Status.VISIBLE)
    entry = ModerationLog.objects.get()
    assert (entry.moderator, entry.note) == (moderator, "Insults other fans")

    # The author, in their own browser: the header counts one unread notification
    fan = site.new_page()
    log_in(fan, "loud_fan")
    badge = header(fan).get_by_role("link", name=re.compile(r"^Notifications"))
    expect(badge).to_have_text("Notifications 1 unread")
    badge.click()
    expect(fan.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    notice = fan.get_by_role("listitem").filter(has_text="A moderator removed your comment")
    expect(notice).to_contain_text("New")
    notice.get_by_role("link", name="EASY").click()
    talk = fan.get_by_role("region", name=re.compile(r"^Talk"))
    mine = talk.get_by_role("article").filter(has_text="Everyone here is dumb")
    expect(mine).to_contain_text("Removed by a moderator: only you can still see it.")

    # Other fans no longer see it
    reporter_page = site.new_page()
    reporter_page.goto(catalog.easy_video.get_absolute_url())
    talk = reporter_page.get_by_role("region", name=re.compile(r"^Talk"))
    expect(talk).to_contain_text("Lovely styling")
    expect(talk).not_to_contain_text("Everyone here is dumb")
