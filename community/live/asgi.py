"""ASGI middleware for the event-stream servers: how many live streams are being started at once.

Starting a stream checks its request in a thread of its own, with a database connection of its
own, until the view hands the stream to the event loop. When thousands of pages open their
streams at once (a premiere, or a server's streams all reconnecting after a restart), that would
be thousands of database connections at once: PostgreSQL refuses those past its limit, and the
pages are answered 503. At most LIVE_STREAM_STARTS streams of a server process are started at
once; the others wait their turn in the event loop, which costs them nothing but the wait.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

PREFIX = "/live/"


class StreamStarts:
    def __init__(self, app: App) -> None:
        self.app = app
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = settings.LIVE_STREAM_STARTS
        if scope["type"] != "http" or not limit or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        semaphore = self._by_loop.get(loop)
        if semaphore is None:
            semaphore = self._by_loop[loop] = asyncio.Semaphore(limit)
        await semaphore.acquire()
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                semaphore.release()

        async def started(message: Message) -> None:
            if message["type"] == "http.response.start":  # checked: the stream is the loop's
                release()
            await send(message)

        try:
            await self.app(scope, receive, started)
        finally:
            release()
