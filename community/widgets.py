"""What the widgets a page draws need, for the template tags that draw them and for the views
that draw one again (a form sent back with its errors, a thread's own page, a live update)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.safestring import mark_safe

from catalog.models import MusicVideo
from community.forms_ratings import RatingForm, star_label
from community.forms_talk import CommentForm
from community.models import Rating
from community.writing import may_write


def rating_context(
    request: HttpRequest,
    video: MusicVideo,
    form: RatingForm | None = None,
    score: int | Literal[False] | None = False,
) -> dict[str, Any]:
    """What the rating widget shows: the video's figures and this fan's own rating (1 query;
    none when `score` says what it is)."""
    user = request.user
    user_score = score or None
    if user.is_authenticated and score is False:
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
        # The form's labels are for signed-in fans only.
        "choices": [(n, star_label(n)) for n in range(1, 11)] if user.is_authenticated else [],
        # Highest score first, as rating sites show it. Ten rows of five numbers each, written
        # here: as template variables they cost 2,260 of a video page's 53,000 Python calls, and
        # escaped one by one in format_html_join still 1,000; this about 100. Only numbers go in
        # (int() and a float's format), so there is nothing to escape.
        "histogram": mark_safe(
            "".join(
                f'\n          <tr><th scope="row">{score / 2:g}★</th><td><meter min="0" '
                f'max="{int(peak)}" value="{count}">{count}</meter></td><td>{count}</td></tr>'
                "\n        "
                for score, count in zip(
                    range(10, 0, -1), map(int, reversed(histogram)), strict=True
                )
            )
        ),
    }


def talk_context(request: HttpRequest, video: MusicVideo) -> dict[str, Any]:
    """What {% comment_item %} needs beside the comment (no queries)."""
    user = request.user
    return {
        "request": request,
        "user": user,
        "video": video,
        "can_post": may_write(user),
        "form": CommentForm(auto_id="id_comment_%s"),
    }
