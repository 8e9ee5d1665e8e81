"""Schemathesis fuzzes every operation in /api/schema/ against the WSGI app, anonymously and as a
fan with a token. Writes land in the test's throwaway database. Every check runs: no 5xx, and
status codes, content types, headers and bodies as the schema says; invalid input refused."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from community.models import WatchlistItem
from community.services.talk import comment_create
from community.services.watchlists import watchlist_default_for
from fansite.wsgi import application
from tests.api.conftest import make_token
from tests.factories import (
    make_credit,
    make_member,
    make_person,
    make_rating,
    make_release,
    make_tag,
    make_track,
    make_user,
    make_video,
    make_watchlist,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

# Enough to find real faults, small enough for the module to take well under 90 s on two cores.
# No example database: nothing written into the project, every run starts afresh.
FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Loaded at collection: the schema view touches no database. (A lazy `from_fixture` schema would
# allow fixtures here, but schemathesis 4.32 reads a node attribute pytest 9 no longer has.)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# Path parameters that name things the `existing` fixture made, by the path they appear in.
# Filled per test: Hypothesis draws the cases inside the test, after the fixtures have run.
EXISTING: dict[str, dict[str, Any]] = {}


def _existing_for(path: str) -> dict[str, Any]:
    for prefix, values in EXISTING.items():
        if path.startswith(prefix):
            return values
    return {}


def _is_well_formed(name: str, value: Any) -> bool:
    # Only valid values are swapped: a deliberately invalid one must stay invalid.
    if name == "slug":
        return isinstance(value, str) and re.fullmatch(r"[-a-zA-Z0-9_]+", value) is not None
    return isinstance(value, int) and not isinstance(value, bool)


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Half the time aim at what exists, so writes reach the services instead of a 404."""
    if not path_parameters:
        return st.just(path_parameters)
    existing = _existing_for(context.operation.path)
    aimed = {
        name: existing[name]
        for name, value in path_parameters.items()
        if name in existing and _is_well_formed(name, value)
    }
    return st.sampled_from([path_parameters, {**path_parameters, **aimed}])


@schema.hook
def map_body(context: Any, body: Any) -> Any:
    """A watched date may not be in the future, which no JSON Schema can say: keep generated
    dates in the past, so that the API's 400 for the rule doesn't read as refusing valid data.
    (test_community_api tests the rule.) Malformed dates are left for the API to refuse."""
    if isinstance(body, dict) and isinstance(body.get("watched_on"), str):
        text = body["watched_on"]
        today = timezone.localdate()
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) and _valid_date(text) > today:
            return {**body, "watched_on": today.isoformat()}
    return body


def _valid_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:  # "2025-02-30": invalid, and staying so
        return datetime.date.min


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Django closes the database connection around each request, which would end the test's
    transaction; Django's own test client switches that off in the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(autouse=True)
def existing() -> Iterator[str]:
    """A catalog worth exploring, and a fan with lists and a reply; yields the token the fuzzer
    writes with."""
    release = make_release(slug="easy", title="EASY")
    track = make_track(release=release, title="EASY")
    person = make_person(slug="someone")
    make_credit(track=track, person=person)
    member = make_member(slug="chaewon")
    theme = make_tag(slug="self-love")
    video = make_video(slug="easy", release=release, track=track, members=[member], themes=[theme])
    make_video(slug="smart")
    make_rating(video=video, score=9)
    fan = make_user(username="fearnot")
    watchlist_default_for(user=fan)
    own = make_watchlist(owner=fan, videos=[video], is_public=True)
    make_watchlist(owner=make_user(), is_public=False)
    item = WatchlistItem.objects.get(watchlist=own)
    theirs = comment_create(author=make_user(), video=video, body="The key change at 2:47!")
    mine = comment_create(author=fan, video=video, body="Yes!", parent=theirs)
    catalog = {"slug": "easy"}
    EXISTING.update(
        {
            "/api/v1/members/": {"slug": "chaewon"},
            "/api/v1/themes/": {"slug": "self-love"},
            "/api/v1/people/": {"slug": "someone"},
            "/api/v1/releases/": catalog,
            "/api/v1/videos/": catalog,
            "/api/v1/tracks/": {"id": track.pk},
            "/api/v1/lists/": {"id": own.pk},
            "/api/v1/me/lists/": {"id": own.pk, "item_id": item.pk},
            # Another fan's comment to report (reporting one's own is a 403); the fan's own to
            # edit, delete and like.
            "/api/v1/comments/{id}/report/": {"id": theirs.pk},
            "/api/v1/comments/": {"id": mine.pk},
        }
    )
    yield make_token(fan)
    EXISTING.clear()


@schema.parametrize()
@FUZZ
def test_anonymous(case: schemathesis.Case) -> None:
    case.call_and_validate()


@schema.parametrize()
@FUZZ
def test_as_a_fan(case: schemathesis.Case, existing: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {existing}"})
