"""Video cards kept between renderings: every list of videos (the video list, the home page, a
release's, a member's or a theme's videos, a fan's public list) shows the same card for a video,
and rendering two dozen of them was most of such a page's time whenever the page itself was
rendered again, which any rating or comment on the site makes happen.

A visitor's card is kept per video, language and version of what it shows: the catalog's version
(a curator's edit of the video, its release, credits or drawing) and the video's rating figures,
which a new rating writes without touching the catalog. It comes from includes/card/video.html
as ever, rendered once with a stand-in for the page's own address (where "+ Watch later" sends a
visitor back after logging in), which each page fills in. Drafts, staff, signed-in fans (their
card carries their list and a CSRF token, or, in a shared copy, a hole) and the benchmark's page
from scratch get their cards rendered each time.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.template.defaultfilters import urlencode
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from catalog.invalidation import CATALOG_VERSION
from catalog.models import MusicVideo
from community.templatetags.watchlist_tags import NEXT_VARIABLE
from foundation import fan_pages, page_cache

register = template.Library()

CARD = "includes/card/video.html"
# Letters a URL and HTML leave alone, so the card carries them as written.
HERE = "kept-card-here-7d1c3a"


@register.simple_tag(takes_context=True)
def video_cards(context: template.Context, videos: Iterable[MusicVideo]) -> list[SafeString]:
    """The cards of `videos`, in order (`{% video_cards page as cards %}`). The videos need the
    fields a card shows (catalog.queries.video_cards): no query here."""
    videos = list(videos)
    card = get_template(CARD).template  # type: ignore[attr-defined]  # the Django backend's

    def render(video: MusicVideo, **extra: str) -> SafeString:
        with context.push(video=video, **extra):
            return card.render(context)

    request = context.get("request")
    if (
        request is None
        or request.method != "GET"
        or fan_pages.stencil_of(request) is not None
        or not page_cache.keeps_for(request)
    ):
        return [render(video) for video in videos]
    kept = [video for video in videos if not video.is_draft]
    # What the card shows that a new rating changes without a catalog write.
    parts = [(video.pk, video.status, video.rating_count, video.rating_sum) for video in kept]
    html = page_cache.kept_many(
        "video-card",
        parts,
        (CATALOG_VERSION,),
        lambda index: str(render(kept[index], **{NEXT_VARIABLE: HERE})),
    )
    here = escape(urlencode(request.get_full_path()))  # as the card's template writes it
    # A template's output, stored as a plain string.
    by_pk = {
        video.pk: mark_safe(text.replace(HERE, here))
        for video, text in zip(kept, html, strict=True)
    }
    return [by_pk[video.pk] if video.pk in by_pk else render(video) for video in videos]
