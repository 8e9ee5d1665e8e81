"""The public catalog pages, as a visitor and as a curator sees them."""

import datetime

import pytest
import time_machine
from django.core.exceptions import FieldFetchBlocked
from django.urls import reverse

from catalog.dates import PartialDate, Precision
from catalog.models import Credit, MusicVideo, Status, TieIn
from tests.factories import (
    BUDGET_ROWS,
    make_achievement,
    make_credit,
    make_member,
    make_person,
    make_release,
    make_staff,
    make_tag,
    make_tie_in,
    make_track,
    make_video,
    make_videos,
)

pytestmark = pytest.mark.django_db


def test_home_names_the_group_and_lists_newest_videos(client):
    make_video(title="Impurities", published_on=datetime.date(2022, 11, 14))
    make_video(title="Come Over", published_on=datetime.date(2025, 3, 31))
    make_video(title="Secret draft", status=Status.DRAFT)

    body = client.get("/").content.decode()

    assert "LE SSERAFIM" in body
    assert body.index("Come Over") < body.index("Impurities")
    assert "Secret draft" not in body


def test_home_without_catalog_shows_empty_states(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No videos yet" in response.content.decode()


def test_release_page_shows_tracklist_in_order_with_featured_credit(client):
    release = make_release(title="UNFORGIVEN", slug="unforgiven", kind="album")
    make_track(release=release, title="Burn the Bridge", sequence=1, number=1)
    title_track = make_track(
        release=release, title="UNFORGIVEN", sequence=2, number=2, is_title_track=True
    )
    make_credit(
        track=title_track, person=make_person(name="Nile Rodgers"), role=Credit.Role.FEATURED
    )
    make_achievement(release=release, chart="Billboard 200", peak=6, summary="Top 10.")
    make_achievement(release=None, track=title_track, chart="Billboard Global 200", peak=61)

    body = client.get(reverse("catalog:release-detail", args=["unforgiven"])).content.decode()

    assert body.index("Burn the Bridge") < body.index("UNFORGIVEN (feat. Nile Rodgers)")
    assert "Title track" in body
    assert "Billboard 200" in body
    assert "#6" in body
    assert "Billboard Global 200" in body


def test_partly_known_dates_are_shown_honestly(client):
    make_release(
        title="HOT",
        slug="hot",
        released_on=datetime.date(2025, 3, 1),
        released_on_precision=Precision.MONTH,
    )
    body = client.get(reverse("catalog:release-detail", args=["hot"])).content.decode()
    assert '<time datetime="2025-03">March 2025</time>' in body
    assert "1 March 2025" not in body


def test_partial_date_parsing_and_display():
    assert str(PartialDate.parse("2025")) == "2025"
    assert str(PartialDate.parse("2025-03")) == "March 2025"
    assert str(PartialDate.parse("2022-11-14")) == "14 November 2022"
    with pytest.raises(ValueError, match="not a date"):
        PartialDate.parse("2022-13")


def test_video_page_shows_facts_credits_members_themes_and_tie_in(client):
    release = make_release(title="ANTIFRAGILE", slug="antifragile")
    member = make_member(stage_name="HUH YUNJIN", native_name="허윤진")
    theme = make_tag(name="Resilience")
    video = make_video(
        title="Impurities",
        slug="impurities",
        release=release,
        members=[member],
        themes=[theme],
        description="Projection mapping in a concrete building.",
    )
    make_credit(video=video, person=make_person(name="A Director"), role=Credit.Role.DIRECTOR)
    make_tie_in(name="Crimson Heart", partner="HYBE Original Story", videos=[video])

    body = client.get(video.get_absolute_url()).content.decode()

    for text in ("Impurities", "ANTIFRAGILE", "HUH YUNJIN", "Resilience", "A Director"):
        assert text in body
    assert "Crimson Heart" in body
    assert "No video linked yet" in body
    assert "youtube-nocookie" not in body  # no player without an id


def test_video_with_youtube_id_loads_player_only_on_click(client):
    video = make_video(youtube_id="abcDEF12_-3")
    body = client.get(video.get_absolute_url()).content.decode()
    assert 'href="https://www.youtube.com/watch?v=abcDEF12_-3"' in body
    assert 'data-embed="https://www.youtube-nocookie.com/embed/abcDEF12_-3?autoplay=1"' in body
    assert "<iframe" not in body


def test_unverified_credit_is_marked(client):
    video = make_video(verified=False, verification_note="Director credit has one source.")
    make_credit(video=video, credited_as="VM Project Architecture", verified=False)
    body = client.get(video.get_absolute_url()).content.decode()
    assert "VM Project Architecture" in body
    assert "Unverified" in body
    assert "Director credit has one source." in body


def test_drafts_are_404_for_visitors_and_marked_for_staff(client):
    video = make_video(title="Coming soon", status=Status.DRAFT)
    assert client.get(video.get_absolute_url()).status_code == 404

    client.force_login(make_staff())
    response = client.get(video.get_absolute_url())
    assert response.status_code == 200
    assert "Draft" in response.content.decode()


def test_video_list_filters_by_member_theme_year_release_and_kind(client):
    kazuha = make_member(stage_name="KAZUHA", slug="kazuha")
    theme = make_tag(name="Liberation", slug="liberation")
    hot = make_release(title="HOT", slug="hot")
    make_video(
        title="Come Over",
        members=[kazuha],
        themes=[theme],
        release=hot,
        published_on=datetime.date(2025, 3, 31),
    )
    sakura = make_member(stage_name="SAKURA", slug="sakura")
    make_video(title="Impurities", members=[sakura], published_on=datetime.date(2022, 11, 14))
    make_video(
        title="CRAZY visualizer",
        members=[sakura],
        kind="visualizer",
        published_on=datetime.date(2024, 9, 4),
    )
    url = reverse("catalog:video-list")

    def titles(**params):
        body = client.get(url, params).content.decode()
        return {t for t in ("Come Over", "Impurities", "CRAZY visualizer") if t in body}

    assert titles() == {"Come Over", "Impurities", "CRAZY visualizer"}
    assert titles(member="kazuha") == {"Come Over"}
    assert titles(theme="liberation") == {"Come Over"}
    assert titles(release="hot") == {"Come Over"}
    assert titles(year="2022") == {"Impurities"}
    assert titles(kind="visualizer") == {"CRAZY visualizer"}


def test_video_list_reports_a_bad_filter_instead_of_failing(client):
    make_video(title="Impurities")
    response = client.get(reverse("catalog:video-list"), {"member": "nobody", "year": "abc"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "not understood" in body
    assert "Impurities" in body


def test_video_list_sorts_and_paginates(client):
    for day in range(1, 27):
        make_video(title=f"Clip {day:02d}", published_on=datetime.date(2024, 1, day))
    url = reverse("catalog:video-list")

    first = client.get(url).content.decode()
    assert "Clip 26" in first
    assert "Clip 01" not in first
    assert "Page 1 of 2" in first

    second = client.get(url, {"page": 2}).content.decode()
    assert "Clip 01" in second
    assert "Clip 26" not in second

    oldest = client.get(url, {"sort": "oldest"}).content.decode()
    assert oldest.index("Clip 01") < oldest.index("Clip 02")


def test_member_pages_show_current_and_former_members_honestly(client):
    make_member(stage_name="SAKURA", slug="sakura", native_name="宮脇咲良", nationality="Japanese")
    former = make_member(
        stage_name="KIM GARAM",
        slug="kim-garam",
        native_name="김가람",
        joined_on=datetime.date(2022, 4, 5),
        left_on=datetime.date(2022, 7, 20),
    )
    body = client.get(reverse("catalog:member-list")).content.decode()
    assert body.index("Current members") < body.index("SAKURA") < body.index("Former members")
    assert '<p class="native" lang="ja">宮脇咲良</p>' in body
    assert "20 July 2022" in body

    detail = client.get(former.get_absolute_url()).content.decode()
    assert "Former member of LE SSERAFIM" in detail
    assert "from <time" in detail
    assert "until <time" in detail


def test_member_page_lists_her_videos_and_song_credits(client):
    member = make_member(stage_name="HUH YUNJIN", slug="huh-yunjin")
    person = make_person(name="HUH YUNJIN", member=member)
    track = make_track(title="Impurities", release=make_release(title="ANTIFRAGILE"))
    make_credit(track=track, person=person, role=Credit.Role.SONGWRITER)
    make_video(title="Come Over", members=[member])

    body = client.get(member.get_absolute_url()).content.decode()
    assert "Come Over" in body
    assert "Impurities" in body
    assert "Songwriting" in body


def test_theme_page_lists_its_published_videos(client):
    theme = make_tag(name="Self-acceptance", slug="self-acceptance")
    make_video(title="Come Over", themes=[theme])
    make_video(title="Hidden", themes=[theme], status=Status.DRAFT)
    body = client.get(theme.get_absolute_url()).content.decode()
    assert "Come Over" in body
    assert "Hidden" not in body


def test_helpful_404_suggests_a_close_page(client):
    make_video(title="Impurities", slug="impurities")
    response = client.get("/videos/impurites/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "We couldn't find that page" in body
    assert 'href="/videos/impurities/"' in body


def test_robots_keeps_crawlers_out_of_private_areas(client):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in robots.content.decode()


def _catalog(n_videos: int) -> dict:
    """A catalog whose every video carries a release, members, themes and credits."""
    release = make_release(slug=f"budget-release-{n_videos}")
    tracks = [make_track(release=release) for _ in range(3)]
    members = [make_member() for _ in range(3)]
    themes = [make_tag() for _ in range(2)]
    guest = make_person()
    lyricist = make_person(member=members[0])
    for track in tracks:
        make_credit(track=track, person=guest, role=Credit.Role.FEATURED)
        make_credit(track=track, person=lyricist, role=Credit.Role.LYRICIST)
    videos = make_videos(n_videos, release=release, track=tracks[0], members=members, themes=themes)
    Credit.objects.bulk_create(
        credit
        for video in videos
        for credit in (
            Credit(video=video, person=guest, role=Credit.Role.FEATURED),
            Credit(video=video, credited_as="A Director", role=Credit.Role.DIRECTOR),
        )
    )
    tie_ins = TieIn.objects.bulk_create(
        TieIn(name=f"Tie-in {v.pk}", slug=f"tie-in-{v.pk}", partner="A partner", kind="other")
        for v in videos
    )
    TieIn.videos.through.objects.bulk_create(
        TieIn.videos.through(tiein=tie_in, musicvideo=video)
        for tie_in, video in zip(tie_ins, videos, strict=True)
    )
    video = videos[-1]
    make_achievement(release=release)
    return {"release": release, "video": video, "member": members[0], "theme": themes[0]}


PAGE_BUDGETS = {
    # page: queries allowed, the same for 10 and for 1,000 videos
    "home": 6,  # with its chart sections cached, as they are for 5 minutes
    "video-list": 7,
    "video-list-filtered": 9,
    "video-detail": 8,  # + its sources, + its contributors
    "release-list": 3,
    # + the sources of the release, its tracks, credits and chart records, + its contributors
    "release-detail": 9,
    "member-list": 1,
    "member-detail": 10,  # + her collaborations, + the sources, + the contributors
    "theme-detail": 5,  # + its sources
    "timeline": 7,  # + the sources of the year's events
}


def _urls(data: dict) -> dict[str, str]:
    return {
        "home": "/",
        "video-list": reverse("catalog:video-list"),
        "video-list-filtered": reverse("catalog:video-list")
        + f"?member={data['member'].slug}&theme={data['theme'].slug}&year=2022&sort=title",
        "video-detail": data["video"].get_absolute_url(),
        "release-list": reverse("catalog:release-list"),
        "release-detail": data["release"].get_absolute_url(),
        "member-list": reverse("catalog:member-list"),
        "member-detail": data["member"].get_absolute_url(),
        "theme-detail": data["theme"].get_absolute_url(),
        "timeline": reverse("catalog:timeline") + "?year=2022",
    }


@pytest.mark.parametrize("n_videos", BUDGET_ROWS)
def test_every_page_keeps_a_fixed_query_budget(
    client, settings, django_assert_max_num_queries, n_videos
):
    """Guards against N+1 queries: the budget does not grow with the catalog."""
    settings.PAGE_CACHE_SECONDS = 0  # the pages as rendered, not as the page cache serves them
    urls = _urls(_catalog(n_videos))
    for page, url in urls.items():
        client.get(url)  # content types are cached per process after the first request
        with django_assert_max_num_queries(PAGE_BUDGETS[page], info=page):
            response = client.get(url)
        assert response.status_code == 200, page


def test_a_lazy_load_inside_a_query_budget_fails_loudly(django_assert_max_num_queries):
    """The budget helper (tests/conftest.py) turns on Django's FETCH_RAISE: an N+1 names the
    relation it would have loaded, at any size."""
    video = make_video(release=make_release())
    with (
        pytest.raises(FieldFetchBlocked, match=r"MusicVideo\.release"),
        django_assert_max_num_queries(5),
    ):
        MusicVideo.objects.get(pk=video.pk).release  # noqa: B018
    with django_assert_max_num_queries(1):
        assert MusicVideo.objects.select_related("release").get(pk=video.pk).release


def test_member_page_shows_next_birthday_and_fan_favourite_count(client):
    from community.models import Profile
    from tests.factories import make_user

    member = make_member(
        stage_name="KIM CHAEWON", slug="kim-chaewon", birth_date=datetime.date(2000, 8, 1)
    )
    for _ in range(2):
        Profile.objects.create(user=make_user(), favourite_member=member)
    with time_machine.travel(datetime.datetime(2026, 7, 30, 12, tzinfo=datetime.UTC)):
        body = client.get(member.get_absolute_url()).content.decode()
    assert "1 August 2026</time>: she turns 26 in 2 days" in body
    assert "2 fans chose her as their favourite" in body


def test_next_birthday_handles_the_year_turn_and_unknown_days():
    member = make_member(birth_date=datetime.date(2005, 1, 3))
    assert member.next_birthday(datetime.date(2026, 12, 30)) == (datetime.date(2027, 1, 3), 22)
    year_only = make_member(
        birth_date=datetime.date(2005, 1, 1), birth_date_precision=Precision.YEAR
    )
    assert year_only.next_birthday(datetime.date(2026, 12, 30)) is None


def test_timeline_tells_one_year_in_order_with_every_kind_of_event(client):
    release = make_release(title="ANTIFRAGILE", released_on=datetime.date(2022, 10, 17))
    make_video(title="Impurities", published_on=datetime.date(2022, 11, 14))
    make_achievement(
        release=release, chart="Billboard 200", peak=14, charted_on=datetime.date(2022, 11, 5)
    )
    make_tie_in(
        name="Crimson Heart", started_on=datetime.date(2022, 11, 1), started_on_precision="month"
    )
    make_release(title="EASY", released_on=datetime.date(2024, 2, 19))

    body = client.get(reverse("catalog:timeline"), {"year": 2022}).content.decode()
    assert body.index("ANTIFRAGILE") < body.index("Crimson Heart") < body.index("Impurities")
    assert "Billboard 200 #14" in body
    assert "EASY" not in body.split('class="timeline"')[1]

    latest = client.get(reverse("catalog:timeline")).content.decode()
    assert "EASY</a> comes out" in latest
    assert 'href="?year=2022"' in latest


def test_timeline_answers_a_bad_year_with_a_400(client):
    make_release(released_on=datetime.date(2022, 5, 2))
    assert client.get(reverse("catalog:timeline"), {"year": "soon"}).status_code == 400
    unknown = client.get(reverse("catalog:timeline"), {"year": 1999}).content.decode()
    assert "Pick a year above." in unknown
