"""The live stream of a video page: Server-Sent Events at /live/videos/<slug>/.

Why Server-Sent Events and not WebSockets: everything moves one way, server to page (fans still
write through the page's forms, which work without JavaScript and keep their CSRF checks, rate
limits and services); the browser's EventSource reconnects by itself and sends the last event
id it saw, which is exactly the resume this needs; it is plain HTTP, so the load balancer, the
Content-Security-Policy (connect-src 'self') and the session cookie need nothing new; and Django
streams it from an async iterator under any ASGI server, with no Channels layer to run.

Under ASGI (the event-stream servers `make serve` runs) a stream holds no thread: the request's
checks run once, then the stream waits in the event loop. The loop's dispatcher takes each event
once, renders it once per variant for all its readers (community.live.render) and puts ready
bytes in each reader's bounded queue: a reader too slow to keep up is dropped (its page resumes
from the log), never waited for. Each stream sends at most one chunk every FLUSH_SECONDS,
whatever arrives meanwhile together.

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
from django.db import close_old_connections, connection, connections
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
    """One stream in the event loop: its reader and the frames ready for it."""

    def __init__(self, reader: render.Reader, topic: str) -> None:
        self.reader = reader
        self.topic = topic
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.seen = ""  # frames up to this id came from the log
        self.closed = asyncio.Event()

    def push(self, event_id: str, data: bytes) -> None:
        if self.seen and not render.newer(event_id, self.seen):
            return
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:
            self.closed.set()  # too far behind: it resumes from the log


class Dispatcher:
    """The readers of one event loop, by topic, and the one task that renders each event for
    them in the order the bus delivers events."""

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
        self.readers: dict[str, set[Connection]] = {}
        self.subscriptions: dict[str, LoopSubscription] = {}
        # A context of its own: not the first request's, whose thread ends with it.
        self.task = loop.create_task(self._run(), context=contextvars.Context())

    def add(self, connection: Connection) -> None:
        for topic in (connection.topic, FANS_TOPIC):
            self.readers.setdefault(topic, set()).add(connection)
            if topic not in self.subscriptions:
                subscription = LoopSubscription(
                    (topic,), self.loop, self.inbound.put_nowait, self._interrupted
                )
                self.subscriptions[topic] = subscription
                self.bus.subscribe(subscription)

    def remove(self, connection: Connection) -> None:
        for topic in (connection.topic, FANS_TOPIC):
            readers = self.readers.get(topic)
            if readers is None:
                continue
            readers.discard(connection)
            if not readers:
                del self.readers[topic]
                self.bus.unsubscribe(self.subscriptions.pop(topic))

    def count(self) -> int:
        return sum(len(r) for t, r in self.readers.items() if t != FANS_TOPIC)

    def _interrupted(self) -> None:
        for readers in self.readers.values():
            for reader in readers:
                reader.closed.set()

    async def _run(self) -> None:
        while True:
            event = await self.inbound.get()
            connections = list(self.readers.get(event.topic, ()))
            if not connections:
                continue
            try:
                frames = await sync_to_async(_frames_in_thread)(
                    event, [c.reader for c in connections]
                )
            except Exception:
                logger.exception("Live event %s on %s not rendered.", event.id, event.topic)
                for connection in connections:  # they resume from the log
                    connection.closed.set()
                continue
            for connection, found in zip(connections, frames, strict=True):
                if found is not None:
                    connection.push(event.id, found)


def _tidy() -> None:
    """Drop a database connection that is broken or past its age: this thread serves no request,
    whose end would do it (not inside a transaction: the tests' own thread may run this)."""
    if not connection.in_atomic_block:
        close_old_connections()


def _frames_in_thread(event: Event, readers: list[render.Reader]) -> list[bytes | None]:
    _tidy()
    return render.frames_for(event, readers)


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
    connection = Connection(reader, topic)
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
                frames, connection.seen = await sync_to_async(_catch_up_in_thread)(
                    bus, topic, start, reader
                )
            except Gap:
                yield RESET
                return
            except ConnectionError:
                yield _bye(30)
                return
            if frames:
                yield b"".join(frames)
        opened = last_event = time.monotonic()
        closed = asyncio.ensure_future(connection.closed.wait())
        getter: asyncio.Future[bytes] | None = None
        try:
            while True:
                getter = asyncio.ensure_future(connection.queue.get())
                await asyncio.wait(
                    {getter, closed}, timeout=PING_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                now = time.monotonic()
                if connection.closed.is_set():
                    yield _bye(RETRY_MS / 1000)
                    return
                if now - opened > settings.LIVE_MAX_SECONDS:
                    yield _bye(0)
                    return
                if not getter.done():
                    getter.cancel()
                    if now - last_event > settings.LIVE_IDLE_SECONDS:
                        yield _bye(0)
                        return
                    yield PING
                    continue
                chunk = [getter.result()]
                while not connection.queue.empty():
                    chunk.append(connection.queue.get_nowait())
                last_event = now
                yield b"".join(chunk)
                await asyncio.sleep(FLUSH_SECONDS)  # what arrives meanwhile goes in one chunk
        finally:
            closed.cancel()
            if getter is not None:
                getter.cancel()
    finally:
        dispatcher.remove(connection)
        get_limits().release(lease)
