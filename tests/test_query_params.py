"""Whatever a visitor puts in a page's address, out-of-range values are answered 400 or 404,
never reach the database or date arithmetic, and never make a 500."""

import base64

import pytest
from django.test import Client

from community.models import Comment
from tests.factories import make_release, make_user, make_video

pytestmark = pytest.mark.django_db

HUGE = str(10**20)


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# Well formed, but no comment could ever stand there: a huge id, a date that can't be moved to
# UTC, a like count past any integer column.
FORGED = [
    ("newest", f"newest~2025-01-01T00:00:00+00:00~{HUGE}"),
    ("newest", "newest~9999-12-31T23:59:59-14:00~1"),
    ("oldest", "oldest~0001-01-01T00:00:00+14:00~1"),
    ("liked", f"liked~{HUGE}~1"),
    ("liked", f"liked~-{HUGE}~-{HUGE}"),
    ("newest", "not a cursor at all"),
]


@pytest.fixture
def talk():
    video = make_video(slug="smart")
    top = Comment.objects.create(video=video, author=make_user(), body="Love it")
    Comment.objects.create(video=video, author=make_user(), body="Me too", parent=top)
    video.comment_count = 2
    video.save()
    return video, top


@pytest.mark.parametrize("year", ["0", "-1", "10000", HUGE, "abc", "\uff12\uff10\uff12\uff14"])
def test_the_timeline_refuses_years_that_are_not_years(client, year):
    make_release(released_on="2024-05-01")
    assert client.get("/timeline/", {"year": year}).status_code == 400


def test_the_timeline_still_shows_a_year(client):
    make_release(title="Easy", released_on="2024-02-19")
    response = client.get("/timeline/", {"year": "2024"})
    assert response.status_code == 200
    assert "Easy" in response.content.decode()


@pytest.mark.parametrize(("sort", "raw"), FORGED)
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_forged_cursor_on_a_video_page_is_a_404(talk, sort, raw, signed_in):
    client = Client()
    if signed_in:
        client.force_login(make_user())
    response = client.get("/videos/smart/", {"sort": sort, "after": _cursor(raw)})
    assert response.status_code == 404


def test_an_unknown_order_of_talk_is_a_404(client, talk):
    assert client.get("/videos/smart/", {"sort": "loudest"}).status_code == 404


@pytest.mark.parametrize(("sort", "raw"), FORGED)
def test_a_forged_cursor_on_a_thread_page_is_a_404(client, talk, sort, raw):
    _video, top = talk
    raw = raw.replace(sort, "oldest", 1)
    response = client.get(f"/comments/{top.pk}/", {"after": _cursor(raw)})
    assert response.status_code == 404


@pytest.mark.parametrize(("sort", "raw"), FORGED)
def test_a_forged_cursor_in_the_api_is_a_404(client, talk, sort, raw):
    response = client.get(
        "/api/v1/videos/smart/comments/", {"sort": sort, "cursor": "n" + _cursor(raw)}
    )
    assert response.status_code == 404
