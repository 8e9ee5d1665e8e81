"""The live stream of a video page: Server-Sent Events at /live/videos/<slug>/.

Why Server-Sent Events and not WebSockets: everything moves one way, server to page (fans still
write through the page's forms, which work without JavaScript and keep their CSRF checks, rate
limits and services); the browser's EventSource reconnects by itself and sends the last event
id it saw, which is exactly the resume this needs; it is plain HTTP, so the load balancer, the
Content-Security-Policy (connect-src 'self') and the session cookie need nothing new; and Django
streams it from an async iterator under any ASGI server, with no Channels layer to run.

Under ASGI (the event-stream servers `make serve` runs) a stream holds no thread of work: the
request's checks run once, then the stream waits in the event loop. What a new event costs a
server does not grow with its readers times the work: the loop's dispatcher takes the events
that have arrived, renders each once per variant for all its readers in one trip to a thread
(community.live.render), and at most every FLUSH_SECONDS hands each stream what it was given,
joined once for all the streams given the same frames. A reader too slow to keep up is dropped
(its page resumes from the log), never waited for.

Under WSGI a stream would hold its worker: the development server (a thread per connection)
streams anyway when LIVE_WSGI_STREAMS is on; otherwise the request is answered at once with
what is new since the page's last event and the browser asks again LIVE_POLL_SECONDS later.

A page resumes from its last event id: the Last-Event-ID header, or ?last= when the page opens
the stream itself (first, the last event it was rendered with: the data-live-last attribute).
If the log no longer reaches that far it is told to reload ("reset").
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import time
import weakref
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections, connections
from django.db import connection as db_connection
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET

from catalog.models import MusicVideo
from community.live import render
from community.live.bus import (
    Bus,
    Event,
    Gap,
    LoopSubscription,
    ThreadSubscription,
    get_bus,
    parse_id,
)
from community.live.events import FANS_TOPIC, video_topic
from community.live.limits import Lease, get_limits
from foundation.client_address import client_ip

logger = logging.getLogger(__name__)

PING_SECONDS = 20  # a comment line now and then: proxies keep the connection, dead peers show
FLUSH_SECONDS = 0.25  # at most 4 chunks a second per stream, however busy the video
QUEUE_SIZE = 200  # events a reader may fall behind before it is dropped
BATCH_SIZE = 200  # events rendered in one trip to a thread, when that many arrived at once
RETRY_MS = 3000  # how soon the browser reconnects after a dropped connection
READY_SECONDS = 3  # how long a new stream waits for its server to hear the bus
# A page that couldn't read the log asks for what came after it was rendered, by its server's
# clock; another server's may differ by this much.
CLOCK_SKEW_MS = 5000

RETRY = f"retry: {RETRY_MS}\n\n".encode()
PING = b": ping\n\n"


def _bye(seconds: float) -> bytes:
    """Tell the page to close the stream and open it again in about `seconds` (spread out, so
    a server's readers don't all come back at once)."""
    delay = int(seconds * 1000 * random.uniform(0.5, 1.5))
    return render.frame(None, "bye", {"reconnect": delay})


RESET = render.frame(None, "reset", {})


@require_GET
def video_events(request: HttpRequest, slug: str) -> HttpResponse:
    if not settings.LIVE_ENABLED:
        raise Http404("Live updates are off.")
    video = get_object_or_404(MusicVideo.objects.published(), slug=slug)
    languages = dict(settings.LANGUAGES)
    language = request.GET.get("lang", "")
    if language not in languages:
        language = settings.LANGUAGE_CODE
    start = _start(request)
    reader = render.Reader.for_request(request, video, language)
    bus = get_bus()
    topic = video_topic(video.pk)
    asgi = isinstance(request, ASGIRequest)
    if not asgi and not settings.LIVE_WSGI_STREAMS:
        return _response(request, _poll(bus, topic, start, reader))
    lease = get_limits().acquire(reader.user_id, client_ip(request))
    if lease is None:
        response = HttpResponse(
            "Too many live streams are open: close a few pages and this one reconnects.",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "30"
        return response
    if asgi:
        # The stream reads the database only from the loop's dispatcher: an open stream must not
        # hold a database connection of its own (thousands of them would exhaust PostgreSQL's).
        _close_connections()
        return _response(request, _Held(_loop_stream(bus, topic, start, reader, lease), lease))
    return _response(request, _HeldSync(_thread_stream(bus, topic, start, reader, lease), lease))


class _Held:
    """A stream's content that hands its lease back when the response is closed, even one that
    never started (the stream's own cleanup runs only once it has)."""

    def __init__(self, content: AsyncIterator[bytes], lease: Lease) -> None:
        self.content = content
        self.lease = lease

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.content

    def close(self) -> None:
        get_limits().release(self.lease)


class _HeldSync:
    def __init__(self, content: Iterator[bytes], lease: Lease) -> None:
        self.content = content
        self.lease = lease

    def __iter__(self) -> Iterator[bytes]:
        return self.content

    def close(self) -> None:
        self.content.close()  # type: ignore[attr-defined]  # generators have close()
        get_limits().release(self.lease)


def _start(request: HttpRequest) -> str | None:
    """The id after which the page needs events; None: from now on only."""
    last = request.headers.get("Last-Event-ID") or request.GET.get("last", "")
    return last if parse_id(last) else None


def _response(
    request: HttpRequest, content: Iterable[bytes] | AsyncIterable[bytes]
) -> HttpResponse:
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    patch_cache_control(response, no_cache=True, no_store=True)
    patch_vary_headers(response, ("Cookie",))
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response  # type: ignore[return-value]  # streamed: not an HttpResponse


def _catch_up(bus: Bus, topic: str, start: str, reader: render.Reader) -> tuple[list[bytes], str]:
    """Frames for what the page missed since `start`, and the id it is up to. Raises Gap, or
    ConnectionError when the log can't be read."""
    events = bus.since(topic, start)
    last = events[-1].id if events else start
    return [*render.replay(events, reader), render.frame(last, "caught-up", {})], last


# ---- WSGI: answered at once ---------------------------------------------------------------------


def _poll(bus: Bus, topic: str, start: str | None, reader: render.Reader) -> Iterator[bytes]:
    yield f"retry: {settings.LIVE_POLL_SECONDS * 1000}\n\n".encode()
    if start is None:
        return
    try:
        frames, _ = _catch_up(bus, topic, start, reader)
    except Gap:
        yield RESET
    except ConnectionError:
        pass
    else:
        yield b"".join(frames)


# ---- WSGI: a thread per stream (the development server) -----------------------------------------


def _thread_stream(
    bus: Bus, topic: str, start: str | None, reader: render.Reader, lease: Lease
) -> Iterator[bytes]:
    inbox = ThreadSubscription((topic, FANS_TOPIC), QUEUE_SIZE)
    bus.subscribe(inbox)
    try:
        if not bus.ready(timeout=READY_SECONDS):  # events would be missed: come back later
            yield _bye(30)
            return
        yield RETRY
        seen = ""
        if start is not None:
            try:
                frames, seen = _catch_up(bus, topic, start, reader)
            except Gap:
                yield RESET
                return
            except ConnectionError:
                yield _bye(30)
                return
            if frames:
                yield b"".join(frames)
        opened = last_event = time.monotonic()
        while True:
            event = inbox.get(timeout=PING_SECONDS)
            if inbox.interrupted or inbox.overflowed:
                yield _bye(RETRY_MS / 1000)
                return
            now = time.monotonic()
            if now - opened > settings.LIVE_MAX_SECONDS:
                yield _bye(0)
                return
            if event is None:
                if now - last_event > settings.LIVE_IDLE_SECONDS:
                    yield _bye(0)
                    return
                yield PING
                continue
            if event.topic == topic and not render.newer(event.id, seen):
                continue
            found = render.frames_for(event, [reader])[0]
            if found is not None:
                last_event = now
                yield found
    finally:
        bus.unsubscribe(inbox)
        get_limits().release(lease)


# ---- ASGI: the event loop's readers -------------------------------------------------------------


class Connection:
    """One stream in the event loop: its reader, the frames it was given since the last flush,
    and the chunks flushed to it that it has not sent yet."""

    __slots__ = (
        "closed",
        "early",
        "group",
        "last_sent",
        "pending",
        "ping_due",
        "reader",
        "ready",
        "ready_frames",
        "seen",
        "topic",
        "waiter",
    )

    def __init__(self, reader: render.Reader, topic: str, catching_up: bool) -> None:
        self.reader = reader
        self.topic = topic
        self.group: Group | None = None
        self.pending: list[bytes] = []
        # While the page catches up from the log: what arrived meanwhile, with its id, to be
        # sent only if the log did not already bring it.
        self.early: list[tuple[str, bytes]] | None = [] if catching_up else None
        self.ready: list[bytes] = []
        self.ready_frames = 0
        self.seen = ""  # it has every frame up to this id (from the log, or given on its own)
        self.closed = False  # too far behind, or events were lost: it resumes from the log
        self.ping_due = False
        self.last_sent = time.monotonic()
        self.waiter: asyncio.Future[None] | None = None

    def push(self, event_id: str, data: bytes) -> bool:
        """Take one frame; True when it is the first since the last flush (the dispatcher keeps
        a list of the connections to flush)."""
        if self.closed:
            return False
        if self.early is not None:
            self.early.append((event_id, data))
            if len(self.early) >= QUEUE_SIZE:
                self.close()
            return False
        if self.seen and not render.newer(event_id, self.seen):
            return False
        if len(self.pending) + self.ready_frames >= QUEUE_SIZE:
            self.close()
            return False
        self.pending.append(data)
        if self.group is not None:  # rendered for it alone before it joined: not again
            self.seen = event_id
        return len(self.pending) == 1

    def caught_up(self, seen: str) -> bool:
        """The log brought the page up to `seen`: what arrived meanwhile and is newer follows.
        True when that left frames to flush."""
        early, self.early = self.early or [], None
        self.seen = seen
        for event_id, data in early:
            self.push(event_id, data)
        if early and render.newer(early[-1][0], self.seen):
            self.seen = early[-1][0]
        return bool(self.pending)

    def flushed(self, chunk: bytes, frames: int) -> None:
        if self.ready_frames + frames > QUEUE_SIZE:
            self.close()
            return
        self.ready.append(chunk)
        self.ready_frames += frames
        self.wake()

    def take(self) -> bytes:
        ready, self.ready, self.ready_frames = self.ready, [], 0
        return ready[0] if len(ready) == 1 else b"".join(ready)

    def close(self) -> None:
        self.closed = True
        self.wake()

    def wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        """Until there is something to send, a ping is due, or the stream is to end."""
        while not (self.ready or self.closed or self.ping_due):
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None


class Group:
    """The visitors of one video in one language: every event shows them the same, so each is
    given it once for all of them, and each flush joins their frames once."""

    __slots__ = ("members", "pending", "reader")

    def __init__(self, language: str) -> None:
        self.reader = render.Reader(None, language)
        self.members: set[Connection] = set()
        self.pending: list[tuple[str, bytes]] = []


class Dispatcher:
    """The streams of one event loop, and what they cost together rather than each.

    One task takes events in the order the bus delivers them, as many as have arrived at once,
    and renders them in one trip to a thread, each variant once (community.live.render). A
    signed-in fan's frames are their own (their token, blocks and likes) and wait in their
    stream's list; visitors of one video and language are one group, given each frame once.
    At most every FLUSH_SECONDS one flush hands every stream what it was given, joined once
    for a whole group, and wakes it. One timer, not one per stream, marks pings due. A stream
    that falls QUEUE_SIZE frames behind is closed (its page resumes from the log); no stream is
    ever waited for."""

    _by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dispatcher] = (
        weakref.WeakKeyDictionary()
    )

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop, bus: Bus) -> Dispatcher:
        dispatcher = cls._by_loop.get(loop)
        if dispatcher is None:
            dispatcher = cls._by_loop[loop] = cls(loop, bus)
        return dispatcher

    def __init__(self, loop: asyncio.AbstractEventLoop, bus: Bus) -> None:
        self.loop = loop
        self.bus = bus
        self.inbound: asyncio.Queue[Event] = asyncio.Queue()
        self.connections: set[Connection] = set()
        self.readers: dict[str, set[Connection]] = {}  # given frames one by one, by topic
        self.groups: dict[str, dict[str, Group]] = {}  # visitors, by topic and language
        self.subscriptions: dict[str, LoopSubscription] = {}
        self.dirty: list[Connection] = []  # given frames since the last flush
        self.dirty_groups: list[Group] = []
        self.flush_at: asyncio.TimerHandle | None = None
        self.last_flush = 0.0
        self.sweep_at: asyncio.TimerHandle | None = None
        # A context of its own: not the first request's, whose thread ends with it.
        self.task = loop.create_task(self._run(), context=contextvars.Context())

    # -- who listens

    def add(self, connection: Connection) -> None:
        self.connections.add(connection)
        if connection.reader.user_id is None and connection.early is None:
            self._join(connection)
        else:  # a fan (blocks reach them on the fans' topic), or a visitor catching up
            topics: tuple[str, ...] = (connection.topic,)
            if connection.reader.user_id is not None:
                topics += (FANS_TOPIC,)
            for topic in topics:
                self.readers.setdefault(topic, set()).add(connection)
                self._subscribe(topic)
        if self.sweep_at is None:
            self.sweep_at = self.loop.call_later(self._sweep_every(), self._sweep)

    def caught_up(self, connection: Connection, seen: str) -> None:
        if connection.caught_up(seen):
            self._dirty(connection)
        if connection.reader.user_id is None:  # the group's frames from now on
            self._join(connection)  # first: the topic stays subscribed throughout
            readers = self.readers.get(connection.topic)
            if readers is not None:
                readers.discard(connection)
                if not readers:
                    del self.readers[connection.topic]

    def remove(self, connection: Connection) -> None:
        self.connections.discard(connection)
        self._leave(connection)

    def count(self) -> int:
        return len(self.connections)

    def _join(self, connection: Connection) -> None:
        groups = self.groups.setdefault(connection.topic, {})
        language = connection.reader.language
        group = groups.get(language)
        if group is None:
            group = groups[language] = Group(language)
        group.members.add(connection)
        connection.group = group
        self._subscribe(connection.topic)

    def _leave(self, connection: Connection) -> None:
        group, connection.group = connection.group, None
        if group is not None:
            group.members.discard(connection)
            groups = self.groups[connection.topic]
            if not group.members:
                del groups[group.reader.language]
                if not groups:
                    del self.groups[connection.topic]
        for topic in (connection.topic, FANS_TOPIC):
            readers = self.readers.get(topic)
            if readers is not None:
                readers.discard(connection)
                if not readers:
                    del self.readers[topic]
        for topic in (connection.topic, FANS_TOPIC):
            if topic not in self.readers and topic not in self.groups:
                subscription = self.subscriptions.pop(topic, None)
                if subscription is not None:
                    self.bus.unsubscribe(subscription)

    def _subscribe(self, topic: str) -> None:
        if topic not in self.subscriptions:
            subscription = LoopSubscription(
                (topic,), self.loop, self.inbound.put_nowait, self._interrupted
            )
            self.subscriptions[topic] = subscription
            self.bus.subscribe(subscription)

    def _interrupted(self) -> None:
        for connection in self.connections:
            connection.close()

    # -- pings, idle and overlong streams: one timer for all

    @staticmethod
    def _sweep_every() -> float:
        return min(PING_SECONDS, 20) / 4

    def _sweep(self) -> None:
        self.sweep_at = None
        if not self.connections:
            return
        due = time.monotonic() - PING_SECONDS
        for connection in self.connections:
            if connection.last_sent <= due:
                connection.ping_due = True
                connection.wake()
        self.sweep_at = self.loop.call_later(self._sweep_every(), self._sweep)

    # -- events in, frames out

    async def _run(self) -> None:
        while True:
            batch = [await self.inbound.get()]
            while not self.inbound.empty() and len(batch) < BATCH_SIZE:
                batch.append(self.inbound.get_nowait())
            jobs = []
            for event in batch:
                readers = list(self.readers.get(event.topic, ()))
                groups = list(self.groups.get(event.topic, {}).values())
                if readers or groups:
                    jobs.append((event, readers, groups))
            if not jobs:
                continue
            try:
                rendered = await sync_to_async(_frames_in_thread)(
                    [
                        (event, [c.reader for c in readers] + [g.reader for g in groups])
                        for event, readers, groups in jobs
                    ]
                )
            except Exception:  # the thread itself failed: these readers resume from the log
                logger.exception("Live events not rendered.")
                rendered = [None] * len(jobs)
            for (event, readers, groups), frames in zip(jobs, rendered, strict=True):
                if frames is None:
                    for connection in readers:
                        connection.close()
                    for group in groups:
                        for connection in group.members:
                            connection.close()
                    continue
                for connection, frame in zip(readers, frames, strict=False):
                    if frame is not None and connection.push(event.id, frame):
                        self.dirty.append(connection)
                for group, frame in zip(groups, frames[len(readers) :], strict=True):
                    if frame is not None:
                        group.pending.append((event.id, frame))
                        if len(group.pending) == 1:
                            self.dirty_groups.append(group)
            self._schedule_flush()

    def _dirty(self, connection: Connection) -> None:
        self.dirty.append(connection)
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if self.flush_at is not None or not (self.dirty or self.dirty_groups):
            return
        delay = self.last_flush + FLUSH_SECONDS - self.loop.time()
        if delay <= 0:
            self._flush()
        else:
            self.flush_at = self.loop.call_later(delay, self._flush)

    def _flush(self) -> None:
        self.flush_at = None
        self.last_flush = self.loop.time()
        dirty, self.dirty = self.dirty, []
        for connection in dirty:  # first: a visitor's own frames come before its group's
            pending, connection.pending = connection.pending, []
            if pending and not connection.closed:
                chunk = pending[0] if len(pending) == 1 else b"".join(pending)
                connection.flushed(chunk, len(pending))
        groups, self.dirty_groups = self.dirty_groups, []
        for group in groups:
            given, group.pending = group.pending, []
            if not given:
                continue
            shared = b"".join(frame for _, frame in given)
            last = given[-1][0]
            for connection in group.members:
                if connection.closed:
                    continue
                if connection.seen:  # it was given some of these on its own
                    if render.newer(last, connection.seen):
                        frames = [f for i, f in given if render.newer(i, connection.seen)]
                        connection.seen = ""  # what comes next is newer still
                        connection.flushed(b"".join(frames), len(frames))
                    continue
                connection.flushed(shared, len(given))


def _tidy() -> None:
    """Drop a database connection that is broken or past its age: this thread serves no request,
    whose end would do it (not inside a transaction: the tests' own thread may run this)."""
    if not db_connection.in_atomic_block:
        close_old_connections()


def _frames_in_thread(
    jobs: list[tuple[Event, list[render.Reader]]],
) -> list[list[bytes | None] | None]:
    """Each event's frames for its readers, in order; None for an event that failed (its readers
    resume from the log)."""
    _tidy()
    try:
        render.prepare([event for event, _ in jobs])
    except Exception:  # each event reads its own below
        logger.exception("Live events not read together.")
    results: list[list[bytes | None] | None] = []
    for event, readers in jobs:
        try:
            results.append(render.frames_for(event, readers))
        except Exception:
            logger.exception("Live event %s on %s not rendered.", event.id, event.topic)
            results.append(None)
    return results


def _catch_up_in_thread(
    bus: Bus, topic: str, start: str, reader: render.Reader
) -> tuple[list[bytes], str]:
    try:
        return _catch_up(bus, topic, start, reader)
    finally:
        _close_connections()  # this request's thread stays with its stream, idle: no connection


def _close_connections() -> None:
    for alias in connections:
        if not connections[alias].in_atomic_block:
            connections[alias].close()


async def _loop_stream(
    bus: Bus, topic: str, start: str | None, reader: render.Reader, lease: Lease
) -> AsyncIterator[bytes]:
    dispatcher = Dispatcher.of(asyncio.get_running_loop(), bus)
    connection = Connection(reader, topic, catching_up=start is not None)
    dispatcher.add(connection)
    try:
        waited = 0.0
        while not bus.ready():  # events would be missed until the subscriber is connected
            if waited >= READY_SECONDS:
                yield _bye(30)
                return
            await asyncio.sleep(0.05)
            waited += 0.05
        yield RETRY
        if start is not None:
            try:
                frames, seen = await sync_to_async(_catch_up_in_thread)(bus, topic, start, reader)
            except Gap:
                yield RESET
                return
            except ConnectionError:
                yield _bye(30)
                return
            dispatcher.caught_up(connection, seen)
            if frames:
                yield b"".join(frames)
        opened = last_event = connection.last_sent = time.monotonic()
        while True:
            await connection.wait()
            now = time.monotonic()
            if connection.closed:
                yield _bye(RETRY_MS / 1000)
                return
            if now - opened > settings.LIVE_MAX_SECONDS:
                yield _bye(0)
                return
            connection.last_sent = now
            if connection.ready:
                last_event = now
                yield connection.take()
                continue
            connection.ping_due = False
            if now - last_event > settings.LIVE_IDLE_SECONDS:
                yield _bye(0)
                return
            yield PING
    finally:
        dispatcher.remove(connection)
        get_limits().release(lease)
