"""Comments and replies on the video page: posting, editing, deleting, likes, held comments,
keyset pages, the page's query budget, and exact counts under concurrent writers."""

import contextlib
import datetime
import random
import re
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import MusicVideo, Status
from community import avatars, threads
from community.models import Comment, CommentLike, CommentMoment, Profile
from community.services import talk
from community.threads import PAGE_SIZE, REPLIES_PAGE_SIZE, REPLIES_SHOWN
from tests.factories import make_profile, make_user, make_video

pytestmark = pytest.mark.django_db


def make_fan(**kwargs):
    """A fan who joined a while ago (brand-new accounts' links are held for review)."""
    kwargs.setdefault("date_joined", timezone.now() - datetime.timedelta(days=30))
    return make_user(**kwargs)


def make_comment(video=None, author=None, body="Love this one", parent=None):
    return talk.comment_create(
        author=author or make_fan(), video=video or make_video(), body=body, parent=parent
    )


def _page(client, video, **params):
    return client.get(video.get_absolute_url(), params).content.decode()


# ---- Posting and replying -----------------------------------------------------------------------


def test_fan_posts_a_comment_and_everyone_reads_it(client):
    video = make_video()
    fan = make_fan(username="kimchaewon")
    client.force_login(fan)

    response = client.post(
        reverse("community:comment-create", args=[video.slug]), {"body": "  Best bridge ever  "}
    )

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert (comment.author, comment.body, comment.status) == (fan, "Best bridge ever", "visible")
    video.refresh_from_db()
    assert video.comment_count == 1
    body = _page(Client(), video)
    assert "Best bridge ever" in body
    assert 'href="/u/kimchaewon/"' in body
    assert "1 comment" in body


def test_posting_replying_and_editing_land_on_the_comment_on_its_normal_page(client):
    video = make_video()
    older = [make_comment(video=video, body=f"Earlier {n}") for n in range(3)]
    fan = make_fan()
    client.force_login(fan)

    response = client.post(reverse("community:comment-create", args=[video.slug]), {"body": "Mine"})
    mine = Comment.objects.get(body="Mine")
    assert response["Location"] == f"{video.get_absolute_url()}#comment-{mine.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Back to the first comments" not in page
    assert _ids(page) == [mine.pk, *(c.pk for c in reversed(older))]  # the whole first page

    make_comment(video=video, parent=older[0], body="Someone else's reply")
    response = client.post(reverse("community:comment-reply", args=[older[0].pk]), {"body": "Me"})
    reply = Comment.objects.get(body="Me")
    thread = reverse("community:comment-thread", args=[older[0].pk])
    assert response["Location"] == f"{thread}#comment-{reply.pk}"
    page = client.get(thread).content.decode()
    assert "2 replies" in page
    assert len(_ids(page)) == 3  # the comment and both its replies

    response = client.post(reverse("community:comment-edit", args=[mine.pk]), {"body": "Mine!"})
    assert response["Location"] == f"{video.get_absolute_url()}#comment-{mine.pk}"


def test_fresh_talk_reads_just_now(client):
    video = make_video()
    comment = make_comment(video=video)
    page = _page(client, video)
    assert "just now" in page
    assert "0\xa0minutes" not in page
    assert "0 minutes" not in page

    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    client.force_login(make_fan())  # past the visitors' copy of the talk
    assert "5\xa0minutes ago" in _page(client, video)


def test_each_comment_shows_its_authors_avatar_uploaded_or_drawn(client):
    video = make_video()
    drawn = make_fan(username="kim_chaewon")
    pictured = make_fan(username="sakura")
    make_profile(user=drawn)
    make_profile(user=pictured)
    # As an upload leaves it (saving a profile derives the small picture from the upload).
    Profile.objects.filter(user=pictured).update(
        avatar_small="community/avatars/small/2026/12/sakura.webp"
    )
    make_comment(video=video, author=drawn, body="Drawn")
    make_comment(video=video, author=pictured, body="Pictured")

    page = _page(client, video)

    drawn_article = _article(page, "Drawn")
    assert '<svg class="avatar avatar-generated"' in drawn_article
    assert ">KC</text>" in drawn_article
    assert avatars.colour("kim_chaewon") in drawn_article
    assert 'src="/media/community/avatars/small/2026/12/sakura.webp"' in _article(page, "Pictured")
    assert "style=" not in page.split('id="comments"')[1]  # the strict CSP allows none
    # The same fan always gets the same picture, whatever the case of their name.
    assert avatars.generated_svg("Kim_Chaewon") == avatars.generated_svg("kim_chaewon")
    assert avatars.colour("hana") != avatars.colour("minji") or avatars.colour(
        "hana"
    ) != avatars.colour("yunjin")


def _article(page, text):
    articles = re.findall(r'<article id="comment-\d+".*?</article>', page, re.S)
    return next(article for article in articles if text in article)


def test_report_and_block_sit_under_a_menu_and_a_report_shows_as_reported(client):
    video = make_video()
    theirs = make_comment(video=video, body="Theirs")
    fan = make_fan()
    client.force_login(fan)

    actions = _actions(_page(client, video), theirs)
    menu = actions[actions.index('<details class="comment-menu">') :]
    assert "More actions" in menu
    assert f'action="/comments/{theirs.pk}/report/"' in menu
    assert "Block this fan" in menu
    assert "Block this fan" not in actions[: actions.index('<details class="comment-menu">')]

    response = client.post(
        reverse("community:comment-report", args=[theirs.pk]), {"reason": "spam"}
    )
    assert response["Location"] == f"{video.get_absolute_url()}#comment-{theirs.pk}"
    actions = _actions(_page(client, video), theirs)
    assert "Reported" in actions
    assert f'action="/comments/{theirs.pk}/report/"' not in actions
    assert "Block this fan" in actions  # still on offer


def test_fans_cannot_like_their_own_comments(client):
    video = make_video()
    fan = make_fan()
    mine = make_comment(video=video, author=fan)
    client.force_login(fan)

    assert f'action="/comments/{mine.pk}/like/"' not in _actions(_page(client, video), mine)
    response = client.post(reverse("community:comment-like", args=[mine.pk]), follow=True)

    assert "like your own comment" in response.content.decode()
    mine.refresh_from_db()
    assert mine.like_count == 0
    assert not CommentLike.objects.exists()
    with pytest.raises(ValidationError):
        talk.comment_like(user=fan, comment=mine)


def test_the_like_button_carries_its_count(client):
    video = make_video()
    theirs = make_comment(video=video)
    talk.comment_like(user=make_fan(), comment=theirs)
    client.force_login(make_fan())
    actions = _actions(_page(client, video), theirs)
    button = re.search(r'<button type="submit" class="like-button".*?</button>', actions).group()
    assert "1 like" in button
    assert '<span class="visually-hidden">Like: </span>' in button
    assert actions.count("1 like") == 1  # no second count beside it


def test_a_reply_to_a_reply_joins_the_top_level_thread(client):
    video = make_video()
    top = make_comment(video=video, body="Top")
    first = make_comment(video=video, parent=top, body="First reply")
    client.force_login(make_fan())

    client.post(reverse("community:comment-reply", args=[first.pk]), {"body": "Second reply"})

    second = Comment.objects.get(body="Second reply")
    assert second.parent == top
    top.refresh_from_db()
    video.refresh_from_db()
    assert (top.reply_count, video.comment_count) == (2, 3)
    body = _page(client, video)
    assert body.index("Top") < body.index("First reply") < body.index("Second reply")


@pytest.mark.parametrize("username", ["kim.chaewon+1", "sakura@hkt", "허윤진", "宮脇咲良"])
@pytest.mark.parametrize("prefix", ["", "/ko", "/ja"])
def test_each_comment_links_its_author_in_the_pages_language(client, username, prefix):
    video = make_video()
    make_comment(video=video, author=make_fan(username=username))
    fan = make_fan()
    make_comment(video=video, author=fan, body="Edited later")
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Comment.objects.update(created_at=hour_ago)
    Comment.objects.filter(author=fan).update(edited_at=hour_ago)

    page = client.get(prefix + video.get_absolute_url()).content.decode()

    with translation.override(prefix.strip("/") or "en"):
        profile = reverse("community:profile", args=[username])
    assert f'href="{profile}"' in page
    assert "/u/" in profile
    assert profile.startswith(prefix + "/")
    ago = {"": "ago", "/ko": "전", "/ja": "前"}[prefix]
    edited = {"": "edited", "/ko": "수정", "/ja": "編集"}[prefix]
    assert page.count(ago) >= 2
    assert edited in page


def test_visitors_are_sent_to_log_in_and_nothing_changes(client):
    comment = make_comment(body="Original")
    video = comment.video
    urls = [
        reverse("community:comment-create", args=[video.slug]),
        reverse("community:comment-reply", args=[comment.pk]),
        reverse("community:comment-edit", args=[comment.pk]),
        reverse("community:comment-delete", args=[comment.pk]),
        reverse("community:comment-like", args=[comment.pk]),
    ]
    for url in urls:
        response = client.post(url, {"body": "Sneaky"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    comment.refresh_from_db()
    assert comment.body == "Original"
    assert Comment.objects.count() == 1
    assert "Log in to join the conversation" in _page(client, video)


def test_drafts_and_unknown_videos_take_no_comments(client):
    draft = make_video(status=Status.DRAFT)
    client.force_login(make_fan())
    assert (
        client.post(
            reverse("community:comment-create", args=[draft.slug]), {"body": "Hi"}
        ).status_code
        == 404
    )
    assert client.post("/videos/nope/comments/", {"body": "Hi"}).status_code == 404
    assert not Comment.objects.exists()


def test_posting_needs_csrf():
    video = make_video()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_fan())
    url = reverse("community:comment-create", args=[video.slug])
    assert client.post(url, {"body": "Hi"}).status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body", ["", "   \n\t  "])
def test_empty_body_rerenders_the_form_with_the_problem(client, body):
    video = make_video()
    client.force_login(make_fan())
    response = client.post(reverse("community:comment-create", args=[video.slug]), {"body": body})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Write something first." in page
    assert "<html" in page  # the full page, not a fragment
    assert not Comment.objects.exists()


def test_too_long_a_comment_is_refused_with_the_text_kept(client):
    video = make_video()
    client.force_login(make_fan())
    body = "Fearless " * 333 + "ending"  # 3,003 characters
    assert len(body) > Comment.MAX_LENGTH
    response = client.post(reverse("community:comment-create", args=[video.slug]), {"body": body})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Keep it to 3000 characters" in page
    assert body in page
    assert not Comment.objects.exists()


def test_more_than_three_links_are_refused_with_the_text_kept(client):
    video = make_video()
    client.force_login(make_fan())
    body = " ".join(f"https://example.com/{n}" for n in range(4))
    response = client.post(reverse("community:comment-create", args=[video.slug]), {"body": body})
    page = response.content.decode()
    assert response.status_code == 400
    assert "A comment can have at most 3 links." in page
    assert body in page
    assert not Comment.objects.exists()
    three = " ".join(f"https://example.com/{n}" for n in range(3))
    assert make_comment(video=video, body=three).status == "visible"


def test_suspended_fan_reads_but_cannot_post(client):
    video = make_video()
    other = make_comment(video=video, body="Someone else's")
    fan = make_fan(suspended_at=timezone.now(), suspension_reason="Spam")
    client.force_login(fan)

    page = _page(client, video)
    assert "Someone else&#x27;s" in page
    assert "you can read, but not post" in page
    assert f'action="{reverse("community:comment-create", args=[video.slug])}"' not in page

    response = client.post(
        reverse("community:comment-create", args=[video.slug]), {"body": "Let me in"}
    )
    assert response.status_code == 403
    assert "Your account is suspended" in response.content.decode()
    response = client.post(reverse("community:comment-reply", args=[other.pk]), {"body": "Hi"})
    assert response.status_code == 403
    assert Comment.objects.count() == 1


def test_a_fan_who_has_not_confirmed_their_email_reads_but_cannot_post(client):
    video = make_video()
    make_comment(video=video, body="Readable")
    client.force_login(make_fan(email_verified=False))
    page = _page(client, video)
    assert "Readable" in page
    assert "Confirm your e-mail to comment" in page
    response = client.post(
        reverse("community:comment-create", args=[video.slug]), {"body": "Hello"}
    )
    assert response.status_code == 403
    assert Comment.objects.count() == 1


def test_comment_writes_are_rate_limited(client, monkeypatch):
    from community import ratelimit

    monkeypatch.setitem(ratelimit.WRITE_LIMITS, "comment", ratelimit.Limit("comment", 2, 60))
    video = make_video()
    client.force_login(make_fan())
    url = reverse("community:comment-create", args=[video.slug])
    for n in range(2):
        assert client.post(url, {"body": f"Comment {n}"}).status_code == 302
    assert client.post(url, {"body": "One too many"}).status_code == 429
    assert Comment.objects.count() == 2


# ---- Held for review ----------------------------------------------------------------------------


def test_a_new_accounts_link_waits_for_a_moderator(client):
    video = make_video()
    newcomer = make_user()  # joined just now
    client.force_login(newcomer)

    response = client.post(
        reverse("community:comment-create", args=[video.slug]),
        {"body": "Free tickets at https://spam.example/win"},
        follow=True,
    )

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    page = response.content.decode()
    assert "Your comment is waiting for a moderator" in page
    assert "Waiting for a moderator: only you can see this comment" in page
    video.refresh_from_db()
    assert video.comment_count == 0
    assert "spam.example" not in _page(Client(), video)
    client.force_login(make_fan())
    assert "spam.example" not in _page(client, video)


def test_links_are_not_held_for_known_fans():
    video = make_video()
    assert make_comment(video=video, body="https://example.com").status == "visible"
    newcomer = make_user()
    assert make_comment(video=video, author=newcomer, body="No link").status == "visible"
    for _ in range(2):
        make_comment(video=video, author=newcomer)
    # Three visible comments vouch for a new account.
    later = make_comment(video=video, author=newcomer, body="https://x.example")
    assert later.status == "visible"


def test_a_new_account_editing_a_link_in_is_held_again():
    video = make_video()
    comment = make_comment(video=video, author=make_user(), body="No link yet")
    talk.comment_edit(comment=comment, editor=comment.author, body="Now https://spam.example")
    comment.refresh_from_db()
    video.refresh_from_db()
    assert comment.status == "held"
    assert video.comment_count == 0


# ---- Editing and deleting -----------------------------------------------------------------------


def test_author_edits_and_the_comment_is_marked_edited(client):
    comment = make_comment(body="Frist")
    client.force_login(comment.author)
    url = reverse("community:comment-edit", args=[comment.pk])
    assert "Frist" in client.get(url).content.decode()

    response = client.post(url, {"body": "First!"})

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "First!"
    assert comment.edited_at is not None
    page = _page(client, comment.video)
    assert "First!" in page
    assert "edited" in page


def test_another_fan_cannot_edit_or_delete_and_nothing_changes(client):
    comment = make_comment(body="Mine")
    client.force_login(make_fan())
    for name in ("comment-edit", "comment-delete"):
        url = reverse(f"community:{name}", args=[comment.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "Yours now"}).status_code == 404
    before = (comment.body, comment.status, comment.edited_at)
    comment.refresh_from_db()
    assert (comment.body, comment.status, comment.edited_at) == before
    assert Comment.objects.count() == 1


def test_deleting_a_comment_without_replies_removes_it(client):
    comment = make_comment()
    video = comment.video
    client.force_login(comment.author)
    assert (
        "gone for good"
        in client.get(reverse("community:comment-delete", args=[comment.pk])).content.decode()
    )

    client.post(reverse("community:comment-delete", args=[comment.pk]))

    assert not Comment.objects.exists()
    video.refresh_from_db()
    assert video.comment_count == 0


def test_deleting_a_comment_with_replies_keeps_the_thread(client):
    top = make_comment(body="Secret opinion")
    video = top.video
    reply = make_comment(video=video, parent=top, body="Agreed")
    client.force_login(top.author)

    client.post(reverse("community:comment-delete", args=[top.pk]))

    top.refresh_from_db()
    video.refresh_from_db()
    assert (top.status, top.body) == ("deleted", "")
    assert video.comment_count == 1
    page = _page(Client(), video)
    assert "This comment was deleted." in page
    assert "Secret opinion" not in page
    assert "Agreed" in page

    # The placeholder goes with its last reply.
    client.force_login(reply.author)
    response = client.post(reverse("community:comment-delete", args=[reply.pk]))
    assert response["Location"] == f"{video.get_absolute_url()}#comments"
    assert not Comment.objects.exists()
    video.refresh_from_db()
    assert video.comment_count == 0


def test_deleting_a_reply_updates_the_reply_count(client):
    top = make_comment()
    reply = make_comment(video=top.video, parent=top)
    client.force_login(reply.author)
    response = client.post(reverse("community:comment-delete", args=[reply.pk]))
    # The fan is back on the thread, which lives on.
    assert response["Location"] == reverse("community:comment-thread", args=[top.pk])
    top.refresh_from_db()
    assert top.reply_count == 0
    assert Comment.objects.get() == top


def test_a_deleted_account_leaves_a_deleted_fan(client):
    comment = make_comment(body="Still here")
    comment.author.delete()
    page = _page(client, comment.video)
    assert "Still here" in page
    assert "a deleted fan" in page


def test_comments_are_signed_with_the_fans_name_and_link_to_their_profile(client):
    video = make_video()
    named = make_fan(username="chaewon")
    make_profile(named, display_name="Chae <3")
    plain = make_fan(username="hong")
    top = make_comment(video=video, author=named, body="The bridge!")
    make_comment(video=video, author=plain, body="Agreed", parent=top)

    page = _page(client, video)
    thread = client.get(reverse("community:comment-thread", args=[top.pk])).content.decode()

    for html in (page, thread):
        assert '<a href="/u/chaewon/">Chae &lt;3</a>' in html
        assert '<a href="/u/hong/">hong</a>' in html


def test_a_curators_save_does_not_overwrite_the_comment_count():
    video = make_video()
    stale = MusicVideo.objects.get(pk=video.pk)
    make_comment(video=video)
    stale.title = "Renamed"
    stale.save()
    video.refresh_from_db()
    assert (video.title, video.comment_count) == ("Renamed", 1)


# ---- Likes --------------------------------------------------------------------------------------


def test_a_fan_likes_once_and_can_take_it_back(client):
    comment = make_comment()
    client.force_login(make_fan())
    like = reverse("community:comment-like", args=[comment.pk])
    client.post(like)
    client.post(like)
    comment.refresh_from_db()
    assert comment.like_count == 1
    assert CommentLike.objects.count() == 1
    assert 'aria-pressed="true"' in _page(client, comment.video)

    client.post(reverse("community:comment-unlike", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.like_count == 0
    assert not CommentLike.objects.exists()


def _actions(page, comment):
    """The buttons and forms under one comment of a page."""
    article = re.search(rf'<article id="comment-{comment.pk}".*?</article>', page, re.S).group()
    return article[article.index('class="comment-actions"') :]


def test_each_fan_gets_the_buttons_that_are_theirs_with_a_working_csrf_token():
    video = make_video()
    mine_author, other_author = make_fan(), make_fan(username="chaewon_fan")
    mine = make_comment(video=video, author=mine_author, body="Mine")
    theirs = make_comment(video=video, author=other_author, body="Theirs")
    client = Client(enforce_csrf_checks=True)
    client.force_login(mine_author)
    page = _page(client, video)

    own, other = _actions(page, mine), _actions(page, theirs)
    assert f'href="/comments/{mine.pk}/edit/"' in own
    assert f'href="/comments/{mine.pk}/delete/"' in own
    assert "Report" not in own
    assert "Block this fan" not in own
    assert f'action="/comments/{theirs.pk}/report/"' in other
    assert 'action="/u/chaewon_fan/block/"' in other
    assert "edit/" not in other
    assert 'aria-pressed="false"' in other
    assert "aria-pressed" not in own  # fans don't like their own comments: the count alone
    assert "0 likes" in own
    for actions in (own, other):
        assert "Post reply" in actions

    # The page's token, in every form, is accepted.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', other).group(1)
    like = reverse("community:comment-like", args=[theirs.pk])
    assert client.post(like, {"csrfmiddlewaretoken": token}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.like_count == 1
    assert 'aria-pressed="true"' in _actions(_page(client, video), theirs)

    # Suspended: no liking, replying or reporting, but blocking and their own still there.
    mine_author.suspended_at = timezone.now()
    mine_author.save()
    page = _page(client, video)
    own, other = _actions(page, mine), _actions(page, theirs)
    assert "Post reply" not in own + other
    assert "Report" not in other
    assert "Block this fan" in other
    assert "Delete" in own


def test_most_liked_sort(client):
    video = make_video()
    quiet = make_comment(video=video, body="Quiet one")
    loved = make_comment(video=video, body="Loved one")
    for _ in range(2):
        talk.comment_like(user=make_fan(), comment=loved)
    talk.comment_like(user=make_fan(), comment=quiet)
    make_comment(video=video, body="Newest one")

    liked = _page(client, video, sort="liked")
    assert liked.index("Loved one") < liked.index("Quiet one") < liked.index("Newest one")
    assert "2 likes" in liked
    newest_first = _page(client, video)
    assert newest_first.index("Newest one") < newest_first.index("Loved one")


# ---- Pages of a long thread ---------------------------------------------------------------------


def _walk(client, video, sort):
    """Follow "Show more" to the end; the comment ids of every page, in order."""
    seen, params, pages = [], {"sort": sort}, 0
    while True:
        page = _page(client, video, **params)
        seen += [int(pk) for pk in re.findall(r'<article id="comment-(\d+)"', page)]
        pages += 1
        more = re.search(r'href="\?sort=\w+&amp;after=([\w-]+)#comments"', page)
        if not more:
            return seen, pages
        params = {"sort": sort, "after": more.group(1)}


@pytest.mark.parametrize("sort", ["newest", "oldest", "liked"])
def test_keyset_pages_have_no_duplicates_or_gaps(client, sort):
    video = make_video()
    fans = [make_fan() for _ in range(3)]
    comments = [make_comment(video=video, author=fans[n % 3]) for n in range(2 * PAGE_SIZE + 5)]
    # Ties everywhere: the id alone must keep pages apart.
    same_time = timezone.now() - datetime.timedelta(hours=1)
    Comment.objects.filter(pk__in=[c.pk for c in comments[10:30]]).update(created_at=same_time)
    likers = [make_fan() for _ in range(2)]  # fans don't like their own comments
    for comment in comments[::4]:
        talk.comment_like(user=likers[0], comment=comment)
    for comment in comments[::8]:
        talk.comment_like(user=likers[1], comment=comment)

    seen, pages = _walk(client, video, sort)

    order = {
        "newest": ("-created_at", "-pk"),
        "oldest": ("created_at", "pk"),
        "liked": ("-like_count", "-pk"),
    }[sort]
    expected = list(
        Comment.objects.filter(video=video).order_by(*order).values_list("pk", flat=True)
    )
    assert seen == expected
    assert pages == 3


def test_a_malformed_cursor_is_a_404(client):
    """A cursor we never handed out names no page: a 404, and nothing of it reaches the
    database (tests/test_query_params.py has the forged ones)."""
    video = make_video()
    make_comment(video=video, body="Still shown")
    for after in ("garbage", "bmV3ZXN0fm5vdC1hLWRhdGV-MQ", "%%%"):
        response = client.get(video.get_absolute_url(), {"after": after})
        assert response.status_code == 404


def test_after_posting_a_reply_the_fan_lands_on_its_thread(client):
    video = make_video()
    old = make_comment(video=video, body="An old thread")
    for _ in range(PAGE_SIZE + 2):
        make_comment(video=video, body="Newer talk")
    client.force_login(make_fan())
    response = client.post(
        reverse("community:comment-reply", args=[old.pk]), {"body": "Reviving it"}, follow=True
    )
    page = response.content.decode()
    assert "An old thread" in page
    assert "Reviving it" in page


# ---- Long threads: the first replies on the video page, all of them on the thread's page ---------


def _replies(top, n, author=None):
    """n replies to top, oldest first a second apart, with top.reply_count and the video's count
    kept as the services keep them (bulk: a thread of thousands in a blink)."""
    author = author or make_fan()
    start = timezone.now() - datetime.timedelta(days=1)
    replies = Comment.objects.bulk_create(
        Comment(video=top.video, parent=top, author=author, body=f"Reply {i}") for i in range(n)
    )
    for i, reply in enumerate(replies):
        reply.created_at = start + datetime.timedelta(seconds=i)
    Comment.objects.bulk_update(replies, ["created_at"])
    Comment.objects.filter(pk=top.pk).update(reply_count=F("reply_count") + n)
    MusicVideo.objects.filter(pk=top.video_id).update(comment_count=F("comment_count") + n)
    top.refresh_from_db()
    return replies


def _ids(page):
    return [int(pk) for pk in re.findall(r'<article id="comment-(\d+)"', page)]


def test_the_video_page_shows_the_first_replies_and_links_the_rest(client):
    video = make_video()
    busy = make_comment(video=video, body="A busy thread")
    quiet = make_comment(video=video, body="A quiet thread")
    busy_replies = _replies(busy, REPLIES_SHOWN + 4)
    quiet_replies = _replies(quiet, REPLIES_SHOWN)

    page = _page(client, video)

    shown = _ids(page)
    assert [r.pk for r in busy_replies[:REPLIES_SHOWN]] == [
        pk for pk in shown if pk in {r.pk for r in busy_replies}
    ]
    assert all(r.pk in shown for r in quiet_replies)
    thread = reverse("community:comment-thread", args=[busy.pk])
    assert f'<a href="{thread}">See the whole thread ({REPLIES_SHOWN + 4} replies)</a>' in page
    assert reverse("community:comment-thread", args=[quiet.pk]) not in page


def test_oldest_first_costs_the_same_whatever_the_threads_sizes(client):
    """The oldest threads gather the replies; a page shows at most REPLIES_SHOWN of each."""
    video = make_video()
    tops = [make_comment(video=video, body=f"Thread {n}") for n in range(PAGE_SIZE + 1)]
    for top in tops[:3]:
        _replies(top, 300)
    client.get(video.get_absolute_url())

    with CaptureQueriesContext(connection) as big:
        page = _page(client, video, sort="oldest")
    assert len(_ids(page)) == PAGE_SIZE + 3 * REPLIES_SHOWN
    assert page.count("See the whole thread (300 replies)") == 3

    small = make_video()
    for n in range(PAGE_SIZE + 1):
        _replies(make_comment(video=small, body=f"Thread {n}"), 1)
    client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        _page(client, small, sort="oldest")
    assert len(big) == len(few)


def _walk_replies(client, top):
    """Follow the thread page's "Show more replies" to the end: reply ids, pages."""
    url, seen, pages = reverse("community:comment-thread", args=[top.pk]), [], 0
    params = {}
    while True:
        response = client.get(url, params)
        assert response.status_code == 200
        page = response.content.decode()
        ids = _ids(page)
        assert ids[0] == top.pk  # every page starts with the comment replied to
        seen += ids[1:]
        pages += 1
        more = re.search(r'rel="next" href="\?after=([\w-]+)"', page)
        if not more:
            return seen, pages
        params = {"after": more.group(1)}


def test_the_thread_page_reads_every_reply_in_keyset_pages_without_javascript(client):
    top = make_comment(body="Where it started")
    replies = _replies(top, 2 * REPLIES_PAGE_SIZE + 5)
    # Ties: the id alone must keep pages apart.
    same_time = replies[40].created_at
    Comment.objects.filter(pk__in=[r.pk for r in replies[40:60]]).update(created_at=same_time)

    seen, pages = _walk_replies(client, top)

    assert seen == [r.pk for r in replies]
    assert pages == 3
    page = client.get(reverse("community:comment-thread", args=[top.pk])).content.decode()
    assert "Where it started" in page
    assert f"{len(replies)} replies" in page
    back = reverse("community:comment-go", args=[top.pk])  # back to the video's talk
    assert f'href="{back}"' in page
    assert client.get(back)["Location"] == f"{top.video.get_absolute_url()}#comment-{top.pk}"


def test_a_reply_is_found_on_the_page_of_its_thread_that_holds_it(client):
    top = make_comment(body="Top")
    replies = _replies(top, 2 * REPLIES_PAGE_SIZE + 10)
    thread = reverse("community:comment-thread", args=[top.pk])

    early = replies[3]
    assert threads.comment_url(early, AnonymousUser()) == f"{thread}#comment-{early.pk}"

    late = replies[REPLIES_PAGE_SIZE + 5]
    url = threads.comment_url(late, AnonymousUser())
    assert url.startswith(thread + "?after=")
    assert url.endswith(f"#comment-{late.pk}")
    page = client.get(url).content.decode()
    # The second page as "Show more replies" reaches it, not a page starting at the reply.
    assert _ids(page)[1:] == [r.pk for r in replies[REPLIES_PAGE_SIZE : 2 * REPLIES_PAGE_SIZE]]
    show_more = _walk_pages(client, thread)[1]
    assert url.split("#")[0] == f"{thread}?after={show_more}"
    # The thread page of a reply, and the link lists use, lead to the same place.
    for link in (thread_of(late), reverse("community:comment-go", args=[late.pk])):
        response = client.get(link)
        assert response.status_code == 302
        assert response["Location"] == url


def thread_of(comment):
    return reverse("community:comment-thread", args=[comment.pk])


def _walk_pages(client, thread):
    """The `after` of each page "Show more replies" reaches, the first one's being ""."""
    afters, params = [""], {}
    while True:
        page = client.get(thread, params).content.decode()
        more = re.search(r'rel="next" href="\?after=([\w-]+)"', page)
        if not more:
            return afters
        afters.append(more.group(1))
        params = {"after": more.group(1)}


def test_a_top_level_comment_is_found_on_the_video_page_that_holds_it(client):
    video = make_video()
    comments = [make_comment(video=video, body=f"Comment {n}") for n in range(PAGE_SIZE + 5)]
    newest, oldest = comments[-1], comments[0]  # newest first: the oldest is on page two
    assert threads.comment_url(newest, AnonymousUser()) == (
        f"{video.get_absolute_url()}#comment-{newest.pk}"
    )
    url = threads.comment_url(oldest, AnonymousUser())
    page = client.get(url).content.decode()
    assert 'rel="next"' not in page
    assert "Back to the first comments" in page
    assert _ids(page) == [c.pk for c in reversed(comments[:5])]  # the whole second page


def test_the_thread_page_hides_what_the_viewer_may_not_see(client):
    draft_top = make_comment(body="On a draft")
    MusicVideo.objects.filter(pk=draft_top.video_id).update(status=Status.DRAFT)
    held = make_comment(author=make_user(), body="Spam at https://spam.example")
    assert held.status == "held"
    for comment in (draft_top, held):
        url = reverse("community:comment-thread", args=[comment.pk])
        assert client.get(url).status_code == 404
    assert client.get(reverse("community:comment-thread", args=[999999])).status_code == 404
    client.force_login(held.author)  # its author sees it
    assert client.get(reverse("community:comment-thread", args=[held.pk])).status_code == 200


@pytest.mark.parametrize("n_replies", [10, 1000])
def test_thread_page_query_budget(client, django_assert_max_num_queries, n_replies):
    top = make_comment()
    fans = [make_fan() for _ in range(3)]
    for reply in _replies(top, n_replies)[:30:3]:
        talk.comment_like(user=fans[0], comment=reply)
    url = reverse("community:comment-thread", args=[top.pk])
    client.get(url)
    # the comment, its replies, the video's credits (title)
    with django_assert_max_num_queries(3):
        page = client.get(url).content.decode()
    assert len(_ids(page)) == 1 + min(n_replies, REPLIES_PAGE_SIZE)
    client.force_login(fans[0])
    client.get(url)
    # + session, unread notifications (the fan: kept)
    with django_assert_max_num_queries(5):
        page = client.get(url).content.decode()
    assert 'aria-pressed="true"' in page


def _crowd(video, n):
    """n top-level comments by a few fans, a third with a reply and the newest with n // 4 (a
    long thread on the first page), some liked and citing moments."""
    fans = [make_fan() for _ in range(4)]
    tops = Comment.objects.bulk_create(
        Comment(video=video, author=fans[i % 4], body=f"Comment {i} at 1:{i % 60:02}")
        for i in range(n)
    )
    replies = Comment.objects.bulk_create(
        Comment(video=video, author=fans[(i + 1) % 4], parent=top, body="A reply")
        for i, top in enumerate(tops[::3] + [tops[-1]] * (n // 4))
    )
    CommentLike.objects.bulk_create(
        CommentLike(user=fans[0], comment=c) for c in tops[::2] + replies[::2]
    )
    CommentMoment.objects.bulk_create(
        CommentMoment(comment=c, video=video, seconds=60 + i % 60) for i, c in enumerate(tops)
    )
    MusicVideo.objects.filter(pk=video.pk).update(comment_count=len(tops) + len(replies))
    return fans


def _queries(client, url):
    client.get(url)  # content types and the like are cached per process after the first request
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("n_comments", [10, 1000])
def test_video_page_query_budget(client, settings, django_assert_max_num_queries, n_comments):
    """Guards N+1: the talk costs the same few queries with 10 and 1,000 comments and their
    replies (comments, replies, moments) on top of the page without talk, whatever that costs;
    and the page shows at most REPLIES_SHOWN replies of each thread, however long."""
    settings.PAGE_CACHE_SECONDS = 0  # the page as rendered, not as the page cache serves it
    video = make_video(youtube_id="4vbDFu0PUew")
    fans = _crowd(video, n_comments)
    quiet = make_video(youtube_id="pyf8cbqyfPs").get_absolute_url()
    url = video.get_absolute_url()

    without_talk = _queries(client, quiet)  # a visitor on a video nobody talked about: no talk
    client.get(url)
    with django_assert_max_num_queries(without_talk + 3):
        page = client.get(url).content.decode()
    articles = page.count('<article id="comment-')
    assert min(n_comments, PAGE_SIZE) < articles <= PAGE_SIZE * (1 + REPLIES_SHOWN)

    client.force_login(fans[1])
    signed_in_quiet = _queries(client, quiet)  # has the 1 comments query (a fan's held ones)
    client.get(url)
    with django_assert_max_num_queries(signed_in_quiet + 2):
        page = client.get(url, {"sort": "liked"}).content.decode()
    assert "Most-cited moments" in page
    assert 'aria-pressed="true"' not in page  # fans[1] liked nothing


def test_a_visitor_on_a_quiet_video_costs_no_talk_queries(client):
    video = make_video()
    client.get(video.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        page = client.get(video.get_absolute_url()).content.decode()
    assert "No comments yet" in page
    assert not [q for q in queries if "community_" in q["sql"]]


# ---- Concurrency --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
def test_concurrent_posts_replies_and_deletes_leave_an_exact_count():
    video = make_video()
    fans = [make_fan() for _ in range(4)]
    make_comment(video=video, author=fans[0])  # something to reply to from the start
    errors = []
    start = threading.Barrier(8)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for _ in range(30):
                fan = rng.choice(fans)
                mine = list(
                    Comment.objects.filter(video=video, author=fan).exclude(status="deleted")
                )
                roll = rng.random()
                if roll < 0.3 and mine:
                    with contextlib.suppress(Comment.DoesNotExist):  # deleted by another thread
                        talk.comment_delete(comment=rng.choice(mine), user=fan)
                else:
                    parents = list(
                        Comment.objects.filter(video=video, status="visible").order_by("?")[:1]
                    )
                    parent = parents[0] if parents and roll < 0.7 else None
                    # The thread may be deleted while the fan replies to it.
                    with contextlib.suppress(Comment.DoesNotExist, ValidationError):
                        talk.comment_create(author=fan, video=video, body="Hi", parent=parent)
        except Exception as error:  # surfaced below; a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    video.refresh_from_db()
    assert video.comment_count == talk.comment_recount(video)
    for top in Comment.objects.filter(video=video, parent=None):
        assert top.reply_count == talk.reply_recount(top)


def test_each_page_of_talk_reads_its_own_video_viewer_and_position():
    # The page's queries are compiled once per shape (community.threads._compiled): every run
    # must read its own video, viewer and cursor, never those it was compiled with.
    first, second = make_video(), make_video()
    ours = [make_comment(video=first, body=f"first {n}") for n in range(PAGE_SIZE + 2)]
    make_comment(video=second, body="second only")
    fan, other = make_user(), make_user()
    mine = make_comment(video=first, author=fan, body="mine")
    mine.status = Comment.Status.HELD
    mine.save()
    first.refresh_from_db()
    second.refresh_from_db()
    for viewer in (AnonymousUser(), fan, other):
        page = threads.thread_page(first, viewer, sort="oldest")
        bodies = [comment.body for comment in page.comments]
        assert bodies == [comment.body for comment in ours[:PAGE_SIZE]]
        rest = threads.thread_page(first, viewer, sort="oldest", after=page.next_cursor)
        shown = [comment.body for comment in rest.comments]
        expected = [f"first {PAGE_SIZE}", f"first {PAGE_SIZE + 1}"]
        assert shown == [*expected, *(["mine"] if viewer == fan else [])]
        assert [c.body for c in threads.thread_page(second, viewer).comments] == ["second only"]
