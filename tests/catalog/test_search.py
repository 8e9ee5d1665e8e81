"""/search/: over videos, songs, releases, members, people and themes, native scripts included."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Credit, Member, Person, Status, Track
from catalog.search import KINDS, first_matches, matches, normalise_query
from catalog.text import fold
from tests.factories import (
    BUDGET_ROWS,
    make_credit,
    make_member,
    make_person,
    make_rating,
    make_release,
    make_rows,
    make_staff,
    make_tag,
    make_track,
    make_user,
    make_video,
    make_videos,
)

pytestmark = pytest.mark.django_db
URL = reverse("search")


@pytest.fixture
def yunjin():
    return make_member(
        stage_name="HUH YUNJIN",
        slug="huh-yunjin",
        native_name="허윤진",
        romanized_name="Huh Yun-jin",
    )


@pytest.mark.parametrize("language", ["", "/ko", "/ja"])
def test_every_kind_of_result_escapes_what_curators_wrote(client, language):
    """The result lines are built in Python: each catalog text in them is escaped."""
    release = make_release(
        title="<i>zeta</i> album", native_title="<i>zeta</i>", ordinal_note="<i>zeta</i>"
    )
    make_track(release=release, title="<i>zeta</i> song")
    video = make_video(title="<i>zeta</i> video")
    make_credit(video=video, role=Credit.Role.FEATURED, credited_as="<i>zeta</i> guest")
    make_member(stage_name="<i>zeta</i> member", native_name="<i>zeta</i>", aliases="<i>zeta</i>")
    make_person(
        name="<i>zeta</i> person", note="<i>zeta</i>", note_ko="<i>zeta</i>", note_ja="<i>zeta</i>"
    )
    make_tag(name="<i>zeta</i> theme", name_ko="<i>zeta</i>", name_ja="<i>zeta</i>")
    for params in [{"q": "zeta"}, *({"q": "zeta", "kind": kind.key} for kind in KINDS)]:
        body = client.get(language + URL, params).content.decode()
        assert "<i>" not in body
    assert body.count("&lt;i&gt;") >= 1
    grouped = client.get(language + URL, {"q": "zeta"}).content.decode()
    assert grouped.count('<li class="result">') == 6


@pytest.mark.parametrize("query", ["허윤진", "Huh Yunjin", "yunjin", "YUNJIN", "  huh   yunjin "])
def test_native_and_latin_names_find_the_same_member(client, yunjin, query):
    body = client.get(URL, {"q": query}).content.decode()
    assert 'href="/members/huh-yunjin/"' in body


def test_japanese_names_and_accents_fold(client):
    make_member(stage_name="SAKURA", slug="sakura", native_name="宮脇咲良")
    make_person(name="Beyoncé Knowles", slug="beyonce")
    assert 'href="/members/sakura/"' in client.get(URL, {"q": "宮脇"}).content.decode()
    assert "Knowles" in client.get(URL, {"q": "beyonce"}).content.decode()
    assert fold("\uff28\uff2f\uff34 Beyoncé") == "hot beyonce"  # full-width HOT
    assert fold("が") == "が"  # voicing marks are not accents


def test_results_are_grouped_by_kind_and_highlighted(client):
    release = make_release(title="UNFORGIVEN", slug="unforgiven")
    make_track(release=release, title="UNFORGIVEN")
    make_video(title="UNFORGIVEN", slug="unforgiven-mv", release=release)
    make_tag(name="Unforgiven spirit", slug="unforgiven-spirit")

    body = client.get(URL, {"q": "unforgiven"}).content.decode()

    for heading in (
        'id="results-videos"',
        'id="results-releases"',
        'id="results-tracks"',
        'id="results-themes"',
    ):
        assert heading in body
    assert body.index("results-videos") < body.index("results-releases")
    assert "<mark>UNFORGIVEN</mark>" in body


def test_search_text_in_descriptions_finds_videos(client):
    make_video(title="Impurities", slug="impurities", description="Theme of “Crimson Heart”.")
    assert 'href="/videos/impurities/"' in client.get(URL, {"q": "crimson heart"}).content.decode()


def test_drafts_never_show_to_visitors(client):
    make_video(title="Secret comeback", status=Status.DRAFT)
    body = client.get(URL, {"q": "secret"}).content.decode()
    assert "Secret comeback" not in body
    assert "Nothing matches" in body


def test_too_short_and_empty_queries_explain_themselves(client):
    assert "at least two letters" in client.get(URL, {"q": "a"}).content.decode()
    assert client.get(URL).status_code == 200
    assert "허" in fold("허")  # one Hangul syllable is a meaningful query
    assert "at least two" not in client.get(URL, {"q": "허"}).content.decode()


def test_one_kind_pages_through_all_results(client):
    for n in range(25):
        make_video(title=f"Performance {n:02d}", slug=f"performance-{n:02d}")
    first = client.get(URL, {"q": "performance", "kind": "videos"}).content.decode()
    assert "25 results" in first
    assert "Page 1 of 2" in first
    second = client.get(URL, {"q": "performance", "kind": "videos", "page": 2}).content.decode()
    assert second.count('<li class="result">') == 5


def test_grouped_page_offers_more_when_a_kind_has_more(client):
    for n in range(7):
        make_video(title=f"Clip {n}", slug=f"clip-{n}")
    body = client.get(URL, {"q": "clip"}).content.decode()
    assert body.count('<li class="result">') == 5
    assert "kind=videos" in body


def test_suggestions_fragment_is_just_the_results(client, yunjin):
    body = client.get(URL, {"q": "yun", "suggest": "1"}).content.decode()
    assert body.lstrip().startswith('<div class="search-results"')
    assert "<html" not in body
    assert 'href="/members/huh-yunjin/"' in body


def test_markup_in_queries_is_escaped(client):
    body = client.get(URL, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in body


@pytest.mark.parametrize("query", ["yunijn", "Huh Yunjni", "허윤지"])
def test_typos_still_find_and_say_so(client, yunjin, query):
    body = client.get(URL, {"q": query}).content.decode()
    assert 'href="/members/huh-yunjin/"' in body
    assert "exactly. These come close" in body


def test_a_typo_in_one_kind_pages_through_its_near_misses(client):
    make_video(title="Impurities", slug="impurities")
    body = client.get(URL, {"q": "impurites", "kind": "videos"}).content.decode()
    assert 'href="/videos/impurities/"' in body
    assert "1 result" in body


def test_short_words_need_no_typo_to_be_wrong(client):
    make_video(title="HOT", slug="hot")
    assert 'href="/videos/hot/"' not in client.get(URL, {"q": "hit"}).content.decode()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ㅎㅇㅈ", "/members/huh-yunjin/"),  # initial consonants
        ("ㅎㅇ", "/members/huh-yunjin/"),
        ("사쿠라", "/members/sakura/"),  # an alias
        ("さくら", "/members/sakura/"),  # kana, read as romaji
        ("サクラ", "/members/sakura/"),
        ("ミヤワキ", "/members/sakura/"),
        ("miyawaki sakura", "/members/sakura/"),
        ("宮脇 咲良", "/members/sakura/"),
    ],
)
def test_every_script_a_fan_types_finds_the_member(client, yunjin, query, found):
    make_member(
        stage_name="SAKURA",
        slug="sakura",
        native_name="宮脇咲良",
        romanized_name="Miyawaki Sakura",
        aliases="사쿠라\n宮脇 咲良",
    )
    body = client.get(URL, {"q": query}).content.decode()
    assert f'href="{found}"' in body


@pytest.mark.parametrize(
    "query", ["르세라핌", "ㄹㅅㄹㅍ", "ルセラフィム", "le sserafim", "lesserafim"]
)
def test_the_groups_name_leads_to_its_members(client, query):
    body = client.get(URL, {"q": query}).content.decode()
    assert 'id="results-group"' in body
    assert 'href="/members/"' in body[body.index('id="results-group"') :]


def test_suggestions_forgive_typos_as_the_fan_types(client, yunjin):
    body = client.get(URL, {"q": "yunijn", "suggest": "1"}).content.decode()
    assert 'href="/members/huh-yunjin/"' in body
    assert "<html" not in body


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_search_query_budget(client, django_assert_max_num_queries, n):
    """Guards N+1: grouped results cost one query per kind, whatever the matches (people who
    are members link to their pages)."""
    release = make_release(title="Common release")
    numbers = list(range(n))
    make_videos(n, title=[f"Common {i}" for i in numbers], release=release)
    positions = list(range(1, n + 1))
    songs = [f"Common song {i}" for i in numbers]
    make_rows(Track, n, release=release, title=songs, sequence=positions, number=positions)
    members = make_rows(Member, n)
    make_rows(Person, n, name=[f"Common person {i}" for i in numbers], member=members)
    with django_assert_max_num_queries(1):
        assert client.get(URL, {"q": "common"}).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(URL, {"q": "common", "kind": "tracks"}).status_code == 200


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_typo_search_query_budget(client, django_assert_max_num_queries, n):
    """Guards N+1 in the typo pass: one query for every kind as typed, one per kind for the
    names (kept until the catalog changes), one for every kind that came close."""
    make_videos(n, title=[f"Impurities {i}" for i in range(n)])
    make_rows(Person, n, name=[f"Someone {i}" for i in range(n)])
    with django_assert_max_num_queries(1 + 6 + 1):
        body = client.get(URL, {"q": "impurites"}).content.decode()
    assert "Impurities 0" in body
    with django_assert_max_num_queries(1 + 1):  # the names' index is kept now
        assert client.get(URL, {"q": "impurites"}).status_code == 200


@pytest.fixture
def catalog_to_rank():
    """Rows of every kind that tie, start with the query or only hold it, drafts among them."""
    release = make_release(title="Hot hot", slug="hot-hot")
    draft = make_release(title="Hot draft", slug="hot-draft", status=Status.DRAFT)
    for title, on in [("Hot", release), ("hot", release), ("Not hot", draft), ("HOT 2", release)]:
        make_track(release=on, title=title)
    for i, title in enumerate(["Hot", "Very hot", "hot", "HOT", "Hot", "Hot (live)", "Hotter"]):
        video = make_video(title=title, status=Status.DRAFT if i == 2 else Status.PUBLISHED)
        if i % 3 == 0:
            make_credit(video=video, role=Credit.Role.FEATURED, credited_as="Guest", position=2)
            make_credit(video=video, role=Credit.Role.FEATURED, join_phrase=" & ")
    make_member(stage_name="HOTARU", slug="hotaru", aliases="Hot one\nほたる")
    singer = make_member(stage_name="Singer", slug="singer")
    make_person(name="Hot producer", member=singer, note="a note", note_ko="메모")
    make_person(name="Chef hot", kind=Person.Kind.ORGANISATION)
    make_tag(name="Hot summer", slug="hot-summer", name_ko="여름")


@pytest.mark.parametrize("query", ["hot", "HOT 2", "ho t", "ほたる", "not", "h%t", "zzz"])
@pytest.mark.parametrize("staff", [False, True])
def test_one_statement_finds_and_ranks_as_the_querysets(catalog_to_rank, query, staff):
    """first_matches() reads the grouped page's rows in one query: the same rows, in the same
    order, as matches() on this database."""
    user = make_staff() if staff else None
    query = normalise_query(query)
    found = first_matches(query, user, 3)
    for kind in KINDS:
        expected = list(matches(kind, query, user)[:3])
        assert [row.pk for row in found.get(kind.key, [])] == [row.pk for row in expected]
    videos = matches(KINDS[0], query, user)[:3]
    for video, expected in zip(found.get("videos", []), videos, strict=True):
        assert video.display_title == expected.display_title
        assert video.published == expected.published
    some = {kind.key: [row.pk for row in kind.queryset(user)][::2] for kind in KINDS}
    near = first_matches(query, user, 3, only=some)
    for kind in KINDS:
        expected = list(matches(kind, query, user, only=some[kind.key])[:3])
        assert [row.pk for row in near.get(kind.key, [])] == [row.pk for row in expected]


# ---- Results kept between writes ------------------------------------------------------------


def test_a_repeated_search_is_served_without_queries_until_the_catalog_changes(
    client, django_assert_num_queries
):
    make_video(title="Impurities", slug="impurities")
    first = client.get(URL, {"q": "impurities"}).content.decode()
    with django_assert_num_queries(0):
        assert client.get(URL, {"q": "impurities"}).content.decode() == first
    make_video(title="Impurities (performance)", slug="impurities-performance")
    body = client.get(URL, {"q": "impurities"}).content.decode()
    assert 'href="/videos/impurities-performance/"' in body


def test_a_rating_leaves_the_kept_results_to_serve_the_page_again(
    client, django_assert_num_queries
):
    video = make_video(title="Impurities", slug="impurities")
    page = client.get(URL, {"q": "impurities"}).content.decode()
    suggestions = client.get(URL, {"q": "impurities", "suggest": "1"}).content.decode()
    make_rating(video=video, score=9)  # every kept page is stale now, but not the results
    with django_assert_num_queries(0):
        assert client.get(URL, {"q": "impurities"}).content.decode() == page
        again = client.get(URL, {"q": "impurities", "suggest": "1"}).content.decode()
    assert again == suggestions
    assert suggestions in page


def test_a_typo_search_sees_a_new_name_after_it_was_kept(client):
    assert "Nothing matches" in client.get(URL, {"q": "antifragle"}).content.decode()
    client.get(URL, {"q": "antifragle"})
    make_video(title="ANTIFRAGILE", slug="antifragile")
    body = client.get(URL, {"q": "antifragle"}).content.decode()
    assert 'href="/videos/antifragile/"' in body
    assert "exactly. These come close" in body


def test_a_draft_kept_out_of_a_visitors_search_still_shows_to_staff(client):
    make_video(title="Secret comeback", slug="secret-comeback", status=Status.DRAFT)
    link = 'href="/videos/secret-comeback/"'
    assert link not in client.get(URL, {"q": "secret"}).content.decode()
    curator = Client()
    curator.force_login(make_staff())
    assert link in curator.get(URL, {"q": "secret"}).content.decode()
    assert link not in client.get(URL, {"q": "secret"}).content.decode()


def test_a_fan_gets_the_visitors_results_with_their_own_header(client, yunjin):
    visitor = client.get(URL, {"q": "yunjin"}).content.decode()
    fan = Client()
    fan.force_login(make_user(username="aki"))
    mine = fan.get(URL, {"q": "yunjin"})
    assert mine["Cache-Control"].startswith("private")
    body = mine.content.decode()
    assert "aki" in body
    assert "aki" not in visitor

    def results(page):
        return page[page.index('id="search-results"') : page.index("</main>")]

    assert results(body) == results(visitor)
    suggest = {"q": "yunjin", "suggest": "1"}
    assert fan.get(URL, suggest).content == client.get(URL, suggest).content


def test_each_language_keeps_its_own_results(client):
    make_tag(name="Youth", name_ko="청춘", name_ja="青春", slug="youth")
    assert "청춘" not in client.get(URL, {"q": "youth"}).content.decode()
    assert "청춘" in client.get("/ko" + URL, {"q": "youth"}).content.decode()
    assert "青春" in client.get("/ja" + URL, {"q": "youth"}).content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "a",
        "x" * 5000,
        "ㅎㅇㅈ",
        "カズハ",
        "宮脇咲良",
        "르세라핌",
        "%",
        "_",
        "\\",
        "' OR 1=1 --",
        "\x00",
        "a\x00b",
        "🙂🙂",
        "<b>",
    ],
)
def test_any_input_gets_an_answer_never_an_error(client, yunjin, query):
    for suggest in ({}, {"suggest": "1"}):
        for _ in range(2):  # as rendered, then as kept
            assert client.get(URL, {"q": query, **suggest}).status_code == 200
    assert client.get(URL, {"q": query, "kind": "videos", "page": "x"}).status_code == 200


def test_bytes_that_are_not_utf_8_get_an_answer(client):
    for _ in range(2):
        assert client.get(f"{URL}?q=%ED%A0%80%FF").status_code == 200
