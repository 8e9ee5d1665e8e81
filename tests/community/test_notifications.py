"""Notifications: replies and moderation tell the author; the page, the unread badge, read all."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Credit, MusicVideo, Status
from community.models import Comment, Notification
from community.services import talk
from tests.factories import (
    BUDGET_ROWS,
    make_credit,
    make_person,
    make_staff,
    make_user,
    make_users,
    make_video,
    make_videos,
)

pytestmark = pytest.mark.django_db

NOTIFICATIONS = reverse("community:notifications")


def make_fan(**kwargs):
    kwargs.setdefault("date_joined", timezone.now() - datetime.timedelta(days=30))
    return make_user(**kwargs)


def make_comment(video=None, author=None, body="Love this one", parent=None):
    return talk.comment_create(
        author=author or make_fan(), video=video or make_video(), body=body, parent=parent
    )


def _render(template: str, user) -> tuple[str, int]:
    """A template rendered for the user, and how many queries it took."""
    request = RequestFactory().get("/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        html = Template("{% load talk_tags %}" + template).render(
            Context({"request": request, "user": user})
        )
    return html.strip(), len(queries)


def test_a_reply_notifies_the_author_of_the_comment_replied_to():
    top = make_comment()
    replier = make_fan()
    reply = make_comment(video=top.video, parent=top, author=replier)
    answer = make_comment(video=top.video, parent=reply, author=make_fan())

    first, second = Notification.objects.order_by("created_at", "pk")
    assert (first.recipient, first.kind, first.actor, first.comment) == (
        top.author,
        "reply",
        replier,
        reply,
    )
    assert (second.recipient, second.comment) == (replier, answer)


def test_no_notification_for_replying_to_yourself_or_across_a_block():
    top = make_comment()
    make_comment(video=top.video, parent=top, author=top.author)
    blocked = make_fan()
    talk.block_create(blocker=top.author, blocked=blocked)
    make_comment(video=top.video, parent=top, author=blocked)
    blocker = make_fan()
    talk.block_create(blocker=blocker, blocked=top.author)
    make_comment(video=top.video, parent=top, author=blocker)
    assert not Notification.objects.exists()


def test_opening_the_page_reads_them_and_still_shows_which_were_new(client):
    video = make_video(title="Antifragile")
    top = make_comment(video=video)
    make_comment(video=video, parent=top, author=make_fan(username="yunjin"))
    talk.comment_hide(comment=top, moderator=make_staff())
    unrelated = make_comment()
    make_comment(video=unrelated.video, parent=unrelated)  # someone else's notification
    client.force_login(top.author)

    page = client.get(NOTIFICATIONS).content.decode()

    assert "yunjin replied to your comment on" in page
    assert "A moderator removed your comment on" in page
    assert "Antifragile" in page
    assert page.count('<span class="badge">New</span>') == 2  # new until this look
    assert "Mark all as read" not in page  # opening the page did it
    assert '<span class="visually-hidden"> unread</span>' not in page  # the header's count too
    assert not Notification.objects.filter(recipient=top.author, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=unrelated.author, read_at__isnull=True).exists()
    assert _render("{% unread_notifications %}", top.author)[0] == "0"

    again = client.get(NOTIFICATIONS).content.decode()
    assert '<span class="badge">New</span>' not in again
    assert "yunjin replied to your comment on" in again


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_notifications_page_query_budget(client, django_assert_max_num_queries, n):
    """Guards N+1: each notification names its video with its featured artists (credits)."""
    fan = make_fan(username="kazuha_fan")
    videos = make_videos(n, title=[f"Video {i:04}" for i in range(n)])
    guest = make_person(name="Guest Singer")
    make_credit(video=videos[-1], person=guest, role=Credit.Role.FEATURED)
    comments = Comment.objects.bulk_create(
        Comment(video=v, author=fan, body="Mine") for v in videos
    )
    actors = make_users(3)
    Notification.objects.bulk_create(
        Notification(recipient=fan, kind=Notification.Kind.REPLY, actor=actors[i % 3], comment=c)
        for i, c in enumerate(comments)
    )
    client.force_login(fan)
    client.get(reverse("community:alerts"))  # the header's alert count, cached from then on

    # session, notifications (with their actors, comments and videos), featured credits, marking
    # them read
    with django_assert_max_num_queries(4):
        page = client.get(NOTIFICATIONS).content.decode()

    assert page.count('class="notification notification-unread"') == min(n, 50)
    assert f"Video {n - 1:04} (feat. Guest Singer)" in page  # the newest first

    # Read now: nothing to mark (once the header's count is cached again)
    client.get(reverse("community:alerts"))
    with django_assert_max_num_queries(3):
        page = client.get(NOTIFICATIONS).content.decode()
    assert 'notification-unread"' not in page


def test_notifications_need_a_signed_in_fan(client):
    response = client.get(NOTIFICATIONS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.post(reverse("community:notifications-read")).status_code == 302


def test_following_a_notification_reads_it_and_lands_on_the_comment(client):
    top = make_comment()
    reply = make_comment(video=top.video, parent=top)
    other = make_comment(video=top.video, parent=top)
    first, second = Notification.objects.filter(recipient=top.author).order_by("pk")
    client.force_login(top.author)

    response = client.get(reverse("community:notification-open", args=[first.pk]))

    # A reply is read on its thread's own page (the video page shows only the first few),
    # the first one, scrolled to it: never a page of that reply alone.
    thread = reverse("community:comment-thread", args=[top.pk])
    assert response["Location"] == f"{thread}#comment-{reply.pk}"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None  # only the one followed
    assert _render("{% unread_notifications %}", top.author)[0] == "1"
    page = client.get(thread).content.decode()
    assert "2 replies" in page
    assert f'id="comment-{reply.pk}"' in page
    assert f'id="comment-{other.pk}"' in page


def test_a_notification_is_only_its_recipients_to_follow(client):
    top = make_comment()
    make_comment(video=top.video, parent=top)
    notification = Notification.objects.get()
    client.force_login(make_fan())
    url = reverse("community:notification-open", args=[notification.pk])
    assert client.get(url).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    client.logout()
    assert client.get(url)["Location"].startswith(reverse("login"))


def test_a_notification_whose_video_went_leads_back_to_the_list(client):
    top = make_comment()
    make_comment(video=top.video, parent=top)
    notification = Notification.objects.get()
    MusicVideo.objects.filter(pk=top.video_id).update(status=Status.DRAFT)
    client.force_login(top.author)
    response = client.get(
        reverse("community:notification-open", args=[notification.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == NOTIFICATIONS
    assert "no longer there" in response.content.decode()


def test_badge_costs_one_query_for_a_fan_and_none_for_a_visitor():
    top = make_comment()
    make_comment(video=top.video, parent=top)
    html, queries = _render("{% notifications_badge %}", top.author)
    assert queries == 1
    assert 'href="/notifications/"' in html
    assert '1<span class="visually-hidden"> unread</span>' in html
    html, queries = _render("{% notifications_badge %}", AnonymousUser())
    assert (html, queries) == ("", 0)


def test_moderation_notifications_are_worded_for_the_author(client):
    comment = make_comment()
    moderator = make_staff()
    talk.comment_hide(comment=comment, moderator=moderator)
    talk.comment_restore(comment=comment, moderator=moderator)
    client.force_login(comment.author)
    page = client.get(NOTIFICATIONS).content.decode()
    assert "A moderator removed your comment" in page
    assert "A moderator made your comment on" in page
