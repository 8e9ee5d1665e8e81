"""How many live streams one fan, and one address, may hold open at once, on all servers.

With Redis, each open stream is a lease in two sorted sets (the fan's and the address's),
scored by when it lapses: a server that dies leaves leases that lapse by themselves within
LEASE_SECONDS. Each server renews its streams' leases in one round trip every few seconds, from
a thread of its own, and hands back a closed stream's at once. Without Redis, or while it is
down, each server counts its own streams against the same caps (so a fan could hold the cap on
each server for the length of an outage: bounded, and a stream costs a fan nothing to hold).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings

from community.live.bus import RedisBus, get_bus

logger = logging.getLogger(__name__)

LEASE_SECONDS = 60
RENEW_SECONDS = 15

# KEYS: the sets; ARGV: now (ms), lapses at (ms), the lease's id, then each set's cap (0: none).
# Returns 0, or the position of the first set that is full.
_ACQUIRE = """
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
  local cap = tonumber(ARGV[3 + i])
  if cap > 0 and redis.call('ZCARD', key) >= cap then return i end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[2], ARGV[3])
  redis.call('PEXPIREAT', key, ARGV[2])
end
return 0
"""


@dataclass(eq=False)
class Lease:
    id: str
    keys: tuple[str, ...]
    shared: bool  # held in Redis, not only counted here


def _forget(pipe: Any, leases: Iterable[Lease]) -> None:
    """Queue the removal of handed-back leases from their sets on a Redis pipeline."""
    for lease in leases:
        for key in lease.keys:
            pipe.zrem(key, lease.id)


class Limits:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local: collections.Counter[str] = collections.Counter()
        self._held: set[Lease] = set()
        self._released: list[Lease] = []
        self._removing: list[Lease] = []  # taken by the thread, not yet removed from Redis
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.bus = bus = get_bus()
        self._redis = bus if isinstance(bus, RedisBus) else None
        self._acquire = self._redis.client.register_script(_ACQUIRE) if self._redis else None

    def _key(self, kind: str, value: object) -> str:
        prefix = self._redis.prefix if self._redis else ""
        return f"{prefix}:live:streams:{kind}:{value}"

    def acquire(self, user_id: int | None, address: str | None) -> Lease | None:
        """A lease for one more stream, or None when the fan or the address holds the cap."""
        caps: list[tuple[str, int]] = []
        if user_id is not None:
            caps.append((self._key("fan", user_id), settings.LIVE_STREAMS_PER_FAN))
        if address:
            caps.append((self._key("address", address), settings.LIVE_STREAMS_PER_ADDRESS))
        lease = Lease(uuid.uuid4().hex, tuple(key for key, _ in caps), shared=False)
        if self._redis is not None and self._acquire is not None and caps:
            # Leases handed back but not yet removed by the thread go first, in the same round
            # trip: a fan who closes a page and opens another at once is not refused for it.
            with self._lock:
                released, self._released = self._released, []
                removing = list(self._removing)  # the thread's round trip may not be done
            now = int(time.time() * 1000)
            try:
                with self._redis.client.pipeline(transaction=False) as pipe:
                    _forget(pipe, [*released, *removing])
                    self._acquire(
                        keys=list(lease.keys),
                        args=[now, now + LEASE_SECONDS * 1000, lease.id, *(cap for _, cap in caps)],
                        client=pipe,
                    )
                    full = pipe.execute()[-1]
            except (redis.RedisError, OSError):
                with self._lock:
                    self._released[:0] = released  # the thread tries again
                # counted here alone, below
            else:
                if full:
                    return None
                lease.shared = True
        with self._lock:
            if not lease.shared and any(
                cap and self._local[key] >= cap for key, cap in caps if key
            ):
                return None
            self._local.update(lease.keys)
            self._held.add(lease)
        if lease.shared:
            self._ensure_thread()
        return lease

    def release(self, lease: Lease) -> None:
        """Hand the lease back (safe to call from an event loop: Redis is told by the thread)."""
        with self._lock:
            if lease not in self._held:
                return
            self._held.discard(lease)
            self._local.subtract(lease.keys)
            self._local += collections.Counter()  # drop the zeros
            if lease.shared:
                self._released.append(lease)
                self._wake.set()

    def held(self) -> int:
        with self._lock:
            return len(self._held)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._keep, name="live-leases", daemon=True)
                self._thread.start()

    def _keep(self) -> None:
        assert self._redis is not None
        renewed = 0.0
        while True:
            self._wake.wait(timeout=RENEW_SECONDS)
            self._wake.clear()
            with self._lock:
                released, self._released = self._released, []
                self._removing = released
                held = [lease for lease in self._held if lease.shared]
            renew = time.monotonic() - renewed >= RENEW_SECONDS
            if not released and not renew:
                continue
            try:
                with self._redis.client.pipeline(transaction=False) as pipe:
                    _forget(pipe, released)
                    if renew:
                        lapses = int((time.time() + LEASE_SECONDS) * 1000)
                        for lease in held:
                            for key in lease.keys:
                                pipe.zadd(key, {lease.id: lapses}, xx=True)
                                pipe.pexpireat(key, lapses)
                    pipe.execute()
                if renew:
                    renewed = time.monotonic()
            except (redis.RedisError, OSError) as error:
                logger.info("Live stream leases not renewed (%s); they lapse by themselves.", error)
            finally:
                with self._lock:
                    self._removing = []


_limits: Limits | None = None
_limits_lock = threading.Lock()


def get_limits() -> Limits:
    global _limits
    with _limits_lock:
        # Built anew if the bus was (tests point it at another Redis): its leases live there.
        if _limits is None or _limits.bus is not get_bus():
            _limits = Limits()
        return _limits
