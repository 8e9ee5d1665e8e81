"""Bodies nested too deep are refused before parsing: a 400 naming the problem, never a
RecursionError's 500, on every write endpoint."""

import json

import pytest

from community.models import Comment, Rating, Watchlist
from foundation.json_limits import MAX_DEPTH, TooDeep, check_depth
from tests.api.conftest import ApiClient
from tests.factories import make_user, make_video

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
DEEP = "[" * 10_000 + "]" * 10_000


@pytest.fixture
def fan_client():
    client = ApiClient()
    client.force_login(make_user())
    return client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/videos/smart/rating/"),
        ("post", "/videos/smart/comments/"),
        ("post", "/me/lists/"),
    ],
)
@pytest.mark.parametrize("body", [DEEP, '{"body": ' + DEEP + "}", "{" * 5_000])
def test_deeply_nested_bodies_are_refused_by_name(fan_client, method, path, body):
    make_video(slug="smart")
    response = getattr(fan_client, method)(V1 + path, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested more than" in json.dumps(response.json())
    assert not Rating.objects.exists()
    assert not Comment.objects.exists()
    assert not Watchlist.objects.filter(name__gt="").exclude(is_default=True).exists()


def test_ordinary_bodies_still_pass(fan_client):
    make_video(slug="smart")
    response = fan_client.send("put", f"{V1}/videos/smart/rating/", {"score": 8})
    assert response.status_code == 200


def test_brackets_inside_strings_do_not_count():
    check_depth(json.dumps({"body": "[" * 10_000}))
    check_depth("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    with pytest.raises(TooDeep):
        check_depth("[" * (MAX_DEPTH + 1))
