"""Ratings: one per fan per video, the video's figures kept exact in the same transaction.

Each function is one transaction: the fan's row and the figures catalog pages show change together.
A write is four statements: lock the video's row, read the fan's rating, write it, and one UPDATE
of the figures, computed from the locked copy (only these functions write them, always under the
lock). The figures never go through MusicVideo.save(): no search text, no history row, no
deferred loads.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import RATING_SCORES, MusicVideo
from community.models import Rating, User


class NotAllowed(Exception):
    """The fan may not do this (e.g. rate a draft). Views answer 404/403, never 500."""


FIGURES = ("id", "status", "rating_count", "rating_sum", "rating_histogram")


def _locked_video(video_id: int) -> MusicVideo:
    # Every rating write for one video takes this row lock first, so the figures read here (and
    # written back by _apply) and the fan's rating are never changed by two transactions at once.
    video = MusicVideo.objects.select_for_update().only(*FIGURES).get(pk=video_id)
    if video.is_draft:
        raise NotAllowed("Drafts can't be rated.")
    return video


def _apply(video: MusicVideo, *, add: int | None = None, remove: int | None = None) -> None:
    """Change the locked copy's figures and write them in one UPDATE."""
    histogram = list(video.rating_histogram)
    if remove is not None:
        histogram[remove - 1] -= 1
        video.rating_count -= 1
        video.rating_sum -= remove
    if add is not None:
        histogram[add - 1] += 1
        video.rating_count += 1
        video.rating_sum += add
    video.rating_histogram = histogram
    MusicVideo.objects.filter(pk=video.pk).update(
        rating_count=video.rating_count, rating_sum=video.rating_sum, rating_histogram=histogram
    )


@transaction.atomic
def rating_set(*, user: User, video: MusicVideo, score: int) -> Rating:
    """Rate a video (1-10 half-stars), or change the fan's rating of it."""
    if score not in RATING_SCORES:
        raise ValidationError({"score": _("Choose from half a star to five stars.")})
    locked = _locked_video(video.pk)
    rating = Rating.objects.filter(user=user, video=locked).first()
    if rating is None:
        # The score is checked above and the row lock makes the pair unique: no full_clean(),
        # whose checks are four more queries under the lock.
        rating = Rating.objects.create(user=user, video=locked, score=score)
        _apply(locked, add=score)
    elif rating.score != score:
        previous = rating.score
        rating.score = score
        rating.save(update_fields=["score", "updated_at"])
        _apply(locked, add=score, remove=previous)
    _copy_figures(locked, video)
    return rating


@transaction.atomic
def rating_remove(*, user: User, video: MusicVideo) -> bool:
    """Remove the fan's rating; False when there was none."""
    locked = MusicVideo.objects.select_for_update().only(*FIGURES).get(pk=video.pk)
    rating = Rating.objects.filter(user=user, video=locked).first()
    if rating is None:
        return False
    rating.delete()
    _apply(locked, remove=rating.score)
    _copy_figures(locked, video)
    return True


def _copy_figures(source: MusicVideo, target: MusicVideo) -> None:
    for field in ("rating_count", "rating_sum", "rating_histogram"):
        setattr(target, field, getattr(source, field))


def rating_recount(video: MusicVideo) -> tuple[int, int, list[int]]:
    """The figures as the ratings table has them now (for checks and repairs)."""
    histogram = [0] * len(RATING_SCORES)
    for score in Rating.objects.filter(video=video).values_list("score", flat=True).iterator():
        histogram[score - 1] += 1
    return sum(histogram), sum(n * s for s, n in enumerate(histogram, start=1)), histogram
