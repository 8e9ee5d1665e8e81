"""How long ago a comment was written reads exactly as Django's timesince would put it, in every
language, though the comment markup computes it with its strings looked up once a page."""

import datetime as dt
import html
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


BODIES = [
    "",
    "plain words",
    "two\nlines\n\nand a gap",
    "<script>alert('x')</script> & \"quotes\"",
    "at 1:23 she turns",
    "1:23:45 and 12:00",
    "ratio 3:45:6 or 10:61",
    "see https://example.com/a?b=1&c=2.",
    "HTTP://EXAMPLE.COM in capitals",
    "http:// alone",
    "x" * 31,
    "x" * 30 + " " + "y" * 30,
    "windows\r\nline",
    "evil\u202egnp.exe",
    "x" * 20 + "\xa0" + "y" * 20,
    "x" * 20 + "\u3000" + "y" * 20,
    "x" * 20 + "\x1c" + "y" * 20,
    "x" * 20 + "\u200b" + "y" * 20,
    "한국어 댓글 1:02 입니다",
    "日本語のコメント",
]


@pytest.mark.parametrize("body", BODIES)
def test_plain_bodies_read_as_comment_html(body):
    # The markup's shortcut for plain text gives what text.comment_html does.
    from community import text
    from community.comment_markup import _is_plain

    expected = str(text.comment_html(body, "https://www.youtube.com/watch?v=abc"))
    if _is_plain(body):
        assert html.escape(body).replace("\n", "<br>\n") == expected


def test_the_plain_shortcut_is_taken_for_plain_words_only():
    from community.comment_markup import _is_plain

    assert _is_plain("plain words, two\nlines & <marks>")
    assert not _is_plain("at 1:23 she turns")
    assert not _is_plain("x" * 31)
