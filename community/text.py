"""A comment's body as HTML: plain text, escaped, with safe links and video moments.

Fans write plain text only. Nothing they type becomes markup: the only tags in the output are the
ones built here (links to http(s) addresses, moment links, line and word breaks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape  # what django.utils.html.escape calls, without its lazy-text wrapper
from typing import Literal

from django.utils.safestring import SafeString, mark_safe

# Bidi overrides and isolates reorder what is displayed ("evil\u202egnp.exe" shows as
# "evilexe.png"), so they are dropped on display.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

# An address ends at whitespace, a quote or an angle bracket: `http://x/"onclick=…` links
# only `http://x/`, and the rest is shown as the text it is.
URL_RE = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,;:!?'\"*_]"

# m:ss or h:mm:ss. Digits or colons either side mean it is part of something else (a ratio, an
# address, 01:02:03 read from the middle), so it is not a moment.
MOMENT_RE = re.compile(r"(?<![\w:.])(?:(\d{1,2}):([0-5]\d)|(\d{1,2})):([0-5]\d)(?![\w:]|\.\d)")

# Unbroken runs longer than this get break opportunities, so one long "word" can't widen the page.
LONG_WORD = 30
LONG_RUN_RE = re.compile(rf"\S{{{LONG_WORD + 1},}}")

Kind = Literal["text", "url", "moment"]


def _trim_url(url: str) -> str:
    """Punctuation ending a sentence is not part of the address; nor is an unmatched ")"."""
    while url:
        if url[-1] in TRAILING_PUNCTUATION or (url[-1] == ")" and url.count("(") < url.count(")")):
            url = url[:-1]
        else:
            break
    return url


def _moment_seconds(match: re.Match[str]) -> int:
    hours, minutes_with_hours, minutes, seconds = match.groups()
    if hours is not None:
        return int(hours) * 3600 + int(minutes_with_hours) * 60 + int(seconds)
    return int(minutes) * 60 + int(seconds)


def _moments(text: str) -> Iterator[tuple[Kind, str, int]]:
    position = 0
    for match in MOMENT_RE.finditer(text):
        if match.start() > position:
            yield "text", text[position : match.start()], 0
        yield "moment", match.group(), _moment_seconds(match)
        position = match.end()
    if position < len(text):
        yield "text", text[position:], 0


def tokens(body: str) -> Iterator[tuple[Kind, str, int]]:
    """The body as (kind, text, seconds) pieces; moments inside addresses are not moments."""
    position = 0
    for match in URL_RE.finditer(body):
        url = _trim_url(match.group())
        if not url.partition("://")[2]:
            continue  # "http://" alone is no address
        yield from _moments(body[position : match.start()])
        yield "url", url, 0
        position = match.start() + len(url)
    yield from _moments(body[position:])


def parse_moment(text: str) -> int | None:
    """Seconds for a whole string like "1:23" or "01:02:03"; None if it is not a moment."""
    match = MOMENT_RE.fullmatch(text.strip())
    return _moment_seconds(match) if match else None


def moment_seconds(body: str) -> list[int]:
    """Every distinct moment the body cites, in order of time."""
    return sorted({seconds for kind, _, seconds in tokens(body) if kind == "moment"})


def link_count(body: str) -> int:
    return sum(1 for kind, _, _ in tokens(body) if kind == "url")


def format_moment(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _escape_text(text: str) -> str:
    """Escape, and add break opportunities inside overlong runs of characters."""
    pieces = []
    position = 0
    for match in LONG_RUN_RE.finditer(text):  # most comments have none: one escape() in all
        run = match.group()
        pieces.append(escape(text[position : match.start()]))
        pieces.append(
            "<wbr>".join(escape(run[i : i + LONG_WORD]) for i in range(0, len(run), LONG_WORD))
        )
        position = match.end()
    pieces.append(escape(text[position:]))
    return "".join(pieces).replace("\n", "<br>\n")


def moment_link(seconds: int, label: str, youtube_watch_url: str) -> str:
    return (
        f'<a href="{escape(youtube_watch_url)}#t={seconds}" class="moment"'
        f' data-seconds="{seconds}">{escape(label)}</a>'
    )


def comment_html(body: str, youtube_watch_url: str = "") -> SafeString:
    """The body as safe HTML. Moments link into the video only when it has a YouTube upload."""
    body = BIDI_CONTROLS.sub("", body.replace("\r\n", "\n").replace("\r", "\n"))
    html = []
    for kind, text, seconds in tokens(body):
        if kind == "url":
            html.append(
                f'<a href="{escape(text)}" rel="nofollow ugc noopener">{_escape_text(text)}</a>'
            )
        elif kind == "moment" and youtube_watch_url:
            html.append(moment_link(seconds, text, youtube_watch_url))
        else:
            html.append(_escape_text(text))
    return mark_safe("".join(html))  # every piece above is escaped or built here
