"""YouTube addresses as curators paste them, reduced to the 11-character video id we store.

A curator copies whatever the browser or the share button gave: watch?v=, youtu.be/, /shorts/,
/embed/, /live/, with a playlist, a start time or tracking parameters after it. Anything that is
not a single video (a channel, a playlist, another site) is refused with the reason, never
guessed at.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote_plus, urlsplit

VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "music.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
SHORT_HOSTS = {"youtu.be", "www.youtu.be"}
# Paths whose next segment is the video id.
ID_PATHS = {"shorts", "embed", "live", "v", "e"}
# Paths of things that hold videos rather than being one.
NOT_A_VIDEO = {"channel", "c", "user", "playlist", "results", "feed", "hashtag"}

THUMBNAIL_URL = "https://i.ytimg.com/vi/{}/hqdefault.jpg"
SEARCH_URL = "https://www.youtube.com/results?search_query={}"


class NotAVideoAddress(ValueError):
    """The text is not a YouTube video's address or id; the message says why, for the curator."""


def video_id(text: str) -> str:
    """The 11-character id from a bare id or any common form of a video's address."""
    text = text.strip()
    if VIDEO_ID.fullmatch(text):
        return text
    if "://" not in text:
        if "/" not in text and "." not in text:
            raise NotAVideoAddress(
                f"“{text}” is not a YouTube id: an id is 11 letters, digits, '-' or '_' "
                f"(this has {len(text)} characters)."
            )
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    segments = [segment for segment in parts.path.split("/") if segment]
    if host in SHORT_HOSTS:
        found = segments[0] if segments else ""
    elif host in HOSTS:
        if segments and (segments[0] in NOT_A_VIDEO or segments[0].startswith("@")):
            raise NotAVideoAddress(
                "This is the address of a channel, playlist or search, not of one video: "
                "open the video and copy its address."
            )
        if segments[:1] == ["watch"]:
            found = parse_qs(parts.query).get("v", [""])[0]
        elif len(segments) >= 2 and segments[0] in ID_PATHS:
            found = segments[1]
        else:
            found = ""
    else:
        raise NotAVideoAddress(
            f"This is an address on {host or 'no site'}, not on YouTube: paste the video's "
            "youtube.com or youtu.be address, or its 11-character id."
        )
    if not found:
        raise NotAVideoAddress("This YouTube address names no video (no v=… or /ID in it).")
    if not VIDEO_ID.fullmatch(found):
        raise NotAVideoAddress(
            f"The video id in this address, “{found}”, is not 11 letters, digits, '-' or '_': "
            "check that the address was copied whole."
        )
    return found


def thumbnail_url(youtube_id: str) -> str:
    return THUMBNAIL_URL.format(youtube_id)


def search_url(*words: str) -> str:
    """YouTube's search results for the words: a way onward, never the video itself."""
    return SEARCH_URL.format(quote_plus(" ".join(words)))
