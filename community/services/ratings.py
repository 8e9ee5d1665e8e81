"""Ratings: one per fan per video, the video's figures kept exact in the same transaction.

Each write is one transaction: the fan's row and the figures catalog pages show change together.
It takes the fan's own row first (locked, so the fan's double submits queue; two first ratings
at once meet at the unique constraint, and the loser starts over), then changes the figures with
one UPDATE that adds the difference in SQL. That UPDATE is the last statement: the
video's row lock, which every fan rating that video waits for, is held from it to the commit and
no longer. The figures never go through MusicVideo.save(): no search text, no history row, no
deferred loads. The caller's copy of the video keeps its figures: refresh_figures() reads them
when they are shown next (the rating widget swapped in place, the API's answer).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, NotSupportedError, transaction
from django.db.models import F, Func, JSONField, Value
from django.db.models.expressions import Combinable
from django.utils.translation import gettext as _

from catalog.models import RATING_SCORES, MusicVideo, Status
from community.live import events as live
from community.models import Rating, User
from community.writing import check_may_write


class NotAllowed(Exception):
    """The fan may not do this (e.g. rate a draft). Views answer 404/403, never 500."""


FIGURES = ("rating_count", "rating_sum", "rating_histogram")


class AddAt(Func):
    """A JSON array with `delta` added to its item at `index`, computed by the database from the
    row it updates (so no one has to read the histogram under the lock first)."""

    output_field = JSONField()
    # Each names its parts in the same order (array, index, array, index, delta): the order of
    # the parameters as_sql passes with them.
    TEMPLATES = {
        "postgresql": (
            "jsonb_set({array}, ARRAY[({index})::text], "
            "to_jsonb((({array}) ->> ({index}))::int + ({delta})))"
        ),
        "sqlite": (
            "json_set({array}, '$[' || ({index}) || ']', "
            "json_extract({array}, '$[' || ({index}) || ']') + ({delta}))"
        ),
    }

    def __init__(self, array: Any, index: int, delta: int) -> None:
        super().__init__(array, Value(index), Value(delta))

    # Its own SQL per vendor: Func's function/template arguments don't apply, hence the override.
    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:  # type: ignore[override]  # its own SQL per vendor
        template = self.TEMPLATES.get(connection.vendor)
        if template is None:
            raise NotSupportedError(f"AddAt has no SQL for {connection.vendor}.")
        parts = [compiler.compile(e) for e in self.get_source_expressions()]
        (array, a), (index, i), (delta, d) = parts
        sql = template.format(array=array, index=index, delta=delta)
        return sql, [*a, *i, *a, *i, *d]


def _move_figures(video: MusicVideo, *, add: int | None = None, remove: int | None = None) -> None:
    """One UPDATE: the video's row lock is taken here, by the transaction's last statement."""
    count: Combinable = F("rating_count")
    total: Combinable = F("rating_sum")
    histogram: Combinable = F("rating_histogram")
    if add is not None:
        count, total, histogram = count + 1, total + add, AddAt(histogram, add - 1, 1)
    if remove is not None:
        count, total = count - 1, total - remove
        histogram = AddAt(histogram, remove - 1, -1)  # never the index `add` changed
    videos = MusicVideo.objects.filter(pk=video.pk)
    if add is not None:  # a rating taken back counts out of a draft too (account deletion)
        videos = videos.exclude(status=Status.DRAFT)
    changed = videos.update(rating_count=count, rating_sum=total, rating_histogram=histogram)
    if add is not None and not changed:  # unpublished meanwhile: the fan's write rolls back
        raise NotAllowed("Drafts can't be rated.")


def refresh_figures(video: MusicVideo) -> None:
    """Read the video's figures as committed into `video`, for a page or an answer that shows
    them after a write (the writes leave the caller's copy as it was: most callers redirect)."""
    row = MusicVideo.objects.filter(pk=video.pk).values_list(*FIGURES).first()
    if row is not None:
        video.rating_count, video.rating_sum, video.rating_histogram = row


def _fans_rating(user: User, video: MusicVideo) -> Rating | None:
    return Rating.objects.select_for_update().filter(user=user, video=video).first()


def rating_set(*, user: User, video: MusicVideo, score: int) -> Rating:
    """Rate a video (1-10 half-stars), or change the fan's rating of it."""
    check_may_write(user)
    if score not in RATING_SCORES:
        raise ValidationError({"score": _("Choose from half a star to five stars.")})
    attempts = 5
    while True:
        try:
            return _rating_set(user, video, score)
        except IntegrityError:
            # The fan's other request (a double submit) inserted the pair after this one
            # looked: the write is rolled back and starts over, to find and change that rating.
            # (Cheaper than a savepoint around every first rating: two round trips.)
            attempts -= 1
            if not attempts:
                raise


@transaction.atomic
def _rating_set(user: User, video: MusicVideo, score: int) -> Rating:
    rating = _fans_rating(user, video)
    if rating is None:
        # The score is checked and the constraint keeps the pair unique: no full_clean(), whose
        # checks are four more queries.
        rating = Rating.objects.create(user=user, video=video, score=score)
        _move_figures(video, add=score)
    elif rating.score != score:
        previous = rating.score
        rating.score = score
        rating.save(update_fields=["score", "updated_at"])
        _move_figures(video, add=score, remove=previous)
    else:
        return rating  # the same score again: nothing moved
    live.rating_changed(video_id=video.pk, rater_id=user.pk)
    return rating


@transaction.atomic
def rating_remove(*, user: User, video: MusicVideo) -> bool:
    """Remove the fan's rating; False when there was none."""
    rating = _fans_rating(user, video)
    if rating is None:
        return False
    rating.delete()
    _move_figures(video, remove=rating.score)
    live.rating_changed(video_id=video.pk, rater_id=user.pk)
    return True


def rating_recount(video: MusicVideo) -> tuple[int, int, list[int]]:
    """The figures as the ratings table has them now (for checks and repairs)."""
    histogram = [0] * len(RATING_SCORES)
    for score in Rating.objects.filter(video=video).values_list("score", flat=True).iterator():
        histogram[score - 1] += 1
    return sum(histogram), sum(n * s for s, n in enumerate(histogram, start=1)), histogram
