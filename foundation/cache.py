"""Django's Redis cache backend, reusing one redis-py client per connection pool, and serving on
when Redis is away.

Django's RedisCacheClient makes a new redis.Redis for every operation, and redis-py builds its
table of response callbacks (a few hundred entries) in each, which cost more than the round trip
to Redis (docs/performance.md, "Decisions"). A client is only the pool and that table, and is
safe to share between threads, so one per pool is kept. incr() and counting several counters
at once are one round trip each.

A cache is an optimisation, so a Redis that is down, slow or restarting is a miss, never an
error (README, "When Redis is away"):

- Every call waits on Redis for TIMEOUT_SECONDS at most (connect and read), with no retries.
- After a failure the process skips Redis for RETRY_SECONDS (a circuit breaker), then tries
  again on the next call; one log line when it goes, one when it is back.
- Reads are misses and writes are skipped: pages, fragments and sessions come from the
  database. The keys whose writes Redis missed are deleted from it when it answers again, so
  nothing written meanwhile (a new rating, a logout) is hidden by an older copy kept there.
- Counters that bound abuse (write limits, API throttles, allauth's login and mail limits: the
  keys starting with one of LOCAL_PREFIXES) count in this process's memory meanwhile instead:
  each process keeps its own count, so a client gets at most the limit times the number of
  processes, rather than no limit at all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis as redis_py
from django.core.cache.backends import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# What a call waits on Redis at most: connecting, then each answer.
TIMEOUT_SECONDS = 0.3
# After a failure, Redis is left alone this long before the next call tries it again.
RETRY_SECONDS = 5.0
# Counters kept in each process's memory while Redis is away (cache keys as the callers name
# them): community/ratelimit.py, DRF's throttles (foundation/api.py) and allauth's rate limits.
LOCAL_PREFIXES = ("ratelimit:", "throttle_", "allauth:rl:")
LOCAL_MAX_ENTRIES = 50_000
# Keys whose writes Redis missed, deleted from it when it is back. Beyond this many, every key
# under the site's prefix is deleted instead (a long outage under heavy writes).
MAX_MISSED = 100_000
# Redis's own errors, and the socket's (a reset connection can surface as either).
FAILURES = (redis_py.RedisError, OSError)

# Django's incr() asks EXISTS, then INCRBY: two round trips. This is one, with the same answer.
_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('INCRBY', KEYS[1], ARGV[1])
"""


class _RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._incr_existing: Any = None

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's private API
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]  # Django's private API
        return client

    def incr(self, key: Any, delta: int) -> int:
        client = self.get_client(key, write=True)
        if self._incr_existing is None:  # sent by its hash (EVALSHA) once Redis knows it
            self._incr_existing = client.register_script(_INCR_EXISTING)
        value = self._incr_existing(keys=[key], args=[delta], client=client)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class Circuit:
    """Whether Redis is usable from this process: one per server address, shared by the
    threads (Django makes a cache object per thread)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lock = threading.Lock()
        self.recovering = threading.Lock()
        self.down_since: float | None = None  # monotonic; None while Redis answers
        self.retry_at = 0.0
        self.error = ""
        self.failures = 0  # how many times it failed: clients drop their connections after one
        self.missed: set[str] = set()
        self.missed_too_many = False

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def failed(self, error: BaseException) -> None:
        with self.lock:
            self.retry_at = time.monotonic() + RETRY_SECONDS
            self.failures += 1
            if self.down_since is None:
                self.down_since = time.monotonic()
                self.error = error.__class__.__name__
                logger.warning(
                    "The cache (%s) is unreachable (%s: %s): serving from the database, "
                    "trying it again every %g seconds.",
                    self.name,
                    self.error,
                    error,
                    RETRY_SECONDS,
                )

    def miss(self, keys: Iterable[str]) -> bool:
        """Redis may hold an older value of these keys than the database now has: they are
        deleted there when it is back. False if it is back already (the caller deletes them)."""
        with self.lock:
            if self.down_since is None:
                return False
            if not self.missed_too_many:
                self.missed.update(keys)
                if len(self.missed) > MAX_MISSED:
                    self.missed_too_many = True
                    self.missed.clear()
            return True

    def take_missed(self) -> tuple[set[str], bool]:
        """The keys to delete from Redis, and whether there were too many to keep (delete all)."""
        with self.lock:
            missed, self.missed = self.missed, set()
            flush, self.missed_too_many = self.missed_too_many, False
        return missed, flush

    def back(self) -> set[str]:
        """Redis answers again: the keys missed since take_missed(), for the caller to delete."""
        with self.lock:
            outage = time.monotonic() - (self.down_since or time.monotonic())
            self.down_since = None
            self.error = ""
            missed, self.missed = self.missed, set()
        logger.warning("The cache (%s) answers again after %.0f seconds.", self.name, outage)
        return missed


_circuits: dict[str, Circuit] = {}
_circuits_lock = threading.Lock()


def _circuit(name: str) -> Circuit:
    with _circuits_lock:
        return _circuits.setdefault(name, Circuit(name))


class RedisCache(redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        options = {
            "socket_connect_timeout": TIMEOUT_SECONDS,
            "socket_timeout": TIMEOUT_SECONDS,
            "retry": Retry(NoBackoff(), 0),  # the breaker decides when to try again
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _RedisCacheClient
        location = ",".join(self._servers)  # type: ignore[attr-defined]  # Django's private API
        self.circuit = _circuit(f"{location} {self.key_prefix}")
        self._local = LocMemCache(
            f"fansite-while-redis-is-away:{location}:{self.key_prefix}",
            {"OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}, "TIMEOUT": params.get("TIMEOUT", 300)},
        )
        self._failures_seen = 0

    # -- the breaker

    def outage(self) -> str | None:
        """None while Redis answers; else what went wrong (for /readyz)."""
        return (self.circuit.error or None) if self.circuit.down else None

    def _usable(self) -> bool:
        """Whether to send this call to Redis: yes while it answers; during an outage, once
        RETRY_SECONDS have passed, after deleting what it missed (one thread does that)."""
        circuit = self.circuit
        if circuit.failures != self._failures_seen:
            # Connections opened before a failure may be dead (Redis restarted): new ones.
            self._failures_seen = circuit.failures
            self._drop_connections()
        if not circuit.down:
            return True
        if time.monotonic() < circuit.retry_at or not circuit.recovering.acquire(blocking=False):
            return False
        try:
            missed, flush = circuit.take_missed()
            try:
                self._forget(missed, flush=flush)
            except FAILURES as error:
                circuit.failed(error)
                circuit.miss(missed)
                circuit.missed_too_many = circuit.missed_too_many or flush
                return False
            # Writes skipped while the first keys were deleted; any after this are deleted by
            # their own callers (miss() answers False once Redis is back).
            missed = circuit.back()
            try:
                self._forget(missed, flush=False)
            except FAILURES as error:
                circuit.failed(error)
                circuit.miss(missed)
                return False
            return True
        finally:
            circuit.recovering.release()

    def _drop_connections(self) -> None:
        if "_cache" in self.__dict__:
            for pool in self._cache._pools.values():  # type: ignore[attr-defined]  # private API
                pool.disconnect()

    def _forget(self, keys: set[str], *, flush: bool) -> None:
        client = self._cache.get_client(write=True)
        client.ping()
        if flush and self.key_prefix:
            batch = []
            for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.unlink(*batch)
                    batch.clear()
            if batch:
                client.unlink(*batch)
        ordered = sorted(keys)
        for start in range(0, len(ordered), 1000):
            client.unlink(*ordered[start : start + 1000])

    def _call(
        self,
        keys: list[str],
        version: int | None,
        call: Callable[[], Any],
        local: Callable[[], Any],
        missed: Any,
        *,
        writes: bool,
    ) -> Any:
        """call() with Redis; while it is away, local() for counters, else `missed`."""
        if self._usable():
            try:
                return call()
            except FAILURES as error:
                self.circuit.failed(error)
        if all(key.startswith(LOCAL_PREFIXES) for key in keys):
            return local()
        if writes:
            made = [self.make_key(key, version=version) for key in keys]
            if not self.circuit.miss(made):
                # Another thread found Redis back since this call skipped it: delete them now.
                try:
                    self._cache.get_client(write=True).unlink(*made)
                except FAILURES as error:
                    self.circuit.failed(error)
                    self.circuit.miss(made)
        return missed

    # -- Django's operations

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._call(
            [key],
            version,
            lambda: super(RedisCache, self).add(key, value, timeout, version),
            lambda: self._local.add(key, value, timeout, version),
            False,
            writes=True,
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call(
            [key],
            version,
            lambda: super(RedisCache, self).get(key, default, version),
            lambda: self._local.get(key, default, version),
            default,
            writes=False,
        )

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._call(
            [key],
            version,
            lambda: super(RedisCache, self).set(key, value, timeout, version),
            lambda: self._local.set(key, value, timeout, version),
            None,
            writes=True,
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._call(
            [key],
            version,
            lambda: super(RedisCache, self).touch(key, timeout, version),
            lambda: self._local.touch(key, timeout, version),
            False,
            writes=True,
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._call(
            [key],
            version,
            lambda: super(RedisCache, self).delete(key, version),
            lambda: self._local.delete(key, version),
            False,
            writes=True,
        )

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._call(
            keys,
            version,
            lambda: super(RedisCache, self).get_many(keys, version),
            lambda: self._local.get_many(keys, version),
            {},
            writes=False,
        )

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._call(
            [key],
            version,
            lambda: super(RedisCache, self).has_key(key, version),
            lambda: self._local.has_key(key, version),
            False,
            writes=False,
        )

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found.")  # as for a key Redis doesn't hold

        outcome = self._call(
            [key],
            version,
            lambda: super(RedisCache, self).incr(key, delta, version),
            lambda: self._local.incr(key, delta, version),
            missing,
            writes=True,
        )
        return missing() if outcome is missing else outcome

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list:
        data = dict(data)
        return self._call(
            list(data),
            version,
            lambda: super(RedisCache, self).set_many(data, timeout, version),
            lambda: self._local.set_many(data, timeout, version),
            [],  # nothing to report as failed: the value is simply not kept
            writes=True,
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        keys = list(keys)
        self._call(
            keys,
            version,
            lambda: super(RedisCache, self).delete_many(keys, version),
            lambda: self._local.delete_many(keys, version),
            None,
            writes=True,
        )

    def clear(self) -> None:
        self._local.clear()
        if self._usable():
            try:
                super().clear()
            except FAILURES as error:
                self.circuit.failed(error)

    def incr_counters(self, keys: list[str], timeout: int) -> list[int]:
        """Count one more in each counter, creating it with the timeout if new: one round trip
        for all of them, where add() then incr() is two per counter."""

        def in_redis() -> list[int]:
            client = self._cache.get_client(write=True)
            with client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.set(self.make_and_validate_key(key), 0, ex=timeout, nx=True)
                    pipe.incr(self.make_and_validate_key(key))
                return pipe.execute()[1::2]

        return self._call(
            keys, None, in_redis, lambda: _local_counts(self._local, keys, timeout), [], writes=True
        )


def _local_counts(cache: LocMemCache, keys: list[str], timeout: int) -> list[int]:
    counts = []
    for key in keys:
        if cache.add(key, 1, timeout=timeout):
            counts.append(1)
            continue
        try:
            counts.append(cache.incr(key))
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=timeout)
            counts.append(1)
    return counts
