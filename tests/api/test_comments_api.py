"""Comments through the API: the thread as the video page shows it, in cursor pages, and fans'
writes through community.services.talk (posting, replying, editing, deleting, likes, reports).

As elsewhere in the API: an anonymous client is asked to sign in (401), another fan's comment is
a 403 to change, and a comment the fan can't see is a 404."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from catalog.models import Status
from community.models import Block, Comment, CommentLike, Report
from community.services import talk
from tests.api.conftest import ApiClient, make_token
from tests.factories import BUDGET_ROWS, make_user, make_video

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def make_fan(**kwargs):
    """A fan who joined a while ago (brand-new accounts' links are held for review)."""
    kwargs.setdefault("date_joined", timezone.now() - datetime.timedelta(days=30))
    return make_user(**kwargs)


def make_comment(video, author=None, body="Love this one", parent=None):
    return talk.comment_create(author=author or make_fan(), video=video, body=body, parent=parent)


def _errors(response) -> dict[str, list[str]]:
    assert response["Content-Type"] == "application/json"
    return response.json()["errors"]


@pytest.fixture
def fan():
    return make_fan(username="fearnot")


@pytest.fixture
def as_fan(fan) -> ApiClient:
    return ApiClient(make_token(fan))


@pytest.fixture
def video():
    return make_video(slug="easy")


def _url(video) -> str:
    return f"{V1}/videos/{video.slug}/comments/"


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [comment["id"] for comment in response.json()["results"]]


def _relative(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


# ---- Reading ------------------------------------------------------------------------------------


def test_anyone_reads_the_thread_with_replies_oldest_first(api, video):
    author = make_fan(username="chaewon_fan")
    top = make_comment(video, author, body="The key change at 2:47! And 0:15.")
    first = make_comment(video, body="Yes!", parent=top)
    second = make_comment(video, body="So good", parent=top)
    newer = make_comment(video, body="<b>not bold</b>")

    response = api.get(_url(video))

    assert response.status_code == 200
    page = response.json()
    assert (page["next"], page["previous"]) == (None, None)
    assert _ids(response) == [newer.pk, top.pk]
    row = page["results"][1]
    assert row["author"] == {"username": "chaewon_fan", "display_name": "chaewon_fan"}
    assert row["body"] == "The key change at 2:47! And 0:15."
    assert row["moments"] == [15, 167]
    assert (row["reply_count"], row["like_count"], row["parent"]) == (2, 0, None)
    assert (row["liked_by_me"], row["is_mine"], row["status"]) == (None, False, "visible")
    assert [reply["id"] for reply in row["replies"]] == [first.pk, second.pk]
    assert row["replies"][0]["parent"] == top.pk
    assert row["more_replies"] is False
    assert page["results"][0]["body"] == "<b>not bold</b>"  # plain text: clients render it


def test_a_long_thread_shows_its_first_replies_and_pages_the_rest(api, video):
    top = make_comment(video, body="Best bridge?")
    replies = [make_comment(video, body=f"Reply {n}", parent=top) for n in range(5)]
    alone = make_comment(video, body="No replies")

    rows = {row["id"]: row for row in api.get(_url(video)).json()["results"]}

    assert [reply["body"] for reply in rows[top.pk]["replies"]] == ["Reply 0", "Reply 1", "Reply 2"]
    assert (rows[top.pk]["more_replies"], rows[top.pk]["reply_count"]) == (True, 5)
    assert (rows[alone.pk]["replies"], rows[alone.pk]["more_replies"]) == ([], False)

    seen, link = [], f"{V1}/comments/{top.pk}/replies/?page_size=2"
    while link:
        response = api.get(link)
        seen += _ids(response)
        link = response.json()["next"] and _relative(response.json()["next"])
    assert seen == [reply.pk for reply in replies]
    back = api.get(
        _relative(api.get(f"{V1}/comments/{top.pk}/replies/?page_size=2").json()["next"])
    )
    assert _ids(api.get(_relative(back.json()["previous"]))) == [replies[0].pk, replies[1].pk]
    assert _ids(api.get(f"{V1}/comments/{alone.pk}/replies/")) == []


def test_a_threads_replies_are_read_as_the_thread_shows_them(as_fan, fan, video):
    moderator = make_user(is_staff=True, is_superuser=True)
    top = make_comment(video, body="Best bridge?")
    liked = make_comment(video, body="2:47", parent=top)
    mine = make_comment(video, fan, body="Mine", parent=top)
    hidden = make_comment(video, body="Rude", parent=top)
    talk.comment_hide(comment=hidden, moderator=moderator)
    talk.comment_like(user=fan, comment=liked)
    draft = make_video(slug="draft", status=Status.DRAFT)
    on_draft = Comment.objects.create(video=draft, author=fan, body="Early")

    rows = as_fan.get(f"{V1}/comments/{top.pk}/replies/").json()["results"]

    assert [row["id"] for row in rows] == [liked.pk, mine.pk, hidden.pk]
    assert (rows[0]["liked_by_me"], rows[0]["moments"], rows[1]["is_mine"]) == (True, [167], True)
    assert (rows[2]["status"], rows[2]["body"], rows[2]["author"]) == ("hidden", None, None)
    assert (
        ApiClient().get(f"{V1}/comments/{top.pk}/replies/").json()["results"][0]["liked_by_me"]
        is None
    )
    assert as_fan.get(f"{V1}/comments/{on_draft.pk}/replies/").status_code == 404
    assert as_fan.get(f"{V1}/comments/999999/replies/").status_code == 404
    assert as_fan.get(f"{V1}/comments/{top.pk}/replies/?page_size=0").status_code == 400
    assert as_fan.get(f"{V1}/comments/{top.pk}/replies/?cursor=garbage").status_code == 404


def test_a_signed_in_fan_sees_what_they_like_and_wrote(as_fan, fan, video):
    theirs = make_comment(video)
    mine = make_comment(video, fan)
    talk.comment_like(user=fan, comment=theirs)

    rows = {row["id"]: row for row in as_fan.get(_url(video)).json()["results"]}

    assert (rows[theirs.pk]["liked_by_me"], rows[theirs.pk]["like_count"]) == (True, 1)
    assert (rows[mine.pk]["liked_by_me"], rows[mine.pk]["is_mine"]) == (False, True)


def test_hidden_and_deleted_comments_are_placeholders(api, video, fan, as_fan):
    moderator = make_user(is_staff=True, is_superuser=True)
    hidden = make_comment(video, fan, body="Something rude at 1:00")
    talk.comment_hide(comment=hidden, moderator=moderator)
    deleted = make_comment(video, body="Gone soon")
    make_comment(video, body="A reply keeps it", parent=deleted)
    talk.comment_delete(comment=deleted, user=deleted.author)

    seen = {row["id"]: row for row in api.get(_url(video)).json()["results"]}
    own = {row["id"]: row for row in as_fan.get(_url(video)).json()["results"]}

    assert seen[hidden.pk]["status"] == "hidden"
    assert (seen[hidden.pk]["body"], seen[hidden.pk]["author"]) == (None, None)
    assert seen[hidden.pk]["moments"] == []
    assert own[hidden.pk]["body"] == "Something rude at 1:00"  # its author still sees it
    assert seen[deleted.pk]["status"] == "deleted"
    assert (seen[deleted.pk]["body"], seen[deleted.pk]["author"]) == (None, None)
    assert len(seen[deleted.pk]["replies"]) == 1


def test_a_deleted_fans_comment_has_no_author(api, video):
    gone = make_fan()
    comment = make_comment(video, gone)
    gone.delete()

    row = api.get(_url(video)).json()["results"][0]

    assert (row["id"], row["author"], row["body"]) == (comment.pk, None, "Love this one")


def test_a_held_comment_is_seen_by_its_author_only(video):
    newcomer = make_user()  # joined just now: a link is held for a moderator
    held = make_comment(video, newcomer, body="Look https://spam.example/")
    second_held = make_comment(video, newcomer, body="https://spam.example/ again", parent=None)
    assert held.status == second_held.status == Comment.Status.HELD
    other = ApiClient(make_token(make_fan()))
    own = ApiClient(make_token(newcomer))

    assert _ids(ApiClient().get(_url(video))) == []
    assert _ids(other.get(_url(video))) == []
    assert _ids(own.get(_url(video))) == [second_held.pk, held.pk]
    assert own.get(_url(video)).json()["results"][0]["status"] == "held"
    assert other.send("post", f"{V1}/comments/{held.pk}/like/").status_code == 404


def test_blocked_fans_comments_are_left_out_both_ways(as_fan, fan, video):
    blocked, blocker, bystander = make_fan(), make_fan(), make_fan()
    top = make_comment(video, bystander)
    by_blocked = make_comment(video, blocked)
    reply_by_blocker = make_comment(video, blocker, parent=top)
    Block.objects.create(blocker=fan, blocked=blocked)
    Block.objects.create(blocker=blocker, blocked=fan)

    page = as_fan.get(_url(video)).json()["results"]

    assert [row["id"] for row in page] == [top.pk]
    assert page[0]["replies"] == []
    assert _ids(ApiClient().get(_url(video))) == [by_blocked.pk, top.pk]
    assert reply_by_blocker.pk  # still there for everyone else
    assert as_fan.send("post", f"{V1}/comments/{by_blocked.pk}/like/").status_code == 404


def test_drafts_and_unknown_videos_are_404s(as_fan):
    make_video(slug="teaser", status=Status.DRAFT)

    assert as_fan.get(f"{V1}/videos/teaser/comments/").status_code == 404
    assert as_fan.send("post", f"{V1}/videos/teaser/comments/", {"body": "Hi"}).status_code == 404
    assert as_fan.get(f"{V1}/videos/nope/comments/").status_code == 404
    assert not Comment.objects.exists()


# ---- Cursor pages -------------------------------------------------------------------------------


def _walk(client, url: str, key: str = "next") -> list[list[int]]:
    pages = []
    while url:
        response = client.get(url)
        pages.append(_ids(response))
        link = response.json()[key]
        url = _relative(link) if link else ""
    return pages


@pytest.fixture
def thread(video):
    """25 comments, some sharing a creation time and many sharing a like count (ties)."""
    likers = [make_fan() for _ in range(3)]
    comments = []
    moment = timezone.now()
    for n in range(25):
        comment = make_comment(video, body=f"Comment {n}")
        Comment.objects.filter(pk=comment.pk).update(
            created_at=moment - datetime.timedelta(minutes=n // 3)
        )
        for liker in likers[: n % 4]:
            talk.comment_like(user=liker, comment=comment)
        comments.append(comment)
    return Comment.objects.filter(pk__in=[c.pk for c in comments])


@pytest.mark.parametrize(
    ("ordering", "order"),
    [
        ("newest", ["-created_at", "-id"]),
        ("oldest", ["created_at", "id"]),
        ("liked", ["-like_count", "-id"]),
    ],
)
def test_cursor_pages_walk_every_comment_exactly_once(api, video, thread, ordering, order):
    expected = list(thread.order_by(*order).values_list("id", flat=True))

    pages = _walk(api, f"{_url(video)}?ordering={ordering}&page_size=7")

    assert [len(page) for page in pages] == [7, 7, 7, 4]
    assert [pk for page in pages for pk in page] == expected
    # And back from the last page, by `previous`: the same pages, in reverse.
    last = api.get(f"{_url(video)}?ordering={ordering}&page_size=7")
    for _ in range(3):
        last = api.get(_relative(last.json()["next"]))
    assert last.json()["next"] is None
    back = _walk(api, _relative(last.json()["previous"]), key="previous")
    assert back == pages[-2::-1]


def test_pages_stay_put_while_fans_post(api, video, thread):
    expected = list(thread.order_by("-created_at", "-id").values_list("id", flat=True))
    first = api.get(f"{_url(video)}?page_size=10")
    make_comment(video, body="Posted meanwhile")  # newest: before the first page, not in it

    rest = _walk(api, _relative(first.json()["next"]))

    assert _ids(first) + [pk for page in rest for pk in page] == expected


def test_bad_paging_parameters_are_refused(api, video, thread):
    url = _url(video)
    cursor = parse_qs(urlsplit(api.get(url).json()["next"]).query)["cursor"][0]

    assert list(_errors(api.get(f"{url}?ordering=best"))) == ["ordering"]
    assert list(_errors(api.get(f"{url}?page_size=101"))) == ["page_size"]
    assert list(_errors(api.get(f"{url}?page_size=0"))) == ["page_size"]
    assert api.get(f"{url}?cursor=garbage").status_code == 404
    assert api.get(f"{url}?cursor={cursor}&ordering=liked").status_code == 404  # another order
    assert api.get(f"{url}?cursor={cursor}").status_code == 200


@pytest.mark.parametrize("count", BUDGET_ROWS)
def test_the_list_costs_the_same_queries_for_10_or_1000_comments(
    count, as_fan, fan, video, django_assert_max_num_queries
):
    others = [make_fan() for _ in range(3)]
    comments = Comment.objects.bulk_create(
        Comment(
            video=video,
            author=others[n % 3],
            body=f"At 0:{n % 60:02} https://x.example/",
            like_count=1,
            reply_count=1,
        )
        for n in range(count)
    )
    Comment.objects.bulk_create(
        Comment(video=video, author=others[(n + 1) % 3], parent=comment, body="Reply")
        for n, comment in enumerate(comments)
    )
    CommentLike.objects.bulk_create(CommentLike(user=fan, comment=c) for c in comments)
    video.comment_count = 2 * count
    video.save(update_fields=["comment_count"])
    as_fan.get(f"{V1}/me/")  # the token's "last used" note, once a minute, not counted below

    with django_assert_max_num_queries(4):  # token, video, comments, their replies
        response = as_fan.get(f"{_url(video)}?page_size=100")

    assert len(response.json()["results"]) == min(count, 100)
    assert all(
        row["liked_by_me"] and len(row["replies"]) == 1 for row in response.json()["results"]
    )


@pytest.mark.parametrize("count", BUDGET_ROWS)
def test_a_threads_replies_cost_the_same_queries_for_10_or_1000(
    count, as_fan, video, django_assert_max_num_queries
):
    top = make_comment(video)
    others = [make_fan() for _ in range(3)]
    Comment.objects.bulk_create(
        Comment(video=video, author=others[n % 3], parent=top, body=f"Reply {n}")
        for n in range(count)
    )
    as_fan.get(f"{V1}/me/")  # the token's "last used" note, once a minute, not counted below

    with django_assert_max_num_queries(3):  # token, the comment, a page of its replies
        response = as_fan.get(f"{V1}/comments/{top.pk}/replies/?page_size=100")
    with django_assert_max_num_queries(4):  # and the video's page: its first replies only
        listed = as_fan.get(_url(video))

    assert len(response.json()["results"]) == min(count, 100)
    assert len(listed.json()["results"][0]["replies"]) == 3


# ---- Posting ------------------------------------------------------------------------------------


def test_a_fan_comments_and_replies(as_fan, fan, video):
    posted = as_fan.send("post", _url(video), {"body": "  The key change at 2:47!  "})

    assert posted.status_code == 201
    body = posted.json()
    assert body["body"] == "The key change at 2:47!"
    assert (body["moments"], body["is_mine"], body["status"]) == ([167], True, "visible")
    assert body["author"]["username"] == "fearnot"
    reply = as_fan.send("post", _url(video), {"body": "Me again", "parent": body["id"]})
    assert reply.status_code == 201
    assert reply.json()["parent"] == body["id"]
    video.refresh_from_db()
    top = Comment.objects.get(pk=body["id"])
    assert (video.comment_count, top.reply_count, top.author) == (2, 1, fan)


def test_a_reply_to_a_reply_joins_its_thread(as_fan, video):
    top = make_comment(video)
    reply = make_comment(video, parent=top)

    response = as_fan.send("post", _url(video), {"body": "Agreed", "parent": reply.pk})

    assert response.json()["parent"] == top.pk


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"body": ""}, "body", "Write something first."),
        ({"body": "   "}, "body", "Write something first."),
        ({"body": "x" * 3001}, "body", "Ensure this field has no more than 3000 characters."),
        (
            {"body": "https://a.example https://b.example https://c.example https://d.example"},
            "body",
            "A comment can have at most 3 links.",
        ),
        ({"body": 5}, "body", "Not a valid string."),
        ({}, "body", "This field is required."),
        ({"body": "Hi", "parent": "1"}, "parent", "A valid integer is required."),
    ],
)
def test_an_invalid_comment_is_a_400_naming_the_field(as_fan, video, body, field, message):
    response = as_fan.send("post", _url(video), body)

    assert response.status_code == 400
    assert _errors(response) == {field: [message]}
    assert not Comment.objects.exists()


def test_a_parent_must_be_a_visible_comment_of_this_video(as_fan, video):
    elsewhere = make_comment(make_video())
    moderator = make_user(is_staff=True, is_superuser=True)
    hidden = make_comment(video)
    talk.comment_hide(comment=hidden, moderator=moderator)

    other_video = as_fan.send("post", _url(video), {"body": "Hi", "parent": elsewhere.pk})
    missing = as_fan.send("post", _url(video), {"body": "Hi", "parent": 10**9})
    placeholder = as_fan.send("post", _url(video), {"body": "Hi", "parent": hidden.pk})

    assert (other_video.status_code, _errors(other_video)) == (
        400,
        {"parent": ["That comment is on another video."]},
    )
    assert (missing.status_code, list(_errors(missing))) == (404, ["parent"])
    assert (placeholder.status_code, _errors(placeholder)) == (
        400,
        {"parent": ["This comment can't be replied to."]},
    )
    assert Comment.objects.count() == 2


def test_a_new_accounts_link_waits_for_a_moderator(video):
    newcomer = ApiClient(make_token(make_user()))

    response = newcomer.send("post", _url(video), {"body": "See https://x.example/"})

    assert response.status_code == 201
    assert response.json()["status"] == "held"
    video.refresh_from_db()
    assert video.comment_count == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "videos/easy/comments/"),
        ("patch", "comments/{pk}/"),
        ("delete", "comments/{pk}/"),
        ("post", "comments/{pk}/like/"),
        ("delete", "comments/{pk}/like/"),
        ("post", "comments/{pk}/report/"),
    ],
)
def test_anonymous_writes_are_a_401(api, video, method, path):
    comment = make_comment(video)

    response = api.send(method, f"{V1}/{path.format(pk=comment.pk)}", {"body": "Hi"})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    comment.refresh_from_db()
    assert (comment.body, comment.like_count) == ("Love this one", 0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"suspended_at": timezone.now()}, "Your account is suspended"),
        ({"email_verified": False}, "Confirm your e-mail address first"),
    ],
)
def test_suspended_or_unconfirmed_fans_can_read_but_not_write(video, change, message):
    comment = make_comment(video)
    client = ApiClient()  # signed in with the site's session: a suspended fan's tokens are refused
    client.force_login(make_fan(**change))

    refused = [
        client.send("post", _url(video), {"body": "Hi"}),
        client.send("post", f"{V1}/comments/{comment.pk}/like/"),
        client.send("post", f"{V1}/comments/{comment.pk}/report/", {"reason": "spam"}),
    ]

    assert client.get(_url(video)).status_code == 200
    for response in refused:
        assert response.status_code == 403
        assert response.json()["detail"].startswith(message)
    assert Comment.objects.count() == 1
    assert not CommentLike.objects.exists()
    assert not Report.objects.exists()


# ---- Editing and deleting -----------------------------------------------------------------------


def test_the_author_edits_a_comment(as_fan, fan, video):
    comment = make_comment(video, fan)

    response = as_fan.send("patch", f"{V1}/comments/{comment.pk}/", {"body": "Now at 1:02"})
    unchanged = as_fan.send("patch", f"{V1}/comments/{comment.pk}/", {})

    assert response.status_code == 200
    assert (response.json()["body"], response.json()["moments"]) == ("Now at 1:02", [62])
    assert response.json()["edited_at"] is not None
    assert unchanged.json()["body"] == "Now at 1:02"
    comment.refresh_from_db()
    assert comment.body == "Now at 1:02"


def test_an_edit_is_validated_by_field(as_fan, fan, video):
    comment = make_comment(video, fan)

    response = as_fan.send("patch", f"{V1}/comments/{comment.pk}/", {"body": " "})

    assert (response.status_code, _errors(response)) == (400, {"body": ["Write something first."]})


def test_another_fans_comment_cannot_be_edited_or_deleted(as_fan, video):
    comment = make_comment(video)

    edit = as_fan.send("patch", f"{V1}/comments/{comment.pk}/", {"body": "Mine now"})
    delete = as_fan.send("delete", f"{V1}/comments/{comment.pk}/")

    assert (edit.status_code, delete.status_code) == (403, 403)
    assert _errors(edit) == {"detail": ["Only its author can change this comment."]}
    comment.refresh_from_db()
    assert (comment.body, comment.status, comment.edited_at) == ("Love this one", "visible", None)


def test_comments_the_fan_cannot_see_are_404s(as_fan, fan, video):
    held = make_comment(video, make_user(), body="https://spam.example/")
    draft_comment = make_comment(video)
    video.status = Status.DRAFT
    video.save()
    blocked = make_comment(make_video())
    Block.objects.create(blocker=blocked.author, blocked=fan)

    for comment in (held, draft_comment, blocked):
        for method, path in [("patch", ""), ("delete", ""), ("post", "report/")]:
            response = as_fan.send(
                method, f"{V1}/comments/{comment.pk}/{path}", {"body": "x", "reason": "spam"}
            )
            assert response.status_code == 404, (comment, method, path)
    assert as_fan.send("patch", f"{V1}/comments/{10**12}/", {"body": "x"}).status_code == 404
    assert Comment.objects.filter(edited_at__isnull=False).count() == 0


def test_the_author_deletes_a_comment(as_fan, fan, video):
    lonely = make_comment(video, fan)
    answered = make_comment(video, fan)
    make_comment(video, parent=answered)

    assert as_fan.delete(f"{V1}/comments/{lonely.pk}/").status_code == 204
    assert as_fan.delete(f"{V1}/comments/{answered.pk}/").status_code == 204

    assert not Comment.objects.filter(pk=lonely.pk).exists()
    answered.refresh_from_db()
    assert (answered.status, answered.body) == ("deleted", "")  # a placeholder keeps the thread
    video.refresh_from_db()
    assert video.comment_count == 1  # the reply
    assert as_fan.delete(f"{V1}/comments/{answered.pk}/").status_code == 404


# ---- Likes and reports --------------------------------------------------------------------------


def test_likes_are_idempotent(as_fan, fan, video):
    comment = make_comment(video)
    url = f"{V1}/comments/{comment.pk}/like/"

    liked = [as_fan.send("post", url) for _ in range(2)]
    unliked = [as_fan.send("delete", url) for _ in range(2)]

    assert [r.json() for r in liked] == [{"liked": True, "like_count": 1}] * 2
    assert [r.json() for r in unliked] == [{"liked": False, "like_count": 0}] * 2
    comment.refresh_from_db()
    assert comment.like_count == 0
    assert not CommentLike.objects.exists()


def test_a_fan_cannot_like_their_own_comment_as_on_the_page(as_fan, fan, video):
    mine = make_comment(video, author=fan)

    response = as_fan.send("post", f"{V1}/comments/{mine.pk}/like/")

    assert response.status_code == 403
    assert "your own comment" in str(response.json())
    mine.refresh_from_db()
    assert mine.like_count == 0
    assert not CommentLike.objects.exists()


def test_a_placeholder_cannot_be_liked(as_fan, video):
    comment = make_comment(video)
    make_comment(video, parent=comment)
    talk.comment_delete(comment=comment, user=comment.author)

    response = as_fan.send("post", f"{V1}/comments/{comment.pk}/like/")

    assert response.status_code == 409
    assert not CommentLike.objects.exists()


def test_a_comment_is_reported_once(as_fan, fan, video):
    comment = make_comment(video)
    url = f"{V1}/comments/{comment.pk}/report/"

    first = as_fan.send("post", url, {"reason": "spam", "note": " Same link everywhere "})
    again = as_fan.send("post", url, {"reason": "other"})

    assert first.status_code == 201
    assert first.json()["reason"] == "spam"
    assert first.json()["comment"] == comment.pk
    assert again.status_code == 409
    assert _errors(again) == {"non_field_errors": ["You already reported this comment."]}
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.note) == (fan, "spam", "Same link everywhere")


def test_reports_are_validated(as_fan, fan, video):
    own = make_comment(video, fan)
    theirs = make_comment(video)

    mine = as_fan.send("post", f"{V1}/comments/{own.pk}/report/", {"reason": "spam"})
    bad = as_fan.send("post", f"{V1}/comments/{theirs.pk}/report/", {"reason": "boring"})
    long = as_fan.send(
        "post", f"{V1}/comments/{theirs.pk}/report/", {"reason": "other", "note": "x" * 501}
    )

    assert (mine.status_code, _errors(mine)) == (
        403,
        {"detail": ["You can't report your own comment."]},
    )
    assert (bad.status_code, list(_errors(bad))) == (400, ["reason"])
    assert (long.status_code, list(_errors(long))) == (400, ["note"])
    assert not Report.objects.exists()
