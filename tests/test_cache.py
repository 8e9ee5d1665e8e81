"""The shared cache's Redis backend (foundation/cache.py): the answers of Django's, in fewer round
trips. Runs where REDIS_URL points the cache at Redis, as in CI's second run."""

import pytest
from django.conf import settings
from django.core.cache import cache
from redis.connection import Connection

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")


@pytest.fixture
def round_trips(monkeypatch):
    """How many times the cache wrote a request to Redis."""
    sent = []
    send = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return send(self, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    return sent


def test_incr_answers_as_djangos_in_one_round_trip(round_trips):
    cache.set("plays", 5)
    round_trips.clear()

    assert cache.incr("plays") == 6
    assert cache.incr("plays", 10) == 16
    assert len(round_trips) == 2
    assert cache.get("plays") == 16


def test_incr_of_a_missing_key_raises_and_creates_nothing():
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")
    assert cache.get("never-set") is None


def test_incr_keeps_the_keys_timeout():
    cache.set("views", 1, timeout=100)
    cache.incr("views")
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key("views")) <= 100


def test_counters_start_expire_and_count_in_one_round_trip(round_trips):
    cache.add("counter:b", 7, timeout=60)  # one started the usual way goes on from its count
    round_trips.clear()

    assert cache.incr_counters(["counter:a", "counter:b"], timeout=30) == [1, 8]
    assert cache.incr_counters(["counter:a", "counter:b"], timeout=30) == [2, 9]
    assert len(round_trips) == 2
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_key("counter:a")) <= 30
    assert 30 < client.ttl(cache.make_key("counter:b")) <= 60  # not reset by counting
