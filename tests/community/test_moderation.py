"""Reports, blocks and moderation: the admin queue's actions, suspensions, and what fans see."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import Comment, ModerationLog, Notification, Report
from community.services import talk
from community.writing import WriteRefused
from tests.factories import BUDGET_ROWS, make_user, make_users, make_video

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:community_comment_changelist")
FANS = reverse("admin:community_user_changelist")


def make_fan(**kwargs):
    kwargs.setdefault("date_joined", timezone.now() - datetime.timedelta(days=30))
    return make_user(**kwargs)


def make_comment(video=None, author=None, body="Love this one", parent=None):
    return talk.comment_create(
        author=author or make_fan(), video=video or make_video(), body=body, parent=parent
    )


def make_staff_with(*codenames):
    """Staff (not superuser) holding exactly these community permissions."""
    user = make_fan(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="community", codename__in=codenames)
    )
    return user


def make_moderator():
    return make_staff_with(
        "moderate_comment", "view_comment", "change_comment", "view_report", "view_user"
    )


def _act(client, url, action, objects, note=""):
    data = {"action": action, "_selected_action": [o.pk for o in objects], "note": note}
    return client.post(url, data, follow=True)


def _page(client, video):
    return client.get(video.get_absolute_url()).content.decode()


# ---- Reports ------------------------------------------------------------------------------------


def test_a_fan_reports_a_comment_once(client):
    comment = make_comment(body="Rude words")
    reporter = make_fan()
    client.force_login(reporter)
    url = reverse("community:comment-report", args=[comment.pk])
    assert "What&#x27;s wrong?" in client.get(url).content.decode()

    response = client.post(url, {"reason": "harassment", "note": "Name-calling"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.note, report.status) == (
        reporter,
        "harassment",
        "Name-calling",
        "open",
    )

    response = client.post(url, {"reason": "spam"})
    assert response.status_code == 400
    assert "You already reported this comment." in response.content.decode()
    assert Report.objects.count() == 1


def test_a_fan_cannot_report_their_own_comment_or_without_a_reason(client):
    comment = make_comment()
    client.force_login(comment.author)
    url = reverse("community:comment-report", args=[comment.pk])
    response = client.post(url, {"reason": "spam"})
    assert response.status_code == 400
    assert "You can&#x27;t report your own comment." in response.content.decode()
    client.force_login(make_fan())
    response = client.post(url, {"reason": "", "note": "Just because"})
    assert response.status_code == 400
    assert "Choose a reason." in response.content.decode()
    assert "Just because" in response.content.decode()
    assert not Report.objects.exists()


# ---- The moderators' queue ----------------------------------------------------------------------


def test_moderator_hides_a_reported_comment(client):
    video = make_video()
    make_comment(video=video, body="Kind words")
    comment = make_comment(video=video, body="Nasty words")
    talk.report_create(reporter=make_fan(), comment=comment, reason="harassment")
    moderator = make_moderator()
    client.force_login(moderator)

    queue = client.get(QUEUE, {"reported": "yes"}).content.decode()
    assert "Nasty words" in queue
    assert "Kind words" not in queue
    assert 'value="hide"' in queue
    response = _act(client, QUEUE, "hide", [comment], note="Harassment")

    assert "Hidden: 1." in response.content.decode()
    comment.refresh_from_db()
    video.refresh_from_db()
    assert comment.status == "hidden"
    assert video.comment_count == 1
    assert Report.objects.get().status == "actioned"
    log = ModerationLog.objects.get()
    assert (log.moderator, log.action, log.comment, log.target, log.note) == (
        moderator,
        "hide",
        comment,
        comment.author,
        "Harassment",
    )
    assert Notification.objects.filter(
        recipient=comment.author, kind="hidden", comment=comment
    ).exists()
    assert "Removed by a moderator." in _page(Client(), video)
    assert "Nasty words" not in _page(Client(), video)
    author = Client()
    author.force_login(comment.author)
    assert "Nasty words" in _page(author, video)
    assert "only you can still see it" in _page(author, video)


def test_staff_without_the_permission_cannot_moderate(client):
    comment = make_comment(body="Still here")
    talk.report_create(reporter=make_fan(), comment=comment, reason="spam")
    client.force_login(make_staff_with("view_comment", "change_comment"))

    queue = client.get(QUEUE).content.decode()
    assert "Still here" in queue
    assert 'value="hide"' not in queue  # the action isn't offered...
    assert _act(client, QUEUE, "hide", [comment]).status_code == 200  # ...nor run when posted

    comment.refresh_from_db()
    assert comment.status == "visible"
    assert Report.objects.get().status == "open"
    assert not ModerationLog.objects.exists()
    with pytest.raises(PermissionDenied):
        talk.comment_hide(comment=comment, moderator=make_fan(is_staff=True))


def test_moderator_restores_a_hidden_comment(client):
    comment = make_comment(body="Misunderstood")
    moderator = make_moderator()
    talk.comment_hide(comment=comment, moderator=moderator)
    client.force_login(moderator)

    _act(client, QUEUE, "restore", [comment], note="Not harassment after all")

    comment.refresh_from_db()
    comment.video.refresh_from_db()
    assert comment.status == "visible"
    assert comment.video.comment_count == 1
    assert list(ModerationLog.objects.values_list("action", flat=True)) == ["restore", "hide"]
    assert Notification.objects.filter(recipient=comment.author, kind="restored").exists()
    assert "Misunderstood" in _page(Client(), comment.video)


def test_moderator_approves_a_held_reply(client):
    top = make_comment(body="Top")
    reply = make_comment(video=top.video, parent=top, author=make_user(), body="https://x.example")
    assert reply.status == "held"
    assert not Notification.objects.filter(kind="reply").exists()
    client.force_login(make_moderator())

    _act(client, QUEUE, "approve", [reply])

    reply.refresh_from_db()
    top.refresh_from_db()
    assert reply.status == "visible"
    assert top.reply_count == 1
    assert Notification.objects.filter(recipient=top.author, kind="reply", comment=reply).exists()
    assert ModerationLog.objects.get().action == "approve"


def test_moderator_dismisses_reports(client):
    comment = make_comment()
    for _ in range(2):
        talk.report_create(reporter=make_fan(), comment=comment, reason="off_topic")
    other = make_comment()  # nothing to dismiss: skipped, not logged
    client.force_login(make_moderator())

    _act(client, QUEUE, "dismiss_reports", [comment, other])

    comment.refresh_from_db()
    assert comment.status == "visible"
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
    log = ModerationLog.objects.get()
    assert (log.action, log.comment, log.note) == ("dismiss", comment, "2 reports")
    assert not client.get(QUEUE, {"reported": "yes"}).context["cl"].result_count


def test_actions_that_do_not_apply_are_skipped_with_a_message(client):
    comment = make_comment()
    client.force_login(make_moderator())
    response = _act(client, QUEUE, "restore", [comment])
    assert "Skipped" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "visible"
    assert not ModerationLog.objects.exists()


def test_queue_query_budget(client, django_assert_max_num_queries):
    """Guards N+1: open-report counts come from one annotated query, so 1,000 reported
    comments cost what 10 do."""
    video = make_video()
    small, large = BUDGET_ROWS

    def report_more(n):
        authors, reporters = make_users(n), make_users(n)
        comments = Comment.objects.bulk_create(
            Comment(video=video, author=author, body="Love this one") for author in authors
        )
        Report.objects.bulk_create(
            Report(reporter=reporter, comment=comment, reason="spam")
            for reporter, comment in zip(reporters, comments, strict=True)
        )

    report_more(small)
    client.force_login(make_moderator())
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE, {"reported": "yes"})
    report_more(large - small)
    with django_assert_max_num_queries(len(few)):
        response = client.get(QUEUE, {"reported": "yes"})
    cl = response.context["cl"]
    assert cl.result_count == large
    shown = response.content.decode().count('<td class="field-open_reports">1</td>')
    assert shown == min(large, cl.list_per_page)


def test_a_comments_page_in_the_admin_groups_its_reports(client):
    comment = make_comment(body="Reported twice")
    for reason in ("spam", "off_topic"):
        talk.report_create(reporter=make_fan(), comment=comment, reason=reason, note=reason * 2)
    client.force_login(make_moderator())
    page = client.get(reverse("admin:community_comment_change", args=[comment.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Reported twice" in body
    assert "spamspam" in body
    assert "off_topicoff_topic" in body


def test_comments_cannot_be_added_or_deleted_in_the_admin(client):
    comment = make_comment()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    delete = reverse("admin:community_comment_delete", args=[comment.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:community_comment_add")).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


# ---- Suspensions --------------------------------------------------------------------------------


def test_a_suspended_fan_can_read_but_not_post(client):
    video = make_video()
    make_comment(video=video, body="Readable")
    fan = make_fan()
    moderator = make_moderator()
    client.force_login(moderator)

    response = _act(client, FANS, "suspend", [fan], note="Spam links")

    assert "Suspended: 1." in response.content.decode()
    fan.refresh_from_db()
    assert fan.is_suspended
    assert fan.suspension_reason == "Spam links"
    assert ModerationLog.objects.get().action == "suspend"
    client.force_login(fan)
    assert "Readable" in _page(client, video)
    response = client.post(
        reverse("community:comment-create", args=[video.slug]), {"body": "Let me in"}
    )
    assert response.status_code == 403
    assert "Your account is suspended" in response.content.decode()
    assert Comment.objects.count() == 1

    client.force_login(moderator)
    _act(client, FANS, "unsuspend", [fan])
    fan.refresh_from_db()
    assert not fan.is_suspended
    client.force_login(fan)
    client.post(reverse("community:comment-create", args=[video.slug]), {"body": "Back"})
    assert Comment.objects.count() == 2


def test_a_suspension_needs_a_reason_and_the_permission(client):
    fan = make_fan()
    client.force_login(make_moderator())
    response = _act(client, FANS, "suspend", [fan])
    assert "Give a reason" in response.content.decode()
    client.force_login(make_staff_with("view_user", "change_user"))
    _act(client, FANS, "suspend", [fan], note="Because")
    fan.refresh_from_db()
    assert not fan.is_suspended
    assert not ModerationLog.objects.exists()


def test_a_suspended_fan_cannot_like_or_report():
    comment = make_comment()
    fan = make_fan(suspended_at=timezone.now())
    with pytest.raises(WriteRefused):
        talk.comment_like(user=fan, comment=comment)
    with pytest.raises(WriteRefused):
        talk.report_create(reporter=fan, comment=comment, reason="spam")


# ---- Blocks -------------------------------------------------------------------------------------


def test_blocks_hide_comments_and_replies_both_ways(client):
    video = make_video()
    blocker, blocked, bystander = make_fan(), make_fan(), make_fan()
    top = make_comment(video=video, author=bystander, body="Neutral ground")
    make_comment(video=video, author=blocked, body="From the blocked fan")
    make_comment(video=video, author=blocker, body="From the blocker")
    make_comment(video=video, parent=top, author=blocked, body="Blocked fan's reply")
    client.force_login(blocker)

    response = client.post(
        reverse("community:block", args=[blocked.username]),
        {"next": video.get_absolute_url()},
        follow=True,
    )

    page = response.content.decode()
    assert "You blocked" in page
    assert "Neutral ground" in page
    assert "From the blocked fan" not in page
    assert "Blocked fan&#x27;s reply" not in page
    other_side = Client()
    other_side.force_login(blocked)
    assert "From the blocker" not in _page(other_side, video)
    assert "Neutral ground" in _page(other_side, video)
    assert "From the blocked fan" in _page(Client(), video)  # visitors see everything
    blocked_comment = Comment.objects.get(body="From the blocked fan")
    assert (
        client.get(reverse("community:comment-report", args=[blocked_comment.pk])).status_code
        == 404
    )

    client.post(reverse("community:unblock", args=[blocked.username]))
    assert "From the blocked fan" in _page(client, video)


def test_blocks_keep_a_deleted_fans_comments_in_view(client):
    video = make_video()
    orphan = make_comment(video=video, body="Author left")
    orphan.author.delete()
    fan = make_fan()
    talk.block_create(blocker=fan, blocked=make_fan())
    client.force_login(fan)
    assert "Author left" in _page(client, video)


def test_a_fan_cannot_block_themselves(client):
    fan = make_fan()
    client.force_login(fan)
    response = client.post(reverse("community:block", args=[fan.username]), follow=True)
    assert "You can&#x27;t block yourself." in response.content.decode()
    assert not fan.blocks.exists()
