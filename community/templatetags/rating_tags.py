from __future__ import annotations

import math
from typing import Literal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from catalog.models import MusicVideo
from community.widgets import rating_context
from foundation import fan_pages, page_cache

register = template.Library()


@register.simple_tag(takes_context=True)
def rating_widget(context: template.Context, video: MusicVideo) -> SafeString:
    """The video's figures, and the signed-in fan's own rating with the form to change it.

    What visitors see depends on the figures alone, which are part of the key: it is kept
    (page_cache.fragment) and never stale. In the shared copy of a fan's page
    (foundation.fan_pages) a hole with the widget for each score, each fan's filled in."""
    request = context["request"]

    def render(score: int | Literal[False] | None = False) -> SafeString:
        assert context.template is not None  # set while a template renders its tags
        widget = context.template.engine.get_template("community/widgets/rating.html")
        section = context.new(rating_context(request, video, score=score))
        if context.get("csrf_token") is not None:  # for the signed-in fan's form
            section["csrf_token"] = context["csrf_token"]
        return SafeString(widget.render(section))

    stencil = fan_pages.stencil_of(request)
    if stencil is not None and stencil.kind.confirmed:
        # The shared copy of a fan's page: the widget as it is for no rating and each score.
        variants = [render(score) for score in (None, *range(1, 11))]
        return stencil.hole("rating", str(video.pk), variants)

    if not page_cache.keeps_for(request):
        return render()
    figures = (video.pk, video.slug, video.rating_count, video.rating_sum, *video.rating_histogram)
    return page_cache.fragment("rating", figures, (), render)


def half_steps(stars: float) -> int:
    """Stars to the nearest half star, halves up (4.25 -> 9 half stars, i.e. 4.5), 0 to 10.

    Not round(): it rounds halves to even, which showed 4.5 and 3.5 both as four stars."""
    return max(0, min(10, math.floor(stars * 2 + 0.5)))


def _glyph(filled: int, star: int) -> tuple[str, str]:
    """The nth star (1 to 5) of `filled` half stars: its class and its unstyled glyph."""
    if filled >= 2 * star:
        return ("full", "★")
    return ("half" if filled == 2 * star - 1 else "empty", "☆")


@register.simple_tag
def stars(value: float | None, decorative: bool = False) -> str:
    """Five star glyphs, whole, half or empty, for an average or a score in stars (0.5 to 5).

    Read as one image, "4.5 out of 5 stars"; `decorative` hides it from screen readers where
    the figure is written out beside it. The half glyph is an outline star with a filled half
    drawn over it by the stylesheet (.star-half), so without styles it reads as empty."""
    if value is None:
        return ""
    filled = half_steps(value)
    glyphs = format_html_join(
        "", '<span class="star star-{}">{}</span>', (_glyph(filled, n) for n in range(1, 6))
    )
    if decorative:
        return format_html(
            '<span class="stars stars-{}" aria-hidden="true">{}</span>', filled, glyphs
        )
    label = gettext("%(stars)s out of 5 stars") % {"stars": floatformat(value, 1)}
    return format_html(
        '<span class="stars stars-{}" role="img" aria-label="{}">{}</span>', filled, label, glyphs
    )
