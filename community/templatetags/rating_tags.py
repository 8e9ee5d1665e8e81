from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from catalog.models import MusicVideo
from community.forms_ratings import RatingForm, star_label
from community.models import Rating

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


@register.inclusion_tag("community/widgets/rating.html", takes_context=True)
def rating_widget(context: template.Context, video: MusicVideo) -> dict[str, Any]:
    return rating_context(context["request"], video)


@register.filter
def stars(half_stars: float | None) -> str:
    """4.25 -> "★★★★☆" (rounded to the nearest whole star, for a glance, never alone)."""
    if half_stars is None:
        return ""
    filled = round(half_stars)
    return "★" * filled + "☆" * (5 - filled)
