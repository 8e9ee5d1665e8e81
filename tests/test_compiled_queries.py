"""A query compiled once runs again with each caller's own values, converted as the ORM does."""

import datetime

import pytest
from django.db.models import Value

from catalog.models import ExternalLink, MusicVideo
from community.models import Comment
from community.services.talk import comment_create
from foundation.compiled_queries import CompiledQuery, int_marks
from tests.factories import make_user, make_video

pytestmark = pytest.mark.django_db

(MARK,) = int_marks(1)


def test_each_run_reads_its_own_values_rows_as_the_orm_gives_them():
    first = make_video(title="Antifragile", published_on=datetime.date(2022, 10, 17))
    second = make_video(title="Unforgiven", published_on=datetime.date(2023, 5, 1))
    query = CompiledQuery(
        lambda pk: MusicVideo.objects.filter(pk=pk).values_list("title", "published_on"), MARK
    )
    for video in (first, second, first):
        expected = list(MusicVideo.objects.filter(pk=video.pk).values_list("title", "published_on"))
        assert query.rows(video.pk) == expected
    assert query.dicts(second.pk) == [{"title": "Unforgiven", "published_on": second.published_on}]
    assert query.rows(-1) == []


def test_a_moment_goes_where_its_mark_was():
    video = make_video()
    fan = make_user()
    older, newer = (comment_create(author=fan, video=video, body=body) for body in ("a", "b"))
    Comment.objects.filter(pk=older.pk).update(created_at=newer.created_at - datetime.timedelta(1))
    mark = datetime.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)
    query = CompiledQuery(
        lambda moment: Comment.objects.filter(created_at__gt=moment).order_by("pk").values("pk"),
        mark,
    )
    since = newer.created_at - datetime.timedelta(hours=1)
    assert query.dicts(since) == [{"pk": newer.pk}]
    assert query.dicts(since - datetime.timedelta(2)) == [{"pk": older.pk}, {"pk": newer.pk}]


def test_a_mark_that_lands_nowhere_is_refused():
    # The query would run with the mark's value, not the caller's.
    query = CompiledQuery(lambda pk: MusicVideo.objects.values_list("title"), MARK)
    with pytest.raises(ValueError, match="no place"):
        query.rows(1)


def test_int_marks_are_distinct_below_any_id_and_within_a_bigint():
    marks = int_marks(40)
    assert len(set(marks)) == 40
    assert all(-(2**63) <= mark < 0 for mark in marks)
    assert int_marks(40) == marks


def test_an_int_mark_reaches_a_field_of_positive_values_as_a_value():
    # Compared as it is, Django would drop the condition from the statement: no value below
    # zero can match such a field.
    video, other = make_video(), make_video()
    for target in (video, other):
        ExternalLink.objects.create(target=target, url=f"https://{target.slug}.example/")
    query = CompiledQuery(
        lambda pk: ExternalLink.objects.filter(object_id=Value(pk)).values_list("url"), MARK
    )
    assert query.rows(video.pk) == [(f"https://{video.slug}.example/",)]
