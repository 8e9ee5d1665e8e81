from __future__ import annotations

import time

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, pgettext

from catalog.models import MusicVideo
from community.live.bus import get_bus, id_at
from community.live.events import video_topic
from community.live.stream import CLOCK_SKEW_MS

register = template.Library()


@register.simple_tag
def live_stream(video: MusicVideo) -> SafeString | str:
    """<article{% live_stream video %}>: where the page's script (js/live.js) opens the video's
    live stream, the last event this page already shows (it asks for what came after), and the
    words the script needs, in the page's language. Nothing for drafts (no talk) or with LIVE
    off.

    Put it before the talk and the rating on the page: the id is read first, so whatever an
    event up to it changed is already in what the page reads next (events are published after
    their write commits). One read of the video's log (a Redis round trip)."""
    if not settings.LIVE_ENABLED or video.is_draft:
        return ""
    last = get_bus().last_id(video_topic(video.pk))
    if last is None:  # the log can't be read: from a moment before this page, at the latest
        last = id_at(int(time.time() * 1000) - CLOCK_SKEW_MS)
    stream = reverse("live:video-events", args=[video.slug])
    return format_html(
        ' data-live="{}" data-live-last="{}" data-live-replies="{}" data-live-new="{}"'
        ' data-live-newest="{}" data-live-reset="{}"',
        f"{stream}?{urlencode({'lang': get_language() or settings.LANGUAGE_CODE})}",
        last,
        gettext("Replies"),
        gettext("A new comment arrived."),
        pgettext("link to the first page of comments", "New comments: see the newest"),
        gettext("The talk moved on while this page was away: reload to see it."),
    )
