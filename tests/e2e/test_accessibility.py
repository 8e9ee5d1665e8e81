"""axe-core on every public page type and the main forms: no violation of WCAG 2.2 A or AA.

The catalog is the demo one (load_catalog), with fans, ratings, a public list and comments
added, so every section of every page is there to check. Each page is a subtest, so one run
reports every page with a problem. The pages a visitor sees are checked in the light and the
dark colour scheme (the site follows the system's).
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from catalog.models import MusicVideo
from community.models import Comment
from community.services.talk import comment_create, comment_hide
from tests.e2e.helpers import YOUTUBE_ID, KnownViolation, assert_accessible, log_in
from tests.factories import make_profile, make_rating, make_staff, make_user, make_watchlist

pytestmark = pytest.mark.django_db(transaction=True)

# Violations reported to a template's owner and not fixed yet (none now); each entry is a
# KnownViolation(rule, selector, why), and the test says when one is fixed.
KNOWN: tuple[KnownViolation, ...] = ()


def demo_site():
    """The demo catalog plus fans: a rated, talked-about video on a public list."""
    call_command("load_catalog", verbosity=0)
    video = (
        MusicVideo.objects.published()
        .filter(release__isnull=False, whole_group=True)
        .order_by("-published_on")
        .first()
    )
    if not video.youtube_id:  # the demo links no upload a curator hasn't confirmed
        video.youtube_id = YOUTUBE_ID
        video.save()
    fan = make_user(username="fearnot_hana")
    make_profile(fan, display_name="Hana", bio="FEARNOT since day one.")
    for score, rater in zip((9, 8, 10), (fan, make_user(), make_user()), strict=True):
        make_rating(user=rater, video=video, score=score)
    other = make_user(username="minji_fan")
    first = comment_create(author=other, video=video, body="The bridge at 1:23 gives me chills")
    comment_create(author=fan, video=video, body="Same! And 2:10 too", parent=first)
    comment_create(author=fan, video=video, body="Best styling of the era")
    lists = make_watchlist(fan, name="Comeback essentials", videos=[video])
    return video, fan, other, lists


@pytest.mark.parametrize(
    ("screen", "color_scheme"),
    [("desktop", "light"), ("desktop", "dark"), ("phone", "light")],
    ids=["desktop-light", "desktop-dark", "phone"],
)
def test_public_pages_have_no_wcag_violations(site, subtests, screen, color_scheme):
    video, fan, _, watchlist = demo_site()
    member = video.lineup()[0]
    unlinked = MusicVideo.objects.published().filter(youtube_id="").first()
    pages = {
        "home": "/",
        "videos list": "/videos/",
        "videos list, filtered": f"/videos/?member={member.slug}",
        "video": video.get_absolute_url(),
        "release": video.release.get_absolute_url(),
        "releases list": "/releases/",
        "member": member.get_absolute_url(),
        "members list": "/members/",
        "search results": f"/search/?q={video.title[:4]}",
        "top rated": "/top/",
        "top rated, filtered": f"/top/?era={video.release.slug}&member={member.slug}",
        "top rated, a filter not understood": "/top/?year=someday",
        "video with no upload linked yet": unlinked.get_absolute_url(),
        "timeline": "/timeline/",
        "fans' lists": "/lists/",
        "a public list": watchlist.get_absolute_url(),
        "profile": fan.get_absolute_url(),
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "password reset": "/accounts/password/reset/",
        "404": "/no-such-page/",
    }
    site.allow(r"status of 404 .*/no-such-page/")
    page = site.page if screen == "desktop" else site.new_page(screen)
    page.emulate_media(color_scheme=color_scheme)
    look = f"{screen}, {color_scheme}"
    for name, path in pages.items():
        with subtests.test(msg=f"{name} ({look})", path=path):
            response = page.goto(path)
            assert response is not None
            assert response.status == (404 if name == "404" else 200)
            assert_accessible(page)

    # The player once it replaced its facade
    with subtests.test(msg=f"video playing ({look})"):
        page.goto(video.get_absolute_url())
        page.get_by_role("link", name=f"Play “{video.display_title}”").click()
        expect(page.locator(".player iframe")).to_be_visible()
        assert_accessible(page)


def test_fans_pages_and_forms_have_no_wcag_violations(site, subtests):
    video, fan, other, watchlist = demo_site()
    theirs = Comment.objects.get(author=other)
    page = site.page

    # Forms sent back with errors, before logging in
    with subtests.test(msg="signup with errors"):
        page.goto("/accounts/signup/")
        page.get_by_role("button", name="Sign up").click()
        expect(page.locator(".errorlist").first).to_be_visible()
        assert_accessible(page)
    with subtests.test(msg="login with errors"):
        page.goto("/accounts/login/")
        page.get_by_label("Username or e-mail").fill("fearnot_hana")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("main").get_by_role("button", name="Log in", exact=True).click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert_accessible(page)

    log_in(page, "fearnot_hana")
    with subtests.test(msg="video, signed in: rating, comments, reply and report forms open"):
        page.goto(video.get_absolute_url())
        talk = page.locator("#comments")
        theirs_on_page = talk.get_by_role("article").filter(has_text="The bridge at")
        theirs_on_page.get_by_text("Reply", exact=True).click()
        theirs_on_page.locator("summary", has_text="More actions").click()
        theirs_on_page.get_by_text("Report", exact=True).click()
        expect(theirs_on_page.get_by_label("What's wrong?")).to_be_visible()
        assert_accessible(page, KNOWN)
    with subtests.test(msg="rating sent back in place"):
        page.get_by_role("group", name="Your rating").locator("label").first.click()
        expect(page.get_by_role("region", name="Fans' rating").get_by_role("status")).to_have_text(
            "You gave it 0.5 out of 5."
        )
        assert_accessible(page, KNOWN)
    with subtests.test(msg="comment form with an error"):
        site.allow(rf"status of 400 .*/videos/{video.slug}/comments/")
        page.goto(f"/videos/{video.slug}/comments/")
        page.get_by_role("button", name="Post comment").click()
        expect(page.locator(".errorlist")).to_be_visible()
        assert_accessible(page)

    mine = Comment.objects.filter(author=fan, parent__isnull=True).first()
    signed_in_pages = {
        "edit a comment": f"/comments/{mine.pk}/edit/",
        "delete a comment": f"/comments/{mine.pk}/delete/",
        "reply page": f"/comments/{theirs.pk}/reply/",
        "report page": f"/comments/{theirs.pk}/report/",
        "settings": "/accounts/settings/",
        "my lists": "/lists/mine/",
        "make a list": "/lists/new/",
        "own list with its controls": watchlist.get_absolute_url(),
        "add to a list": f"/videos/{video.slug}/add-to-list/",
        "notifications": "/notifications/",
        "feed": "/feed/",
        "diary": "/diary/",
        "two-factor settings": "/accounts/2fa/",
        "passkeys": "/accounts/2fa/webauthn/",
        "e-mail addresses": "/accounts/email/",
        "password change": "/accounts/password/change/",
    }
    for name, path in signed_in_pages.items():
        with subtests.test(msg=name, path=path):
            response = page.goto(path)
            assert response is not None
            assert response.status == 200
            assert_accessible(page)

    # A moderator hid one of the fan's comments: the notification, and the comment as they see it
    comment_hide(comment=mine, moderator=make_staff(), note="Off-topic")
    with subtests.test(msg="notification of a moderator's decision"):
        page.goto("/notifications/")
        expect(page.get_by_text("A moderator removed your comment")).to_be_visible()
        assert_accessible(page)
    with subtests.test(msg="own comment removed by a moderator"):
        page.goto(video.get_absolute_url())
        expect(page.get_by_text("Removed by a moderator: only you")).to_be_visible()
        assert_accessible(page, KNOWN)
