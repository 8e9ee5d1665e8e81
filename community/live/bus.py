"""The live event bus: a write publishes a small event on a topic ("video:12"); every process
that has a reader of that topic hears it, in order, however many servers there are.

Two backends, chosen by REDIS_URL. With Redis, publishing is one script that appends the event
to the topic's log (a Redis stream, bounded in length and age) and announces it on one pub/sub
channel, atomically, so the order readers hear events in is the order of their ids. Each process
keeps one subscriber thread. Without Redis (the development server), an in-process log and
delivery do the same inside one process.

Event ids are Redis stream ids, "<milliseconds>-<sequence>", increasing within a topic: a reader
that reconnects with the last id it saw is given everything after it from the log, or told that
the log no longer reaches that far (a gap), never a duplicate.

Publishing never fails a write: with Redis down it logs once per outage and skips Redis for a
few seconds; readers on that topic are told to come back when the subscriber reconnects.

Site-wide machinery: this module imports no app.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# The bus's own channel and log keys, beside the cache's (KEY_PREFIX keeps sites apart).
CHANNEL = "live:events"
LOG_KEY = "live:log:{topic}"
OUTAGE_PAUSE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Event:
    id: str  # "<ms>-<seq>"
    topic: str
    data: dict[str, Any]


def parse_id(event_id: str) -> tuple[int, int] | None:
    """(ms, seq) of an event id, or None for anything else (a bad Last-Event-ID)."""
    ms, dash, seq = event_id.partition("-")
    if not dash or not (ms.isdigit() and seq.isdigit()) or len(event_id) > 40:
        return None
    return int(ms), int(seq)


def id_at(milliseconds: int) -> str:
    """The id just before any event published at or after this time."""
    return f"{max(milliseconds, 0)}-0"


class Gap(Exception):
    """The log no longer reaches back to the reader's last event: it must reload."""


# ---- Subscriptions: the readers of this process -------------------------------------------------


class Subscription:
    """One reader's inbox of events on its topics. `deliver` may be called from any thread; the
    inbox is bounded, and a reader that falls that far behind is `overflowed` (its stream ends
    and the browser resumes from the log), so it never holds up the others."""

    loop: asyncio.AbstractEventLoop | None = None
    overflowed = False
    interrupted = False  # the bus lost events it would have delivered (Redis went away)

    def __init__(self, topics: tuple[str, ...]) -> None:
        self.topics = topics

    def deliver(self, event: Event) -> None:
        raise NotImplementedError

    def interrupt(self) -> None:
        self.interrupted = True
        self.wake()

    def wake(self) -> None:
        raise NotImplementedError


class ThreadSubscription(Subscription):
    """For a reader served by a thread of its own (the development server)."""

    def __init__(self, topics: tuple[str, ...], size: int) -> None:
        super().__init__(topics)
        self.inbox: queue.Queue[Event | None] = queue.Queue(maxsize=size)

    def deliver(self, event: Event) -> None:
        try:
            self.inbox.put_nowait(event)
        except queue.Full:
            self.overflowed = True

    def wake(self) -> None:
        with contextlib.suppress(queue.Full):
            self.inbox.put_nowait(None)

    def get(self, timeout: float) -> Event | None:
        """The next event, or None after `timeout` seconds or when woken."""
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            return None


class LoopSubscription(Subscription):
    """For readers served by an event loop (the ASGI server): `deliver` runs in the loop (the
    hub hands events over once per loop, not once per reader) and calls `on_event`."""

    def __init__(
        self,
        topics: tuple[str, ...],
        loop: asyncio.AbstractEventLoop,
        on_event: Callable[[Event], None],
        on_wake: Callable[[], None],
    ) -> None:
        super().__init__(topics)
        self.loop = loop
        self.on_event = on_event
        self.on_wake = on_wake

    def deliver(self, event: Event) -> None:
        self.on_event(event)

    def wake(self) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():  # never None here: set on creation
            return
        loop.call_soon_threadsafe(self.on_wake)


class Hub:
    """This process's readers by topic, and delivery to them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_topic: dict[str, set[Subscription]] = collections.defaultdict(set)

    def add(self, subscription: Subscription) -> None:
        with self._lock:
            for topic in subscription.topics:
                self._by_topic[topic].add(subscription)

    def remove(self, subscription: Subscription) -> None:
        with self._lock:
            for topic in subscription.topics:
                readers = self._by_topic.get(topic)
                if readers is not None:
                    readers.discard(subscription)
                    if not readers:
                        del self._by_topic[topic]

    def listening(self, topic: str) -> bool:
        return topic in self._by_topic

    def count(self) -> int:
        with self._lock:
            return len({s for readers in self._by_topic.values() for s in readers})

    def deliver(self, event: Event) -> None:
        with self._lock:
            readers = list(self._by_topic.get(event.topic, ()))
        by_loop: dict[asyncio.AbstractEventLoop, list[Subscription]] = {}
        for reader in readers:
            if reader.loop is None:
                reader.deliver(event)
            else:
                by_loop.setdefault(reader.loop, []).append(reader)
        for loop, group in by_loop.items():
            if not loop.is_closed():
                loop.call_soon_threadsafe(_deliver_all, group, event)

    def interrupt_all(self) -> None:
        with self._lock:
            readers = {s for group in self._by_topic.values() for s in group}
        for reader in readers:
            reader.interrupt()


def _deliver_all(readers: list[Subscription], event: Event) -> None:
    for reader in readers:
        reader.deliver(event)


# ---- Backends -----------------------------------------------------------------------------------


class Bus:
    def __init__(self) -> None:
        self.hub = Hub()

    def publish(self, topic: str, data: dict[str, Any], *, logged: bool = True) -> str | None:
        """Publish an event; its id, or None if it could not be (never raises). Unlogged
        events (`logged=False`) reach current readers only and are never replayed."""
        raise NotImplementedError

    def since(self, topic: str, after: str) -> list[Event]:
        """The logged events of `topic` after id `after`, oldest first. Raises Gap when some
        were dropped from the log, and ConnectionError when the log can't be read."""
        raise NotImplementedError

    def last_id(self, topic: str) -> str | None:
        """The id of the topic's last logged event ("0-0" for none), or None if the log can't
        be read."""
        raise NotImplementedError

    def subscribe(self, subscription: Subscription) -> None:
        self.hub.add(subscription)

    def unsubscribe(self, subscription: Subscription) -> None:
        self.hub.remove(subscription)

    def ready(self, timeout: float = 0) -> bool:
        """Whether events published from now on reach this process's readers."""
        return True


class InProcessBus(Bus):
    """One process's events (the development server, or tests): a bounded log per topic."""

    MAX_TOPICS = 1000

    def __init__(self, log_length: int) -> None:
        super().__init__()
        self.log_length = log_length
        self._lock = threading.Lock()
        self._logs: collections.OrderedDict[str, collections.deque[Event]] = (
            collections.OrderedDict()
        )
        self._dropped: dict[str, tuple[int, int]] = {}  # newest id that fell off each log
        self._last = (0, 0)

    def _next_id(self) -> str:
        ms = int(time.time() * 1000)
        last_ms, last_seq = self._last
        self._last = (ms, 0) if ms > last_ms else (last_ms, last_seq + 1)
        return f"{self._last[0]}-{self._last[1]}"

    def publish(self, topic: str, data: dict[str, Any], *, logged: bool = True) -> str | None:
        with self._lock:  # ids, log and delivery in one order
            event = Event(self._next_id(), topic, data)
            if logged:
                log = self._logs.get(topic)
                if log is None:
                    log = self._logs[topic] = collections.deque()
                    while len(self._logs) > self.MAX_TOPICS:
                        oldest, dropped = self._logs.popitem(last=False)
                        if dropped:
                            self._dropped[oldest] = parse_id(dropped[-1].id) or (0, 0)
                self._logs.move_to_end(topic)
                log.append(event)
                if len(log) > self.log_length:
                    self._dropped[topic] = parse_id(log.popleft().id) or (0, 0)
            self.hub.deliver(event)
        return event.id

    def since(self, topic: str, after: str) -> list[Event]:
        position = parse_id(after) or (0, 0)
        with self._lock:
            if self._dropped.get(topic, (-1, -1)) > position:
                raise Gap(topic)
            return [e for e in self._logs.get(topic, ()) if (parse_id(e.id) or (0, 0)) > position]

    def last_id(self, topic: str) -> str | None:
        with self._lock:
            log = self._logs.get(topic)
            return log[-1].id if log else "0-0"

    def clear(self) -> None:
        """Forget every log (tests)."""
        with self._lock:
            self._logs.clear()
            self._dropped.clear()


# KEYS[1]: the topic's log; ARGV: max length, age in ms, channel, topic, payload, logged (1/0).
_PUBLISH = """
local id = '0-0'
if ARGV[6] == '1' then
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
redis.call('PUBLISH', ARGV[3], id .. '\\n' .. ARGV[4] .. '\\n' .. ARGV[5])
return id
"""


class RedisBus(Bus):
    """Events through Redis: a log per topic (a stream) and one pub/sub channel."""

    def __init__(self, url: str, prefix: str, log_length: int, log_seconds: int) -> None:
        super().__init__()
        self.url = url
        self.prefix = prefix
        self.channel = f"{prefix}:{CHANNEL}"
        self.log_length = log_length
        self.log_seconds = log_seconds
        # Writes wait on a dead Redis for a short, bounded time.
        self.client = redis.Redis.from_url(
            url, socket_connect_timeout=0.5, socket_timeout=0.5, health_check_interval=30
        )
        self._script = self.client.register_script(_PUBLISH)
        self._paused_until = 0.0
        self._outage = False
        self._listener: threading.Thread | None = None
        self._listener_lock = threading.Lock()
        self._connected = threading.Event()

    def log_key(self, topic: str) -> str:
        return f"{self.prefix}:{LOG_KEY.format(topic=topic)}"

    # -- publishing

    def _failed(self, error: Exception) -> None:
        self._paused_until = time.monotonic() + OUTAGE_PAUSE_SECONDS
        if not self._outage:
            self._outage = True
            logger.warning(
                "Live events are not reaching Redis (%s): pages update on reload.", error
            )

    def publish(self, topic: str, data: dict[str, Any], *, logged: bool = True) -> str | None:
        if time.monotonic() < self._paused_until:
            return None
        payload = json.dumps(data, separators=(",", ":"))
        try:
            event_id = self._script(
                keys=[self.log_key(topic)],
                args=[
                    self.log_length,
                    self.log_seconds * 1000,
                    self.channel,
                    topic,
                    payload,
                    "1" if logged else "0",
                ],
            )
        except (redis.RedisError, OSError) as error:
            self._failed(error)
            return None
        if self._outage:
            self._outage = False
            logger.warning("Live events reach Redis again.")
        return event_id.decode() if isinstance(event_id, bytes) else str(event_id)

    # -- reading the log

    def since(self, topic: str, after: str) -> list[Event]:
        position = parse_id(after) or (0, 0)
        key = self.log_key(topic)
        try:
            with self.client.pipeline(transaction=False) as pipe:
                pipe.xrange(key, min=f"({position[0]}-{position[1]}", max="+")
                pipe.xinfo_stream(key)
                rows, info = pipe.execute(raise_on_error=False)
        except (redis.RedisError, OSError) as error:
            raise ConnectionError(str(error)) from error
        if isinstance(rows, Exception):
            raise ConnectionError(str(rows))
        if isinstance(info, redis.ResponseError):  # no such key: nothing logged, or expired
            if position[0] and position[0] < (time.time() - self.log_seconds) * 1000:
                raise Gap(topic)  # it may have held events after the reader's
            info = {}
        elif isinstance(info, Exception):
            raise ConnectionError(str(info))
        dropped = info.get("max-deleted-entry-id", b"0-0")
        dropped_id = parse_id(dropped.decode() if isinstance(dropped, bytes) else str(dropped))
        if dropped_id and dropped_id > position:
            raise Gap(topic)
        events = []
        for raw_id, fields in rows:
            event_id = raw_id.decode() if isinstance(raw_id, bytes) else raw_id
            events.append(Event(event_id, topic, json.loads(fields[b"e"])))
        return events

    def last_id(self, topic: str) -> str | None:
        if time.monotonic() < self._paused_until:
            return None
        try:
            rows = self.client.xrevrange(self.log_key(topic), count=1)
        except (redis.RedisError, OSError) as error:
            self._failed(error)
            return None
        if not rows:
            return "0-0"
        event_id = rows[0][0]
        return event_id.decode() if isinstance(event_id, bytes) else str(event_id)

    # -- hearing events: one subscriber thread per process

    def subscribe(self, subscription: Subscription) -> None:
        super().subscribe(subscription)
        self._ensure_listener()

    def ready(self, timeout: float = 0) -> bool:
        """Whether events published from now on reach this process's readers (the subscriber
        is connected), waiting up to `timeout` seconds for it."""
        self._ensure_listener()
        return self._connected.wait(timeout=timeout)

    def _ensure_listener(self) -> None:
        with self._listener_lock:
            if self._listener is None or not self._listener.is_alive():
                self._listener = threading.Thread(
                    target=self._listen, name="live-events", daemon=True
                )
                self._listener.start()

    def _listen(self) -> None:
        delay = 0.5
        while True:
            client = redis.Redis.from_url(
                self.url, socket_connect_timeout=2, socket_keepalive=True, health_check_interval=15
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                self._connected.set()
                delay = 0.5
                while True:
                    message = pubsub.get_message(timeout=15)
                    if message is None:
                        pubsub.ping()  # a dead connection raises here rather than hanging
                        continue
                    if message["type"] != "message":  # the answer to a ping
                        continue
                    event_id, topic, payload = message["data"].decode().split("\n", 2)
                    if self.hub.listening(topic):
                        self.hub.deliver(Event(event_id, topic, json.loads(payload)))
            except Exception as error:  # anything: the thread must come back
                if self._connected.is_set():
                    logger.warning("Live events: lost Redis (%s); reconnecting.", error)
                self._connected.clear()
                # What was published meanwhile is in the logs: readers resume from them.
                self.hub.interrupt_all()
            finally:
                with contextlib.suppress(Exception):
                    pubsub.close()
                    client.close()
            time.sleep(delay)
            delay = min(delay * 2, 10)


_bus_lock = threading.Lock()


def get_bus() -> Bus:
    """This process's bus: Redis when REDIS_URL is set, else in-process. One per process, even
    when the first streams' threads ask for it at once (two would mean two subscribers)."""
    with _bus_lock:
        return _bus()


def forget_bus() -> None:
    """Make the next get_bus() build the bus anew from the settings (tests)."""
    with _bus_lock:
        _bus.cache_clear()


@functools.cache
def _bus() -> Bus:
    if settings.REDIS_URL:
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "") or "fansite"
        return RedisBus(
            settings.REDIS_URL, prefix, settings.LIVE_LOG_LENGTH, settings.LIVE_LOG_SECONDS
        )
    return InProcessBus(settings.LIVE_LOG_LENGTH)
