"""Django's Redis cache backend, reusing one redis-py client per connection pool.

Django's RedisCacheClient makes a new redis.Redis for every operation, and redis-py builds its
table of response callbacks (a few hundred entries) in each, which cost more than the round trip
to Redis (docs/performance.md, "Decisions"). A client is only the pool and that table, and is
safe to share between threads, so one per pool is kept. incr() and counting several counters
at once are one round trip each. Everything else is Django's.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis

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


class RedisCache(redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _RedisCacheClient

    def incr_counters(self, keys: list[str], timeout: int) -> list[int]:
        """Count one more in each counter, creating it with the timeout if new: one round trip
        for all of them, where add() then incr() is two per counter."""
        client = self._cache.get_client(write=True)
        with client.pipeline(transaction=False) as pipe:
            for key in keys:
                key = self.make_and_validate_key(key)
                pipe.set(key, 0, ex=timeout, nx=True)
                pipe.incr(key)
            return pipe.execute()[1::2]
