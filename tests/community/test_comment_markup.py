"""How long ago a comment was written reads exactly as Django's timesince would put it, in every
language, though the comment markup computes it with its strings looked up once a page."""

import datetime as dt
import random

import pytest
from django.utils import translation
from django.utils.timesince import timesince

from community.comment_markup import _COMMA, _timesince, _units

UTC = dt.UTC
SEOUL = dt.timezone(dt.timedelta(hours=9))


def _spans() -> list[tuple[dt.datetime, dt.datetime]]:
    """(written, now) pairs: month ends, leap days, the same instant, the future, and a few
    thousand random spans from seconds to years."""
    edges = [
        (dt.datetime(2024, 1, 31, 12, tzinfo=UTC), dt.datetime(2024, 2, 29, 12, tzinfo=UTC)),
        (dt.datetime(2024, 2, 29, 8, tzinfo=UTC), dt.datetime(2025, 2, 28, 8, tzinfo=UTC)),
        (dt.datetime(2023, 3, 31, 23, 59, tzinfo=UTC), dt.datetime(2023, 4, 30, tzinfo=UTC)),
        (dt.datetime(2025, 12, 31, 23, tzinfo=UTC), dt.datetime(2026, 1, 1, 1, tzinfo=UTC)),
        (dt.datetime(2026, 5, 1, tzinfo=UTC), dt.datetime(2026, 5, 1, tzinfo=UTC)),
        (dt.datetime(2026, 5, 2, tzinfo=UTC), dt.datetime(2026, 5, 1, tzinfo=UTC)),
        (
            dt.datetime(2026, 5, 1, 10, 0, 30, tzinfo=UTC),
            dt.datetime(2026, 5, 1, 10, 1, tzinfo=UTC),
        ),
    ]
    rng = random.Random(2026)
    now = dt.datetime(2026, 12, 3, 10, 26, 1, 123456, tzinfo=UTC)
    spans = [
        (
            now
            - dt.timedelta(
                seconds=rng.choice([59, 3600, 86400, 2_700_000, 40_000_000]) * rng.random()
            ),
            now,
        )
        for _ in range(3000)
    ]
    # A moment written in another offset than "now" (the calendar is the writer's).
    spans += [(written.astimezone(SEOUL), now) for written, now in spans[:300]]
    return edges + spans


@pytest.mark.parametrize("language", ["en", "ko", "ja"])
def test_ago_reads_as_djangos_timesince(language):
    with translation.override(language):
        units, comma = _units(language), translation.gettext(_COMMA)
        for written, now in _spans():
            assert _timesince(written, now, units, comma) == timesince(written, now), (
                written,
                now,
            )
