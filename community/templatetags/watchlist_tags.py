from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from catalog.models import MusicVideo
from community.models import Watchlist
from foundation import fan_pages

register = template.Library()

_CACHE_ATTR = "_watch_later"


@dataclass(frozen=True)
class WatchLater:
    """The signed-in fan's default list as the cards need it; pk is None until it exists."""

    pk: int | None
    video_ids: frozenset[int]
    name: str = Watchlist.DEFAULT_NAME

    @property
    def display_name(self) -> str:
        """As Watchlist.display_name: the stock name in the fan's language, a fan's own as is."""
        if self.name == Watchlist.DEFAULT_NAME:
            return Watchlist.default_display_name()
        return self.name


def watch_later_for(request: HttpRequest) -> WatchLater:
    """One query per request however many cards ask; the answer is cached on the request."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        assert request.user.is_authenticated  # the cards ask only for a signed-in fan
        rows = list(
            Watchlist.objects.filter(owner=request.user, is_default=True).values_list(
                "pk", "name", "items__video_id"
            )
        )
        cached = WatchLater(
            pk=next((pk for pk, _, _ in rows), None),
            video_ids=frozenset(video_id for _, _, video_id in rows if video_id is not None),
            name=next((name for _, name, _ in rows), Watchlist.DEFAULT_NAME),
        )
        setattr(request, _CACHE_ATTR, cached)
    return cached


WIDGET = "community/widgets/add_to_watchlist.html"
# Set in the context, the address to come back to instead of this page's: a card kept for every
# visitor's page (card_tags.video_cards) carries this word, and each page puts its own address.
NEXT_VARIABLE = "watchlist_next"


@register.simple_tag(takes_context=True)
def add_to_watchlist(context: template.Context, video: MusicVideo) -> SafeString:
    """ "+ Watch later" and "Choose a list…" for a video; a log-in link for visitors.

    In the shared copy of a fan's page (foundation.fan_pages) a hole with both states, saved and
    not, for the stand-in list: each fan's page shows the one their list is in."""
    request: HttpRequest | None = context.get("request")
    widget = get_template(WIDGET)
    stencil = fan_pages.stencil_of(request)
    if stencil is not None and stencil.kind.confirmed:
        stand_in = WatchLater(
            pk=fan_pages.stencil_list_pk(),
            video_ids=frozenset({video.pk}),
            name=fan_pages.stencil_list_name(),
        )
        variants = [
            widget.render(_widget(context, video, watch_later))
            for watch_later in (stand_in, WatchLater(stand_in.pk, frozenset(), stand_in.name))
        ]
        return stencil.hole("watch", str(video.pk), variants)
    return mark_safe(widget.render(_widget(context, video, None)))  # a template's output


def _widget(
    context: template.Context, video: MusicVideo, watch_later: WatchLater | None
) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    # Back to this page afterwards; a page shown in answer to a POST has no address to return to.
    here = request.get_full_path() if request is not None and request.method == "GET" else ""
    here = context.get(NEXT_VARIABLE) or here
    widget: dict[str, Any] = {"video": video, "next": here, "signed_in": False}
    if request is not None and request.user.is_authenticated:
        if watch_later is None:
            watch_later = watch_later_for(request)
        widget.update(
            signed_in=True,
            confirmed=request.user.has_confirmed_email,
            csrf_token=context.get("csrf_token"),
            watch_later=watch_later,
            saved=video.pk in watch_later.video_ids,
            default_name=watch_later.display_name,
        )
    return widget
