"""Django's Redis cache backend, reusing one redis-py client per connection pool.

Django's RedisCacheClient makes a new redis.Redis for every operation, and redis-py builds its
table of response callbacks (a few hundred entries) in each: about half a millisecond per cache
call here, more than the round trip to Redis. A client is only the pool and that table, and is
safe to share between threads, so one per pool is kept. Everything else is Django's.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis


class _RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _RedisCacheClient
