from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString

from catalog.models import MusicVideo
from community.forms_ratings import RatingForm, star_label
from community.models import Rating
from fansite import page_cache

register = template.Library()


def rating_context(
    request: HttpRequest, video: MusicVideo, form: RatingForm | None = None
) -> dict[str, Any]:
    """What the rating widget shows: the video's figures and this fan's own rating (1 query)."""
    user = request.user
    user_score = None
    if user.is_authenticated:
        user_score = (
            Rating.objects.filter(user=user, video=video).values_list("score", flat=True).first()
        )
    histogram = list(video.rating_histogram)
    peak = max(histogram) or 1
    return {
        "request": request,
        "video": video,
        "user_score": user_score,
        "user_stars": f"{user_score / 2:g}" if user_score else None,
        "form": form,
        "choices": [(n, star_label(n), f"{n / 2:g}") for n in range(1, 11)],
        # Highest score first, as rating sites show it.
        "histogram": [(f"{score / 2:g}", histogram[score - 1], peak) for score in range(10, 0, -1)],
    }


@register.simple_tag(takes_context=True)
def rating_widget(context: template.Context, video: MusicVideo) -> SafeString:
    """The video's figures, and the signed-in fan's own rating with the form to change it.

    What visitors see depends on the figures alone, which are part of the key: it is kept
    (page_cache.fragment) and never stale."""
    request = context["request"]

    def render() -> SafeString:
        assert context.template is not None  # set while a template renders its tags
        widget = context.template.engine.get_template("community/widgets/rating.html")
        section = context.new(rating_context(request, video))
        if context.get("csrf_token") is not None:  # for the signed-in fan's form
            section["csrf_token"] = context["csrf_token"]
        return SafeString(widget.render(section))

    if not page_cache.keeps_for(request):
        return render()
    figures = (video.pk, video.slug, video.rating_count, video.rating_sum, *video.rating_histogram)
    return page_cache.fragment("rating", figures, (), render)


@register.filter
def stars(half_stars: float | None) -> str:
    """4.25 -> "★★★★☆" (rounded to the nearest whole star, for a glance, never alone)."""
    if half_stars is None:
        return ""
    filled = round(half_stars)
    return "★" * filled + "☆" * (5 - filled)
