"""Live video pages: the event stream at /live/videos/<slug>/ sends each open page new talk,
likes, edits, removals and rating figures, rendered for its reader as the page renders them,
with the page's visibility rules; a page that reconnects resumes without gaps or duplicates.

The stream is read here through the real test client: the development server's way (a thread
per stream) and the ASGI server's (the event loop's dispatcher). Events are published when the
write's transaction commits (django_capture_on_commit_callbacks runs those callbacks here).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import re

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone

from community.live import bus as live_bus
from community.live import render, stream
from community.live.asgi import StreamStarts
from community.live.bus import InProcessBus
from community.models import Comment
from community.services import ratings, talk
from tests.factories import make_user, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_streams(settings, monkeypatch):
    """Streams as the development server serves them; a ping after 0.2 s of silence, so "nothing
    arrives" is the next frame being a ping."""
    settings.LIVE_WSGI_STREAMS = True
    monkeypatch.setattr(stream, "PING_SECONDS", 0.2)
    monkeypatch.setattr(stream, "FLUSH_SECONDS", 0)
    bus = live_bus.get_bus()
    if isinstance(bus, InProcessBus):
        bus.clear()  # ids are reused between tests on SQLite: no log of an earlier test's video


def make_fan(**kwargs):
    kwargs.setdefault("date_joined", timezone.now() - datetime.timedelta(days=30))
    return make_user(**kwargs)


def parse(chunk: bytes) -> list[dict]:
    """The events in a chunk: [{"id":…, "event":…, "data": {…}}]; pings and retries left out."""
    events = []
    for block in chunk.decode().split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":"
        )
        if "event" in fields:
            fields["data"] = json.loads(fields.get("data", "{}"))
            events.append(fields)
    return events


def close(response) -> None:
    """What the browser going away does: the response closed. Its request_finished signal must
    not close the test's database connection (the test client guards its own closing the same
    way; a stream's response is closed by the test here)."""
    keep = connection.close_if_unusable_or_obsolete
    connection.close_if_unusable_or_obsolete = lambda: None  # type: ignore[method-assign]  # undone below
    try:
        response.close()
    finally:
        connection.close_if_unusable_or_obsolete = keep  # type: ignore[method-assign]  # put back


class Page:
    """A video page's open stream, read as the browser would."""

    def __init__(self, client, video, lang="en", **params):
        url = reverse("live:video-events", args=[video.slug])
        self.response = client.get(url, {"lang": lang, **params}, **self.headers(params))
        assert self.response.status_code == 200, self.response.content
        assert self.response["Content-Type"].startswith("text/event-stream")
        self.chunks = iter(self.response.streaming_content)
        assert next(self.chunks).startswith(b"retry:")  # subscribed from here on

    @staticmethod
    def headers(params):
        last = params.pop("last_event_id", None)
        return {"HTTP_LAST_EVENT_ID": last} if last else {}

    def next_events(self) -> list[dict]:
        """What the next chunks bring, past the pings sent while an event crosses the bus (a
        round trip through Redis); [] when only pings come for a second."""
        for _ in range(5):
            events = parse(next(self.chunks))
            if events:
                return events
        return []

    def close(self):
        close(self.response)


@pytest.fixture
def pages():
    opened = []

    def open_page(*args, **kwargs):
        page = Page(*args, **kwargs)
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.close()


def test_a_new_comment_reaches_an_open_page_rendered_as_the_page_renders_it(
    client, pages, django_capture_on_commit_callbacks
):
    video = make_video(youtube_id="abcDEF12_-3")
    page = pages(client, video)

    with django_capture_on_commit_callbacks(execute=True):
        comment = talk.comment_create(author=make_fan(username="yunjin"), video=video, body="1:23!")

    (event,) = page.next_events()
    assert event["event"] == "comment"
    assert event["data"]["id"] == comment.pk
    html = event["data"]["html"]
    # The page's own item: the thread's <li>, its article, the moment linked into the video.
    assert html.startswith(f'<li><article id="comment-{comment.pk}"')
    assert 'href="/u/yunjin/"' in html
    assert 'data-seconds="83"' in html
    visitor_page = client.get(video.get_absolute_url()).content.decode()
    rendered = re.search(r'<article id="comment-\d+".*?</article>', visitor_page).group(0)
    assert rendered.replace("0\xa0minutes", "") == re.search(r"<article.*</article>", html).group(
        0
    ).replace("0\xa0minutes", "")


def test_it_comes_in_the_readers_language(client, pages, django_capture_on_commit_callbacks):
    video = make_video()
    page = pages(client, video, lang="ko")

    with django_capture_on_commit_callbacks(execute=True):
        talk.comment_create(author=make_fan(), video=video, body="최고")

    (event,) = page.next_events()
    assert "좋아요 0개" in event["data"]["html"]
    assert 'href="/ko/u/' in event["data"]["html"]


def test_a_signed_in_fan_gets_the_buttons_with_their_own_csrf_token(
    client, pages, django_capture_on_commit_callbacks
):
    video = make_video()
    fan = make_fan()
    client.force_login(fan)
    client.get(video.get_absolute_url())  # the page sets the CSRF cookie
    page = pages(client, video)

    with django_capture_on_commit_callbacks(execute=True):
        comment = talk.comment_create(author=make_fan(), video=video, body="Hello")

    (event,) = page.next_events()
    html = event["data"]["html"]
    assert reverse("community:comment-like", args=[comment.pk]) in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    # A token that the fan's CSRF cookie accepts: the like form works as it does on the page.
    response = client.post(
        reverse("community:comment-like", args=[comment.pk]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_likes_update_the_count_and_the_likers_own_button(
    client, pages, django_capture_on_commit_callbacks
):
    video = make_video()
    fan = make_fan()
    comment = talk.comment_create(author=make_fan(), video=video, body="Hello")
    client.force_login(fan)
    page = pages(client, video)

    with django_capture_on_commit_callbacks(execute=True):
        talk.comment_like(user=fan, comment=comment)
    (mine,) = page.next_events()
    with django_capture_on_commit_callbacks(execute=True):
        talk.comment_like(user=make_fan(), comment=comment)
    (theirs,) = page.next_events()

    assert "1 like" in mine["data"]["html"]
    assert 'aria-pressed="true"' in mine["data"]["html"]
    assert "2 likes" in theirs["data"]["html"]
    assert 'aria-pressed="true"' in theirs["data"]["html"]  # still the fan's own like


def test_a_blocked_fans_comments_never_reach_the_page_either_way(
    client, pages, django_capture_on_commit_callbacks
):
    video = make_video()
    fan, blocked, blocker = make_fan(), make_fan(), make_fan()
    talk.block_create(blocker=fan, blocked=blocked)
    talk.block_create(blocker=blocker, blocked=fan)
    client.force_login(fan)
    page = pages(client, video)

    with django_capture_on_commit_callbacks(execute=True):
        talk.comment_create(author=blocked, video=video, body="From the blocked fan")
        talk.comment_create(author=blocker, video=video, body="From the fan who blocked")
    assert page.next_events() == []  # a ping: nothing for this page

    visitor = pages(client.__class__(), video)
    with django_capture_on_commit_callbacks(execute=True):
        talk.comment_create(author=blocked, video=video, body="Visitors see it")
    (seen,) = visitor.next_events()
    assert "Visitors see it" in seen["data"]["html"]
    assert page.next_events() == []


def test_a_block_made_while_the_page_is_open_applies_at_once(
    client, pages, django_capture_on_commit_callbacks
):
    video = make_video()
    fan, other = make_fan(), make_fan()
    client.force_login(fan)
    page = pages(client, video)

    with django_capture_on_commit_callbacks(execute=True):
        talk.block_create(blocker=other, blocked=fan)
    with django_capture_on_commit_callbacks(execute=True):
        talk.comment_create(author=other, video=video, body="Not for you")

    assert page.next_events() == []


def test_held_comments_reach_only_their_author_and_approval_brings_them_to_everyone(
    client, pages, django_capture_on_commit_callbacks
):
    video = make_video()
    newcomer = make_user()  # a new account's link is held for a moderator
    moderator = make_user(is_superuser=True, is_staff=True)
    visitor = pages(client.__class__(), video)
    own_client = client.__class__()
    own_client.force_login(newcomer)
    own = pages(own_client, video)

    with django_capture_on_commit_callbacks(execute=True):
        held = talk.comment_create(author=newcomer, video=video, body="see https://example.com")
    assert held.status == Comment.Status.HELD
    (mine,) = own.next_events()
    assert "Waiting for a moderator" in mine["data"]["html"]
    assert visitor.next_events() == []

    with django_capture_on_commit_callbacks(execute=True):
        talk.comment_approve(comment=held, moderator=moderator)
    (approved,) = visitor.next_events()
    assert "example.com" in approved["data"]["html"]


def test_a_hidden_comment_turns_into_the_moderators_placeholder(
    client, pages, django_capture_on_commit_callbacks
):
    video = make_video()
    author = make_fan()
    moderator = make_user(is_superuser=True, is_staff=True)
    comment = talk.comment_create(author=author, video=video, body="Something rude")
    visitor = pages(client, video)
    author_client = client.__class__()
    author_client.force_login(author)
    own = pages(author_client, video)

    with django_capture_on_commit_callbacks(execute=True):
        talk.comment_hide(comment=comment, moderator=moderator)

    (seen,) = visitor.next_events()
    assert "Removed by a moderator." in seen["data"]["html"]
    assert "Something rude" not in seen["data"]["html"]
    (theirs,) = own.next_events()
    assert "only you can still see it" in theirs["data"]["html"]


def test_deleted_comments_are_removed_and_replies_join_their_thread(
    client, pages, django_capture_on_commit_callbacks
):
    video = make_video()
    author = make_fan()
    top = talk.comment_create(author=author, video=video, body="Top")
    page = pages(client, video)

    with django_capture_on_commit_callbacks(execute=True):
        reply = talk.comment_create(author=make_fan(), video=video, body="A reply", parent=top)
    (replied,) = page.next_events()
    with django_capture_on_commit_callbacks(execute=True):
        talk.comment_delete(comment=reply, user=reply.author)
    (removed,) = page.next_events()

    assert replied["data"]["parent"] == top.pk
    assert replied["data"]["html"].startswith(f'<article id="comment-{reply.pk}"')
    assert removed["data"] == {"id": reply.pk, "remove": True}


def test_rating_figures_arrive_as_the_widget_shows_them(
    client, pages, django_capture_on_commit_callbacks
):
    video = make_video()
    page = pages(client, video)

    with django_capture_on_commit_callbacks(execute=True):
        ratings.rating_set(user=make_fan(), video=video, score=9)

    (event,) = page.next_events()
    assert event["event"] == "rating"
    assert 'data-fragment="rating"' in event["data"]["html"]
    assert "<strong>4.5</strong> out of 5" in event["data"]["html"]
    assert "from 1 rating" in event["data"]["html"]


def test_a_page_that_reconnects_gets_what_it_missed_once(
    client, pages, django_capture_on_commit_callbacks
):
    video = make_video()
    page = pages(client, video)
    with django_capture_on_commit_callbacks(execute=True):
        first = talk.comment_create(author=make_fan(), video=video, body="First")
    (seen,) = page.next_events()
    page.close()
    with django_capture_on_commit_callbacks(execute=True):
        second = talk.comment_create(author=make_fan(), video=video, body="Second")
        third = talk.comment_create(author=make_fan(), video=video, body="Third")

    again = pages(client, video, last_event_id=seen["id"])
    caught_up = again.next_events()
    with django_capture_on_commit_callbacks(execute=True):
        fourth = talk.comment_create(author=make_fan(), video=video, body="Fourth")
    live = again.next_events()

    assert seen["data"]["id"] == first.pk
    assert [e["data"].get("id") for e in caught_up] == [second.pk, third.pk, None]
    assert caught_up[-1]["event"] == "caught-up"
    assert [e["data"]["id"] for e in live] == [fourth.pk]
    assert again.next_events() == []


def test_a_page_gets_what_came_after_the_last_event_it_was_rendered_with(
    client, pages, django_capture_on_commit_callbacks
):
    video = make_video()
    with django_capture_on_commit_callbacks(execute=True):
        talk.comment_create(author=make_fan(), video=video, body="Shown")
    html = client.get(video.get_absolute_url()).content.decode()
    last = re.search(r'data-live-last="([\d-]+)"', html).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        comment = talk.comment_create(author=make_fan(), video=video, body="Meanwhile")

    page = pages(client, video, last=last)

    events = page.next_events()
    assert [e["event"] for e in events] == ["comment", "caught-up"]
    assert events[0]["data"]["id"] == comment.pk


def test_a_page_the_log_no_longer_reaches_is_told_to_reload(
    client, pages, settings, django_capture_on_commit_callbacks
):
    bus = live_bus.get_bus()
    if not isinstance(bus, InProcessBus):
        pytest.skip("the in-process log's length is set here; Redis trims approximately")
    video = make_video()
    page = pages(client, video)
    with django_capture_on_commit_callbacks(execute=True):
        talk.comment_create(author=make_fan(), video=video, body="Seen")
    (seen,) = page.next_events()
    page.close()
    length, bus.log_length = bus.log_length, 2
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(3):
                talk.comment_create(author=make_fan(), video=video, body=f"Missed {n}")
        again = pages(client, video, last_event_id=seen["id"])
        assert [e["event"] for e in again.next_events()] == ["reset"]
    finally:
        bus.log_length = length


def test_gunicorns_workers_answer_at_once_with_what_is_new(
    client, settings, django_capture_on_commit_callbacks
):
    settings.LIVE_WSGI_STREAMS = False
    video = make_video()
    html = client.get(video.get_absolute_url()).content.decode()
    last = re.search(r'data-live-last="([\d-]+)"', html).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        comment = talk.comment_create(author=make_fan(), video=video, body="Polled")

    response = client.get(reverse("live:video-events", args=[video.slug]), {"last": last})
    body = b"".join(response.streaming_content)

    assert body.startswith(f"retry: {settings.LIVE_POLL_SECONDS * 1000}".encode())
    assert [e["data"].get("id") for e in parse(body)] == [comment.pk, None]


def test_a_fan_may_hold_only_so_many_streams(client, pages, settings):
    settings.LIVE_STREAMS_PER_FAN = 2
    video = make_video()
    client.force_login(make_fan())
    first, _second = pages(client, video), pages(client, video)

    refused = client.get(reverse("live:video-events", args=[video.slug]))
    first.close()
    again = client.get(reverse("live:video-events", args=[video.slug]))

    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert again.status_code == 200
    close(again)


def test_an_address_may_hold_only_so_many_streams(client, pages, settings):
    settings.LIVE_STREAMS_PER_ADDRESS = 1
    video = make_video()
    pages(client, video)

    refused = client.get(reverse("live:video-events", args=[video.slug]))
    elsewhere = client.get(reverse("live:video-events", args=[video.slug]), REMOTE_ADDR="192.0.2.7")

    assert refused.status_code == 429
    assert elsewhere.status_code == 200
    close(elsewhere)


def test_an_idle_stream_is_closed_and_the_page_told_to_come_back(client, pages, settings):
    settings.LIVE_IDLE_SECONDS = 0
    page = pages(client, make_video())

    (bye,) = page.next_events()

    assert bye["event"] == "bye"
    assert bye["data"]["reconnect"] == 0
    with pytest.raises(StopIteration):
        next(page.chunks)


def test_drafts_and_unknown_videos_have_no_stream(client):
    draft = make_video(status="draft")

    assert client.get(reverse("live:video-events", args=[draft.slug])).status_code == 404
    assert client.get(reverse("live:video-events", args=["nope"])).status_code == 404


def test_the_video_page_names_its_stream_and_the_last_event_it_shows(client):
    video = make_video()

    html = client.get(f"/ko{video.get_absolute_url()}").content.decode()

    stream_url = reverse("live:video-events", args=[video.slug]) + "?lang=ko"
    assert f'data-live="{stream_url}"' in html
    assert 'data-live-last="0-0"' in html  # no event yet
    assert 'src="/static/js/live.js' in html or "js/live." in html


def test_the_asgi_server_streams_from_its_event_loop(
    live_fan_and_video, django_capture_on_commit_callbacks
):
    """The production path: the stream waits in the event loop, its frames rendered by the
    loop's dispatcher."""
    fan, video = live_fan_and_video
    author, rater = make_fan(), make_fan()
    client = AsyncClient()

    def post_and_rate(what: str) -> None:  # on the test's thread, as its transaction is
        with django_capture_on_commit_callbacks(execute=True):
            if what == "comment":
                talk.comment_create(author=author, video=video, body="A")
            else:
                ratings.rating_set(user=rater, video=video, score=7)

    async def run() -> list[list[dict]]:
        await sync_to_async(client.force_login)(fan)
        response = await client.get(reverse("live:video-events", args=[video.slug]))
        chunks = aiter(response.streaming_content)
        assert (await anext(chunks)).startswith(b"retry:")
        received = []
        for what in ("comment", "rating"):
            await sync_to_async(post_and_rate)(what)
            received.append(await next_events(chunks))
        await chunks.aclose()
        return received

    comment, rating = async_to_sync(run)()

    assert [e["event"] for e in comment] == ["comment"]
    assert "csrfmiddlewaretoken" in comment[0]["data"]["html"]
    assert [e["event"] for e in rating] == ["rating"]


async def next_events(chunks, tries: int = 50) -> list[dict]:
    """The next events, past the pings sent while the loop's dispatcher renders them."""
    for _ in range(tries):
        events = parse(await anext(chunks))
        if events:
            return events
    return []


@pytest.fixture
def live_fan_and_video():
    return make_fan(), make_video()


async def open_stream(client, video, lang="en", last_event_id=""):
    """A page's stream through the ASGI server's path; its chunks after the first."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    url = reverse("live:video-events", args=[video.slug])
    response = await client.get(url, {"lang": lang}, headers=headers)
    assert response.status_code == 200
    chunks = aiter(response.streaming_content)
    assert (await anext(chunks)).startswith(b"retry:")
    return chunks


def test_visitors_in_the_event_loop_get_each_comment_in_their_language_and_no_held_one(
    django_capture_on_commit_callbacks,
):
    """Visitors of a video share their frames (one group per language), and still see only what
    a visitor may: a held comment reaches none of them."""
    video = make_video()
    newcomer = make_user()  # a new account's link is held for a moderator
    fan = make_fan()

    def post(author, body):
        with django_capture_on_commit_callbacks(execute=True):
            return talk.comment_create(author=author, video=video, body=body)

    async def run():
        english = [await open_stream(AsyncClient(), video) for _ in range(2)]
        korean = await open_stream(AsyncClient(), video, lang="ko")
        await sync_to_async(post)(newcomer, "see https://example.com")
        comment = await sync_to_async(post)(fan, "Hello")
        received = [await next_events(chunks) for chunks in [*english, korean]]
        for chunks in [*english, korean]:
            await chunks.aclose()
        return comment, received

    comment, (first, second, korean) = async_to_sync(run)()

    for events in (first, second, korean):
        assert [e["data"]["id"] for e in events] == [comment.pk]
    assert first == second
    assert 'href="/u/' in first[0]["data"]["html"]
    assert "좋아요 0개" in korean[0]["data"]["html"]
    assert 'href="/ko/u/' in korean[0]["data"]["html"]


def test_in_the_event_loop_a_page_resumes_without_gaps_or_duplicates(
    monkeypatch, django_capture_on_commit_callbacks
):
    """What arrives while the page reads the log is sent once: the log brings it, so the event
    that arrived meanwhile is not sent again."""
    video = make_video()
    author = make_fan()

    def post(body):
        with django_capture_on_commit_callbacks(execute=True):
            return talk.comment_create(author=author, video=video, body=body)

    last = live_bus.get_bus().last_id(f"video:{video.pk}")
    missed = post("Missed")
    catch_up = stream._catch_up_in_thread
    meanwhile = []

    def catch_up_while_one_arrives(*args):
        meanwhile.append(post("Meanwhile"))  # published, heard by the loop, then read in the log
        return catch_up(*args)

    monkeypatch.setattr(stream, "_catch_up_in_thread", catch_up_while_one_arrives)

    async def run():
        chunks = await open_stream(AsyncClient(), video, last_event_id=last)
        caught_up = await next_events(chunks)
        after = await sync_to_async(post)("After")
        live = await next_events(chunks)
        nothing_more = await next_events(chunks, tries=5)
        await chunks.aclose()
        return caught_up, after, live, nothing_more

    caught_up, after, live, nothing_more = async_to_sync(run)()

    assert [e["data"].get("id") for e in caught_up] == [missed.pk, meanwhile[0].pk, None]
    assert caught_up[-1]["event"] == "caught-up"
    assert [e["data"]["id"] for e in live] == [after.pk]
    assert nothing_more == []


def test_in_the_event_loop_a_reader_that_falls_behind_is_dropped_and_others_go_on(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(stream, "QUEUE_SIZE", 3)
    video = make_video()
    author = make_fan()

    def post(body):
        with django_capture_on_commit_callbacks(execute=True):
            return talk.comment_create(author=author, video=video, body=body)

    async def run():
        slow = await open_stream(AsyncClient(), video)
        quick = await open_stream(AsyncClient(), video)
        comments, received = [], []
        for n in range(5):
            comments.append(await sync_to_async(post)(f"Comment {n}"))
            received += await next_events(quick)
        dropped = await next_events(slow)
        await slow.aclose()
        await quick.aclose()
        return comments, received, dropped

    comments, received, dropped = async_to_sync(run)()

    assert [e["data"]["id"] for e in received] == [c.pk for c in comments]
    assert [e["event"] for e in dropped] == ["bye"]
    assert dropped[0]["data"]["reconnect"] > 0


def test_a_visitor_who_caught_up_gets_from_their_group_only_what_they_lack():
    """Frames that arrived while the page read the log, then the group's: each once, in order."""

    async def run() -> bytes:
        dispatcher = stream.Dispatcher(asyncio.get_running_loop(), InProcessBus(10))
        visitor = stream.Connection(render.Reader(None, "en"), "video:1", catching_up=True)
        dispatcher.add(visitor)
        visitor.push("5-0", b"five|")  # the log brings it
        visitor.push("7-0", b"seven|")  # newer than the log
        dispatcher.caught_up(visitor, "6-0")
        group = visitor.group
        assert group is not None
        group.pending += [("7-0", b"seven|"), ("8-0", b"eight|")]
        dispatcher.dirty_groups.append(group)
        dispatcher._flush()
        return visitor.take()

    assert asyncio.run(run()) == b"seven|eight|"


def test_a_server_starts_only_so_many_streams_at_once(settings):
    """A crowd of pages opening their streams together waits its turn: each start holds a
    database connection until its stream is the event loop's."""
    settings.LIVE_STREAM_STARTS = 2
    checking = []
    most = 0

    async def app(scope, receive, send):
        nonlocal most
        checking.append(scope["path"])
        most = max(most, len(checking))
        await asyncio.sleep(0.01)  # the request's checks
        checking.remove(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(0.05)  # the stream: no longer counted
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def send(message):
        pass

    async def run():
        starts = StreamStarts(app)
        await asyncio.gather(
            *(starts({"type": "http", "path": f"/live/videos/{n}/"}, None, send) for n in range(6)),
            starts({"type": "http", "path": "/videos/"}, None, send),  # pages are not counted
        )

    asyncio.run(run())
    assert most == 3  # two streams being started, and the page


def test_an_event_rendered_for_a_visitor_alone_before_they_joined_their_group_is_sent_once():
    async def run() -> bytes:
        dispatcher = stream.Dispatcher(asyncio.get_running_loop(), InProcessBus(10))
        visitor = stream.Connection(render.Reader(None, "en"), "video:1", catching_up=True)
        dispatcher.add(visitor)
        subscribed = dispatcher.subscriptions["video:1"]
        dispatcher.caught_up(visitor, "6-0")
        assert dispatcher.subscriptions["video:1"] is subscribed  # heard throughout
        group = visitor.group
        assert group is not None
        # Its rendering began while the page still caught up: for it alone, and for the group.
        if visitor.push("7-0", b"seven|"):
            dispatcher.dirty.append(visitor)
        group.pending += [("7-0", b"seven|"), ("8-0", b"eight|")]
        dispatcher.dirty_groups.append(group)
        dispatcher._flush()
        return visitor.take()

    assert asyncio.run(run()) == b"seven|eight|"
