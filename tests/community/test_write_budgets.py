"""A fan's everyday writes (rate, comment, add to a list) cost a fixed number of queries,
however many ratings, comments or list items there already are, and never a lazy load."""

import pytest
from django.urls import reverse

from catalog.models import Credit
from community.models import Comment, Rating, WatchlistItem
from tests.factories import (
    BUDGET_ROWS,
    make_credit,
    make_ratings,
    make_rows,
    make_user,
    make_users,
    make_video,
    make_videos,
    make_watchlist,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fan(client):
    fan = make_user()
    client.force_login(fan)
    return fan


@pytest.fixture(params=BUDGET_ROWS)
def video(request):
    """A video with featured artists, and `n` fans' ratings and comments already."""
    video = make_video(title="Spaghetti")
    make_credit(video=video, role=Credit.Role.FEATURED)
    others = make_users(request.param)
    make_ratings([(other, video) for other in others])
    make_rows(Comment, request.param, video=video, author=others, body="so good")
    return video


def test_rating_budget(client, fan, video, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERIES["rate"]):
        response = client.post(reverse("community:rate", args=[video.slug]), {"score": "9"})
    assert response.status_code == 302
    assert Rating.objects.get(user=fan, video=video).score == 9


def test_comment_budget(client, fan, video, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERIES["comment"]):
        response = client.post(
            reverse("community:comment-create", args=[video.slug]), {"body": "The bridge!"}
        )
    assert response.status_code == 302
    assert Comment.objects.filter(author=fan, body="The bridge!").exists()


def test_add_to_list_budget(client, fan, video, django_assert_max_num_queries):
    watchlist = make_watchlist(owner=fan, is_default=True, name="Watch later")
    make_rows(WatchlistItem, 3, watchlist=watchlist, video=make_videos(3), position=[1, 2, 3])
    with django_assert_max_num_queries(QUERIES["list"]):
        response = client.post(reverse("community:watchlist-add", args=[video.slug]))
    assert response.status_code == 302
    assert watchlist.items.filter(video=video).get().position == 4


# Each counts the session, the fan, the video, and the transaction's two ends (a savepoint here).
# Rating: the fan's rating locked and read, written, the figures in one UPDATE. Comment:
# its INSERT and the video's count. List: the fan's default list found and locked (one query),
# its last place and whether the video is in it already (one query), the item, the list's count.
QUERIES = {"rate": 8, "comment": 7, "list": 9}
