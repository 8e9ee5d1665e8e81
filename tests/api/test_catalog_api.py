"""The catalog's read API: published items only, by slug, fixed query counts, JSON errors."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache

from catalog.api import VideoSerializer
from catalog.models import (
    Credit,
    ExternalLink,
    Member,
    MusicVideo,
    Person,
    Release,
    Status,
    Tag,
    Track,
)
from foundation import page_cache
from tests.api.conftest import ApiClient, make_token
from tests.factories import (
    BUDGET_ROWS,
    image_upload,
    make_achievement,
    make_credit,
    make_member,
    make_person,
    make_rating,
    make_ratings,
    make_release,
    make_rows,
    make_source,
    make_tag,
    make_track,
    make_user,
    make_users,
    make_video,
    make_videos,
)

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def _slugs(response) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


# ---- Lists and details ----------------------------------------------------------------------


def test_drafts_are_left_out_of_lists_and_details(api):
    make_release(slug="easy")
    make_release(slug="secret", status=Status.DRAFT)
    make_video(slug="smart")
    make_video(slug="teaser-draft", status=Status.DRAFT)

    assert _slugs(api.get(f"{V1}/releases/")) == ["easy"]
    assert _slugs(api.get(f"{V1}/videos/")) == ["smart"]
    assert api.get(f"{V1}/releases/secret/").status_code == 404
    assert api.get(f"{V1}/videos/teaser-draft/").status_code == 404


def test_release_detail_lists_tracks_in_order_with_their_credits(api):
    release = make_release(slug="easy", title="EASY")
    second = make_track(release=release, title="Swan Song", sequence=2, number=2)
    first = make_track(release=release, title="EASY", sequence=1, number=1, is_title_track=True)
    make_credit(track=first, person=make_person(name="A Lyricist"), role=Credit.Role.LYRICIST)
    make_credit(track=second, credited_as="Guest", role=Credit.Role.FEATURED)

    body = api.get(f"{V1}/releases/easy/").json()

    assert [t["title"] for t in body["tracks"]] == ["EASY", "Swan Song"]
    assert body["tracks"][0]["is_title_track"] is True
    assert body["tracks"][0]["credits"][0]["name"] == "A Lyricist"
    assert body["tracks"][1]["display_title"] == "Swan Song (feat. Guest)"


def test_a_video_of_a_draft_release_hides_that_release(api):
    draft = make_release(status=Status.DRAFT)
    make_video(slug="smart", release=draft, track=make_track(release=draft))

    body = api.get(f"{V1}/videos/smart/").json()

    assert body["release"] is None
    assert body["track"] is None
    assert api.get(f"{V1}/videos/").json()["results"][0]["release"] is None


def test_video_detail_has_members_themes_and_credits(api):
    member = make_member(slug="chaewon", stage_name="KIM CHAEWON")
    video = make_video(slug="smart", members=[member], themes=[make_tag(slug="confidence")])
    make_credit(video=video, person=make_person(slug="director-x"))

    body = api.get(f"{V1}/videos/smart/").json()

    assert body["members"] == [{"slug": "chaewon", "stage_name": "KIM CHAEWON"}]
    assert body["themes"][0]["slug"] == "confidence"
    assert body["credits"][0]["person"] == "director-x"
    assert body["page_url"] == "http://testserver/videos/smart/"
    assert body["premiere_at"] is None


def test_a_video_names_its_premiere_and_the_zone_it_was_announced_in(api):
    make_video(
        slug="smart",
        premiere_at=datetime.datetime(2026, 2, 20, 9, 0, tzinfo=datetime.UTC),
        premiere_time_zone="Asia/Seoul",
    )

    body = api.get(f"{V1}/videos/smart/").json()

    moment = datetime.datetime.fromisoformat(body["premiere_at"].replace("Z", "+00:00"))
    assert moment == datetime.datetime(2026, 2, 20, 9, 0, tzinfo=datetime.UTC)
    assert body["premiere_time_zone"] == "Asia/Seoul"


def test_tracks_of_draft_releases_are_not_found(api):
    track = make_track(release=make_release(status=Status.DRAFT))

    assert api.get(f"{V1}/tracks/{track.pk}/").status_code == 404
    assert api.get(f"{V1}/tracks/").json()["count"] == 0


def test_a_person_lists_only_published_credits(api):
    person = make_person(slug="someone")
    make_credit(person=person, track=make_track(title="Public"))
    make_credit(person=person, track=make_track(release=make_release(status=Status.DRAFT)))
    make_credit(person=person, video=make_video(status=Status.DRAFT), role=Credit.Role.OTHER)

    credits = api.get(f"{V1}/people/someone/").json()["credits"]

    assert [c["track"]["title"] for c in credits] == ["Public"]


@pytest.mark.parametrize("resource", ["members", "themes", "people"])
def test_other_catalog_details_are_found_by_slug(api, resource):
    maker = {"members": make_member, "themes": make_tag, "people": make_person}[resource]
    maker(slug="found-me")

    assert api.get(f"{V1}/{resource}/found-me/").json()["slug"] == "found-me"
    assert api.get(f"{V1}/{resource}/missing/").status_code == 404


def test_rating_summary_has_count_average_and_histogram(api):
    video = make_video(slug="smart")
    make_rating(video=video, score=10)
    make_rating(video=video, score=7)

    body = api.get(f"{V1}/videos/smart/ratings/summary/").json()

    assert body["count"] == 2
    assert body["average"] == 4.25
    assert [bar["count"] for bar in body["histogram"]] == [0, 0, 0, 0, 0, 0, 1, 0, 0, 1]
    assert body["histogram"][9] == {"score": 10, "stars": 5.0, "count": 1}


# ---- Filters, search, ordering ----------------------------------------------------------------


def test_videos_filter_by_release_member_theme_year_and_kind(api):
    release = make_release(slug="easy")
    member = make_member(slug="yunjin")
    theme = make_tag(slug="self-love")
    make_video(slug="match", release=release, members=[member], themes=[theme], kind="official")
    solo = make_member(slug="solo")
    make_video(
        slug="other-year", release=release, members=[solo], published_on=datetime.date(2023, 5, 1)
    )
    make_video(slug="performance", members=[solo], kind=MusicVideo.Kind.PERFORMANCE)

    assert sorted(_slugs(api.get(f"{V1}/videos/?release=easy"))) == ["match", "other-year"]
    assert _slugs(api.get(f"{V1}/videos/?member=yunjin")) == ["match"]
    assert _slugs(api.get(f"{V1}/videos/?theme=self-love")) == ["match"]
    assert _slugs(api.get(f"{V1}/videos/?year=2023")) == ["other-year"]
    assert _slugs(api.get(f"{V1}/videos/?kind=performance")) == ["performance"]
    assert _slugs(api.get(f"{V1}/videos/?release=nothing-here")) == []
    assert _slugs(api.get(f"{V1}/videos/?member=nobody")) == []


def test_the_member_filter_and_the_video_count_the_lineup_at_release(api):
    make_member(
        slug="garam", revealed_on=datetime.date(2022, 4, 5), left_on=datetime.date(2022, 7, 20)
    )
    make_member(slug="chaewon", revealed_on=datetime.date(2022, 4, 7))
    make_video(slug="fearless", published_on=datetime.date(2022, 5, 2))
    make_video(slug="antifragile", published_on=datetime.date(2022, 10, 17))

    assert _slugs(api.get(f"{V1}/videos/?member=garam")) == ["fearless"]
    assert sorted(_slugs(api.get(f"{V1}/videos/?member=chaewon"))) == ["antifragile", "fearless"]
    body = api.get(f"{V1}/videos/fearless/").json()
    assert body["whole_group"] is True
    assert [m["slug"] for m in body["members"]] == ["garam", "chaewon"]


def test_dates_say_what_is_known_and_whether_it_is_verified(api):
    make_member(slug="garam", birth_date=datetime.date(2005, 1, 1), birth_date_precision="year")
    make_release(slug="hot", released_on=datetime.date(2025, 3, 1), released_on_precision="month")

    member = api.get(f"{V1}/members/garam/").json()
    assert member["birth"] == {"date": "2005", "precision": "year", "verified": True}
    assert "birth_date" not in member
    release = api.get(f"{V1}/releases/hot/").json()
    assert release["released"] == {"date": "2025-03", "precision": "month", "verified": False}


def test_credits_and_chart_records_say_whether_they_are_verified_and_where_from(api):
    release = make_release(slug="crazy")
    track = make_track(release=release, title="CRAZY")
    credit = make_credit(track=track, credited_as="Someone", verified=False)
    make_source(credit, url="https://news.example/credit")
    chart = make_achievement(release=release, verified=False, chart="Billboard 200")
    make_source(chart, url="seed:002_6d64a6114b865816.txt")
    make_source(release, url="https://news.example/day", field="released_on")
    video = make_video(slug="smart")
    director = make_credit(video=video, person=make_person(slug="vm"), verified=False)
    make_source(director, url="https://news.example/director")

    body = api.get(f"{V1}/releases/crazy/").json()

    credit_body = body["tracks"][0]["credits"][0]
    assert credit_body["verified"] is False
    assert credit_body["sources"][0]["url"] == "https://news.example/credit"
    record = body["chart_records"][0]
    assert record["verified"] is False
    assert record["sources"] == [
        {
            "url": None,
            "title": "",
            "publisher": "",
            "read_on": None,
            "press_release": True,
            "fact": None,
        }
    ]
    assert body["sources"][0]["fact"] == "released_on"
    assert (
        api.get(f"{V1}/releases/").json()["results"][0]["tracks"][0]["credits"][0]["verified"]
        is False
    )
    smart = api.get(f"{V1}/videos/smart/").json()
    assert smart["credits"][0]["verified"] is False
    assert smart["credits"][0]["sources"][0]["url"] == "https://news.example/director"
    person = api.get(f"{V1}/people/vm/").json()
    assert person["credits"][0]["verified"] is False


def test_search_looks_in_title_and_native_title(api):
    make_video(slug="antifragile", title="ANTIFRAGILE")
    make_video(slug="hangul", title="Something else", native_title="두려움")
    make_video(slug="unrelated", title="Perfect Night")

    assert _slugs(api.get(f"{V1}/videos/?search=fragile")) == ["antifragile"]
    assert _slugs(api.get(f"{V1}/videos/?search=두려")) == ["hangul"]
    assert len(_slugs(api.get(f"{V1}/videos/?search=%20%20"))) == 3  # blank: no search


def test_ordering_by_rating_average_puts_unrated_last(api):
    low, high = make_video(slug="low"), make_video(slug="high")
    make_video(slug="unrated")
    make_rating(video=low, score=2)
    make_rating(video=high, score=10)

    assert _slugs(api.get(f"{V1}/videos/?ordering=-rating_average")) == ["high", "low", "unrated"]
    assert _slugs(api.get(f"{V1}/videos/?ordering=rating_average")) == ["low", "high", "unrated"]


def test_ordering_by_rating_count_and_date(api):
    popular = make_video(slug="popular", published_on=datetime.date(2022, 5, 2))
    make_video(slug="newer", published_on=datetime.date(2024, 2, 19))
    make_rating(video=popular)
    make_rating(video=popular)

    assert _slugs(api.get(f"{V1}/videos/?ordering=-rating_count"))[0] == "popular"
    assert _slugs(api.get(f"{V1}/videos/")) == ["newer", "popular"]
    assert _slugs(api.get(f"{V1}/videos/?ordering=published_on")) == ["popular", "newer"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=abc", "year"),
        ("year=2022.0", "year"),
        ("year=0", "year"),
        ("kind=music", "kind"),
        ("theme=", "theme"),
        ("release=not%20a%20slug", "release"),
        ("member=%20chaewon", "member"),
        ("search=%00", "search"),
        ("ordering=title", "ordering"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page=last", "page"),
    ],
)
def test_a_malformed_query_is_a_400_naming_the_parameter(api, query, field):
    response = api.get(f"{V1}/videos/?{query}")

    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [field]
    assert body["detail"].startswith(f"{field}: ")


# ---- Pagination and query budgets -------------------------------------------------------------


def test_page_size_is_chosen_by_the_client(api):
    for n in range(3):
        make_tag(slug=f"theme-{n}")

    body = api.get(f"{V1}/themes/?page_size=2").json()

    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"].endswith("page=2&page_size=2")
    assert api.get(f"{V1}/themes/?page=3&page_size=2").status_code == 404


def _make_catalog(n: int) -> None:
    """n of everything: releases with a credited track, videos, members, themes and people."""
    releases = make_rows(Release, n)
    tracks = make_rows(Track, n, release=releases)
    make_rows(Credit, n, track=tracks, person=make_rows(Person, n))
    featured = Credit.Role.FEATURED
    make_rows(Credit, n, track=tracks, credited_as="Guest", role=featured)
    videos = make_videos(n, release=releases, track=tracks)
    for field, column, model in (("members", "member", Member), ("themes", "tag", Tag)):
        through = getattr(MusicVideo, field).through
        through.objects.bulk_create(
            through(musicvideo=video, **{column: row})
            for video, row in zip(videos, make_rows(model, n), strict=True)
        )
    make_rows(Credit, n, video=videos, credited_as="Guest", role=featured)


# Queries per list, whatever the page size: the count and the page, then prefetches.
QUERY_BUDGETS = {
    "members/": 2,
    "releases/": 4,  # + tracks, + their credits with people
    "tracks/": 3,  # page with releases, + credits with people
    "videos/": 3,  # page with releases, + featured credits
    "videos/?ordering=-rating_average&search=Video": 3,
    "themes/": 2,
    "people/": 2,
}


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_lists_run_a_fixed_number_of_queries(api, django_assert_max_num_queries, n):
    """Guards against N+1 queries: the same count for 10 items as for 1,000 (pages of 100)."""
    _make_catalog(n)

    for path, queries in QUERY_BUDGETS.items():
        with django_assert_max_num_queries(queries):
            response = api.get(f"{V1}/{path}{'&' if '?' in path else '?'}page_size=100")
        assert len(response.json()["results"]) == min(n, 100), path
        assert response.json()["count"] == n, path


def _make_big_items(n: int) -> int:
    """One of each item holding n of what its detail lists: a release of n credited tracks, a
    track, a video and a person with n credits, a video with n members, themes and ratings, and
    n links on each item that has links. Answers the track's id."""
    release = make_release(slug="easy")
    numbers = list(range(1, n + 1))
    tracks = make_rows(Track, n, release=release, sequence=numbers, number=numbers)
    people = make_rows(Person, n)
    make_rows(Credit, n, track=tracks, person=people)
    make_rows(Credit, n, track=tracks[0], person=people, role=Credit.Role.LYRICIST)
    make_rows(
        Credit, n, track=tracks, person=make_person(slug="a-composer"), role=Credit.Role.COMPOSER
    )
    video = make_video(slug="smart", release=release, track=tracks[0], whole_group=False)
    make_rows(Credit, n, video=video, person=people)
    video.members.add(*make_rows(Member, n))
    video.themes.add(*make_rows(Tag, n))
    make_ratings((fan, video) for fan in make_users(n))
    make_tag(slug="courage")
    for item in (make_member(slug="kazuha"), release, video):
        ExternalLink.objects.bulk_create(
            ExternalLink(
                content_type=ContentType.objects.get_for_model(item),
                object_id=item.pk,
                site=ExternalLink.Site.OTHER,
                url=f"https://example.com/{k}",
            )
            for k in range(n)
        )
    return tracks[0].pk


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_details_run_a_fixed_number_of_queries(api, django_assert_max_num_queries, n):
    """Guards against N+1 queries: a detail holding 1,000 rows costs what one holding 10 does."""
    track_id = _make_big_items(n)
    budgets = {
        # path: queries (the item, then a prefetch for each list it holds), the lists' lengths
        "members/kazuha/": (4, {"links": n}),  # + links, collaborations, sources
        # + tracks, their credits, links, chart records, sources
        "releases/easy/": (6, {"tracks": n, "links": n}),
        f"tracks/{track_id}/": (3, {"credits": n + 2}),  # the track, credits, sources
        # + credits, themes, links, sources, the members (of the lineup)
        "videos/smart/": (6, {"credits": n, "members": n, "themes": n, "links": n}),
        "themes/courage/": (1, {}),
        "people/a-composer/": (2, {"credits": n}),  # the person, credits with tracks, releases
        "videos/smart/ratings/summary/": (1, {}),  # the video's stored figures
    }
    for path, (queries, lengths) in budgets.items():
        with django_assert_max_num_queries(queries, info=path):
            response = api.get(f"{V1}/{path}")
        body = response.json()
        assert {key: len(body[key]) for key in lengths} == lengths, path
    assert api.get(f"{V1}/videos/smart/ratings/summary/").json()["count"] == n
    tracks = api.get(f"{V1}/releases/easy/").json()["tracks"]
    assert [len(track["credits"]) for track in tracks[:2]] == [n + 2, 2]


# ---- Conditional requests ---------------------------------------------------------------------


def test_etag_answers_304_until_the_video_changes(api):
    video = make_video(slug="smart")
    first = api.get(f"{V1}/videos/smart/")
    etag = first["ETag"]

    again = api.get(f"{V1}/videos/smart/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    make_rating(video=video, score=6)  # changes the figures, not `updated_at`
    changed = api.get(f"{V1}/videos/smart/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_release_etag_changes_when_a_track_is_edited(api):
    release = make_release(slug="easy")
    track = make_track(release=release)
    etag = api.get(f"{V1}/releases/easy/")["ETag"]

    track.title = "Renamed"
    track.save()

    response = api.get(f"{V1}/releases/easy/", headers={"If-None-Match": etag})
    assert response.status_code == 200


# ---- Errors are JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/videos/missing/", 404),
        ("get", "/api/v1/no-such-thing/", 404),
        ("get", "/api/v1/tracks/abc/", 404),
        ("post", "/api/v1/videos/", 405),
        ("delete", "/api/v1/releases/easy/", 405),
    ],
)
def test_errors_are_json_with_a_detail(api, method, path, status):
    make_release(slug="easy")

    response = api.send(method, path)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"]
    assert body["errors"] == {"detail": [body["detail"]]}


def test_anonymous_reads_are_throttled_with_a_json_429(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "100/min", "writes": "100/min"},
    }
    cache.clear()

    statuses = [api.get(f"{V1}/themes/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    response = api.get(f"{V1}/themes/")
    assert response.json()["errors"]["detail"][0].startswith("Request was throttled.")
    assert int(response["Retry-After"]) > 0


# ---- The video list kept between writes -----------------------------------------------------


def test_a_kept_video_list_is_served_without_queries_until_a_write_it_shows(
    api, django_assert_num_queries
):
    video = make_video(slug="smart", title="SMART")
    draft = make_video(slug="crazy", title="CRAZY", status=Status.DRAFT)
    first = api.get(f"{V1}/videos/")
    with django_assert_num_queries(0):
        again = api.get(f"{V1}/videos/")
    assert again.json() == first.json()
    headers = {name for name in dict(first.items()) if name != "X-Request-ID"}
    assert {name: again[name] for name in headers} == {name: first[name] for name in headers}

    make_rating(video=video, score=7)
    row = api.get(f"{V1}/videos/").json()["results"][0]
    assert (row["rating_count"], row["rating_average"]) == (1, 3.5)

    draft.status = Status.PUBLISHED
    draft.save()
    assert _slugs(api.get(f"{V1}/videos/")) == ["crazy", "smart"]  # same day: by title


def test_after_a_rating_the_list_reads_only_its_videos_until_the_catalog_changes(
    api, django_assert_num_queries
):
    """A row's catalog part and the count are kept until the catalog changes: after a rating,
    one query reads the page's videos with their figures."""
    video = make_video(slug="smart", title="SMART")
    make_video(slug="crazy", title="CRAZY")
    api.get(f"{V1}/videos/")
    make_rating(video=video, score=7)
    with django_assert_num_queries(1):
        page = api.get(f"{V1}/videos/").json()
    row = next(row for row in page["results"] if row["slug"] == "smart")
    assert (page["count"], row["rating_count"], row["rating_average"]) == (2, 1, 3.5)

    video.title = "SMART (remix)"
    video.save()
    make_video(slug="easy", title="EASY")
    page = api.get(f"{V1}/videos/").json()
    row = next(row for row in page["results"] if row["slug"] == "smart")
    assert (page["count"], row["title"], row["rating_count"]) == (3, "SMART (remix)", 1)


def test_each_query_string_keeps_its_own_page(api):
    make_videos(3, title=["Alpha", "Beta", "Gamma"], published_on=[None, None, None])
    assert api.get(f"{V1}/videos/?search=beta").json()["count"] == 1
    assert api.get(f"{V1}/videos/?search=alpha").json()["count"] == 1
    assert api.get(f"{V1}/videos/?page_size=1&page=2").json()["results"][0]["title"] == "Beta"
    assert api.get(f"{V1}/videos/?page_size=1&page=3").json()["results"][0]["title"] == "Gamma"


def test_token_and_session_clients_get_the_same_list_as_visitors(api):
    make_video(slug="smart")
    fan = make_user()
    with_token = ApiClient(make_token(fan))
    with_session = ApiClient()
    with_session.force_login(fan)
    visitor = api.get(f"{V1}/videos/").json()
    assert with_token.get(f"{V1}/videos/").json() == visitor
    assert with_session.get(f"{V1}/videos/").json() == visitor


@pytest.mark.parametrize(
    "query",
    ["year=abc", "ordering=title", "page=9", "page_size=1000", "theme=", "search=" + "x" * 101],
)
def test_a_refused_list_stays_refused_and_is_never_kept(api, query, monkeypatch):
    make_video()
    kept = []
    monkeypatch.setattr(page_cache, "keep", lambda *args: kept.append(args))
    first = api.get(f"{V1}/videos/?{query}")
    assert first.status_code in (400, 404)
    assert api.get(f"{V1}/videos/?{query}").json() == first.json()
    assert kept == []
    api.get(f"{V1}/videos/")
    assert len(kept) == 1, "a list that is answered is kept"


def test_parameters_the_list_does_not_read_are_answered_but_not_kept(
    api, django_assert_max_num_queries
):
    make_video(slug="smart")
    for _ in range(2):
        with django_assert_max_num_queries(3) as queries:
            assert _slugs(api.get(f"{V1}/videos/?utm_source=feed")) == ["smart"]
        assert len(queries) > 0


def test_a_kept_list_is_still_throttled(api, settings):
    make_video()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "100/min", "writes": "100/min"},
    }
    cache.clear()

    statuses = [api.get(f"{V1}/videos/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_each_listed_video_reads_as_the_serializer_writes_it(api):
    """The list builds its rows by hand (catalog.api.VideoViewSet._made): each must equal what
    VideoSerializer gives, as the detail answer (a subclass) shows it."""
    draft = make_release(slug="draft-album", status=Status.DRAFT)
    guest = make_person(name="Guest Star", slug="guest-star")
    featured = make_video(
        slug="featured",
        title="Featured",
        native_title="피처링",
        release=make_release(slug="easy", title="EASY"),
        youtube_id="abcdefghijk",
        verified=True,
        premiere_at=datetime.datetime(2026, 2, 20, 9, 0, tzinfo=datetime.UTC),
        premiere_time_zone="Asia/Seoul",
        thumbnail=image_upload("still.png"),
        thumbnail_alt="The five on stage",
    )
    make_credit(video=featured, person=guest, credited_as="Guest Star", role=Credit.Role.FEATURED)
    make_rating(video=featured, score=7)
    make_rating(video=featured, score=10)
    make_video(slug="undated", published_on=None, release=draft, verified=False)
    rows = api.get(f"{V1}/videos/").json()["results"]
    assert [row["slug"] for row in rows] == ["featured", "undated"]
    assert rows[0]["thumbnail_small"].startswith("http://testserver/")
    assert rows[0]["display_title"] == "Featured (feat. Guest Star)"
    for row in rows:
        assert list(row) == VideoSerializer.Meta.fields
        detail = api.get(f"{V1}/videos/{row['slug']}/").json()
        assert row == {name: detail[name] for name in row}
