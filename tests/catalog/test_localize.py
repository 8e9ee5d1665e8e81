"""Catalog text in the page's language: translated descriptions falling back to English, and names
in the right script (catalog.localize, the catalog_text template filters)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from catalog.catalog_io import (
    DEMO_CATALOG,
    dump_catalog,
    export_catalog,
    load_catalog,
    read_catalog,
)
from catalog.localize import localized, names, script_language
from catalog.models import (
    ChartAchievement,
    Credit,
    Member,
    MusicVideo,
    Person,
    Release,
    Tag,
    TieIn,
    Track,
)
from tests.factories import (
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
)


def render(source: str, **context: Any) -> str:
    return Template("{% load catalog_text %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("김채원", "ko"),
        ("宮脇咲良", "ja"),
        ("クレイジー", "ja"),
        ("三千円の使いかた", "ja"),
        ("EASY", ""),
    ],
)
def test_the_script_tells_the_language(text, lang):
    assert script_language(text) == lang


def test_a_translation_is_shown_in_its_language_else_the_english_text():
    release = Release(description="In English.", description_ko="한국어로.", description_ja="")

    with override("en"):
        assert (localized(release, "description").text, localized(release, "description").lang) == (
            "In English.",
            "en",
        )
        assert localized(release, "description").lang_attr == ""
    with override("ko"):
        assert localized(release, "description").text == "한국어로."
        assert localized(release, "description").lang_attr == ""  # the page's own language
    with override("ja"):
        assert localized(release, "description").text == "In English."
        assert localized(release, "description").lang_attr == ' lang="en"'


def test_the_filter_marks_the_english_fallback_inside_a_korean_page():
    template = (
        '{% with bio=member|localized:"bio" %}'
        '<div class="prose"{{ bio.lang_attr }}>{{ bio|linebreaks }}</div>{% endwith %}'
    )
    member = Member(bio="She & the group.", bio_ja="彼女とグループ。")

    with override("ko"):
        assert render(template, member=member) == (
            '<div class="prose" lang="en"><p>She &amp; the group.</p></div>'
        )
    with override("ja"):
        assert render(template, member=member) == '<div class="prose"><p>彼女とグループ。</p></div>'
    with override("en"):
        assert render(template, member=member) == (
            '<div class="prose"><p>She &amp; the group.</p></div>'
        )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", 'KIM CHAEWON <span class="native" lang="ko">김채원</span>'),
        ("ko", '<span lang="ko">김채원</span> <span class="native" lang="en">KIM CHAEWON</span>'),
        ("ja", '<span lang="en">KIM CHAEWON</span> <span class="native" lang="ko">김채원</span>'),
    ],
)
def test_a_korean_name_comes_first_on_korean_pages(language, expected):
    with override(language):
        assert (
            render(
                "{{ member|names }}", member=Member(stage_name="KIM CHAEWON", native_name="김채원")
            )
            == expected
        )


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [("en", "SAKURA", "宮脇咲良"), ("ko", "SAKURA", "宮脇咲良"), ("ja", "宮脇咲良", "SAKURA")],
)
def test_a_japanese_name_comes_first_on_japanese_pages_only(language, first, second):
    with override(language):
        pair = names("SAKURA", "宮脇咲良")
    assert (pair.first.text, pair.second.text) == (first, second)
    assert pair.second.lang_attr == (' lang="ja"' if second == "宮脇咲良" else ' lang="en"')


def test_a_name_without_a_native_form_stays_english():
    with override("ko"):
        assert (
            render("{{ release|names }}", release=Release(title="EASY"))
            == '<span lang="en">EASY</span>'
        )
    with override("en"):
        assert render("{{ release|names }}", release=Release(title="EASY")) == "EASY"


@pytest.mark.django_db
def test_pages_show_translations_and_native_names_without_extra_queries(
    client: Client, settings: Any
) -> None:
    settings.PAGE_CACHE_SECONDS = 0  # count the queries of rendering, not of a cache hit
    member = make_member(
        stage_name="KIM CHAEWON",
        slug="kim-chaewon",
        native_name="김채원",
        bio="The leader.",
        bio_ko="리더.",
    )
    sakura = make_member(stage_name="SAKURA", slug="sakura", native_name="宮脇咲良")
    release = make_release(
        title="EASY", slug="easy", native_title="이지", description="The third mini album."
    )
    make_track(
        release=release,
        title="Smart",
        native_title="스마트",
        note="The second single.",
        note_ko="두 번째 싱글이에요.",
    )
    make_achievement(release=release, summary="No. 8.", summary_ja="8位。")
    theme = make_tag(name="Resilience", description="Getting up again.", description_ja="再起。")
    video = make_video(
        title="EASY",
        slug="easy-mv",
        release=release,
        members=[member, sakura],
        themes=[theme],
        description="Official video.",
        description_ko="공식 뮤직비디오.",
    )
    make_tie_in(name="A campaign", description="With a partner.", videos=[video])
    pages = {
        "home": lambda: reverse("home"),
        "members": lambda: reverse("catalog:member-list"),
        "member": member.get_absolute_url,
        "releases": lambda: reverse("catalog:release-list"),
        "release": release.get_absolute_url,
        "videos": lambda: reverse("catalog:video-list"),
        "video": video.get_absolute_url,
        "theme": theme.get_absolute_url,
    }
    bodies: dict[str, dict[str, str]] = {}
    queries: dict[str, dict[str, int]] = {}
    for language in ("en", "ko", "ja"):
        for page, url in pages.items():
            # The middleware activates the page's language; override() restores ours after.
            with override(language):
                path = url()
                client.get(path)  # warm per-process caches
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(path)
            assert response.status_code == 200, (language, page)
            bodies.setdefault(language, {})[page] = response.content.decode()
            queries.setdefault(page, {})[language] = len(captured)

    for page, counts in queries.items():
        assert counts["ko"] == counts["en"] == counts["ja"] > 0, (page, counts)

    en, ko, ja = bodies["en"], bodies["ko"], bodies["ja"]
    assert '<h1>KIM CHAEWON <span class="native" lang="ko">김채원</span></h1>' in en["member"]
    assert (
        '<h1><span lang="ko">김채원</span> <span class="native" lang="en">KIM CHAEWON</span></h1>'
        in ko["member"]
    )
    assert '<div class="prose"><p>리더.</p></div>' in ko["member"]
    assert '<div class="prose" lang="en"><p>The leader.</p></div>' in ja["member"]
    assert '<meta name="description" content="공식 뮤직비디오.">' in ko["video"]
    assert '<meta property="og:description" content="Official video.">' in ja["video"]
    assert '<br><span lang="en">With a partner.</span>' in ko["video"]
    assert '<div class="prose"><p>再起。</p></div>' in ja["theme"]
    assert '<span class="track-title" lang="ko">스마트</span>' in ko["release"]
    assert "두 번째 싱글이에요." in ko["release"]
    assert "— 8位。" in ja["release"]
    assert '<h3 class="card-title" lang="ja">宮脇咲良</h3>' in ja["members"]
    assert '<h3 class="card-title" lang="en">SAKURA</h3>' in ko["members"]
    assert '<p class="native" lang="ja">宮脇咲良</p>' in en["home"]
    assert '<h3 class="card-title" lang="ko">이지</h3>' in ko["releases"]


@pytest.mark.django_db
def test_a_members_joining_and_departure_notes_are_shown_translated(client):
    member = make_member(
        slug="kim-garam",
        joining_note="She debuted with the group.",
        joining_note_ko="그룹과 함께 데뷔했어요.",
        departure_note="Her contract was terminated.",
        departure_note_ja="専属契約が解除されました。",
    )

    with override("en"):
        path = member.get_absolute_url()
    ko = client.get(f"/ko{path}").content.decode()
    ja = client.get(f"/ja{path}").content.decode()

    assert "그룹과 함께 데뷔했어요." in ko
    assert "She debuted with the group." not in ko
    assert '<span lang="en">Her contract was terminated.</span>' in ko
    assert "専属契約が解除されました。" in ja
    assert '<span lang="en">She debuted with the group.</span>' in ja


@pytest.mark.django_db
def test_a_releases_track_notes_chart_summaries_and_curators_notes_are_shown_translated(client):
    release = make_release(
        slug="easy",
        verified=False,
        verification_note="Confirm the tracklist.",
        verification_note_ko="수록곡을 확인해 주세요.",
    )
    make_track(
        release=release,
        title="Smart",
        note="Samples an older song.",
        note_ko="옛 노래를 샘플링했어요.",
        note_ja="昔の曲をサンプリングしています。",
    )
    make_track(release=release, title="Swan Song", note="Written by the members.")
    make_achievement(
        release=release,
        summary="No. 8 in its first week.",
        summary_ja="初週8位。",
        verified=False,
        verification_note="Only one source.",
        verification_note_ja="ソースは1件だけです。",
    )

    with override("en"):
        path = release.get_absolute_url()
    en = client.get(path).content.decode()
    ko = client.get(f"/ko{path}").content.decode()
    ja = client.get(f"/ja{path}").content.decode()

    assert "Samples an older song." in en
    assert "No. 8 in its first week." in en
    assert "옛 노래를 샘플링했어요." in ko
    assert "昔の曲をサンプリングしています。" in ja
    assert "Samples an older song." not in ko + ja
    # Untranslated texts stay, in English and marked as such.
    assert '<span lang="en">Written by the members.</span>' in ko
    assert '<span lang="en">Written by the members.</span>' in ja
    assert "初週8位。" in ja
    assert "No. 8 in its first week." not in ja
    assert '<span lang="en">No. 8 in its first week.</span>' in ko
    assert 'title="ソースは1件だけです。"' in ja
    assert 'title="Only one source."' in ko
    assert "수록곡을 확인해 주세요." in ko
    assert "Confirm the tracklist." not in ko
    assert '<span lang="en">Confirm the tracklist.</span>' in ja


@pytest.mark.django_db
def test_a_videos_and_a_credits_curators_notes_are_shown_translated(client):
    video = make_video(
        slug="smart",
        verified=False,
        verification_note="Check the director.",
        verification_note_ja="監督を確認してください。",
    )
    make_credit(
        video=video,
        verified=False,
        verification_note="Named by one press text.",
        verification_note_ko="보도자료 한 건에만 나와요.",
    )

    with override("en"):
        path = video.get_absolute_url()
    ko = client.get(f"/ko{path}").content.decode()
    ja = client.get(f"/ja{path}").content.decode()

    assert "監督を確認してください。" in ja
    assert "Check the director." not in ja
    assert '<span lang="en">Check the director.</span>' in ko
    assert 'title="보도자료 한 건에만 나와요."' in ko
    assert 'title="Named by one press text."' in ja


@pytest.mark.django_db
def test_the_timeline_and_search_show_translated_summaries_and_notes(client):
    release = make_release(slug="easy", released_on=datetime.date(2024, 2, 19))
    make_achievement(
        release=release,
        charted_on=datetime.date(2024, 2, 27),
        summary="A million copies.",
        summary_ko="100만 장.",
    )
    make_person(name="Nile Rodgers", note="Featured on guitar.", note_ja="ギターで参加。")

    with override("en"):
        timeline = f"{reverse('catalog:timeline')}?year=2024"
        search = reverse("search")
    assert "100만 장." in client.get(f"/ko{timeline}").content.decode()
    assert (
        '<span lang="en">A million copies.</span>' in client.get(f"/ja{timeline}").content.decode()
    )
    assert "ギターで参加。" in client.get(f"/ja{search}", {"q": "Nile"}).content.decode()
    assert (
        '<span lang="en">Featured on guitar.</span>'
        in client.get(f"/ko{search}", {"q": "Nile"}).content.decode()
    )


@pytest.mark.django_db
def test_search_finds_words_of_a_translated_description(client):
    make_video(title="Smart", slug="smart", description_ja="渋谷の交差点で踊る。")
    make_tag(name="Joy", slug="joy", description_ko="함께하는 기쁨")

    assert 'href="/videos/smart/"' in client.get(reverse("search"), {"q": "渋谷"}).content.decode()
    assert "Joy" in client.get(reverse("search"), {"q": "기쁨"}).content.decode()


@pytest.mark.parametrize(
    ("model", "translated", "after"),
    [
        (
            Member,
            ["bio", "departure_note", "joining_note", "nationality", "position_note"],
            "Photo",
        ),
        (Release, ["description", "market", "ordinal_note"], "Cover"),
        (MusicVideo, ["description"], "Who and what"),
        (Tag, ["description", "name"], None),
        (TieIn, ["description", "name", "partner"], None),
        (Track, ["note"], None),
        (Person, ["note"], None),
        (Credit, ["role_note", "verification_note"], None),
        (ChartAchievement, ["chart", "peak_label", "summary", "verification_note"], None),
    ],
)
@pytest.mark.django_db
def test_admin_keeps_translations_in_a_collapsed_fieldset_after_the_english_text(
    model, translated, after
):
    request = RequestFactory().get("/")
    request.user = make_staff()
    fieldsets = admin.site._registry[model].get_fieldsets(request)

    titles = [title for title, _options in fieldsets]
    index = titles.index("Translations")
    options = fieldsets[index][1]
    english = translated[0]
    assert options["fields"] == [f"{name}_{lang}" for name in translated for lang in ("ko", "ja")]
    assert options["classes"] == ["collapse"]
    assert english in fieldsets[index - 1][1]["fields"]
    assert titles[index + 1 : index + 2] == ([after] if after else [])
    others = [field for _title, opts in fieldsets[:index] for field in opts["fields"]]
    assert f"{english}_ko" not in others


@pytest.mark.parametrize("model", [Release, MusicVideo])
@pytest.mark.django_db
def test_admin_keeps_the_curators_note_translations_after_the_english_note(model):
    request = RequestFactory().get("/")
    request.user = make_staff()
    fieldsets = admin.site._registry[model].get_fieldsets(request)

    index = next(
        i for i, (_t, opts) in enumerate(fieldsets) if "verification_note" in opts["fields"]
    )
    title, options = fieldsets[index + 1]
    assert title == "Translations"
    assert options["fields"] == ["verification_note_ko", "verification_note_ja"]


@pytest.mark.django_db
def test_a_korean_description_goes_through_export_and_load():
    release = make_release(
        slug="easy", title="EASY", description="English.", description_ko="한국어."
    )
    document = export_catalog()
    record = document["releases"][0]
    assert record["description_ko"] == "한국어."
    assert "description_ja" not in record  # empty translations stay out of the file

    release.delete()
    load_catalog(document)

    assert Release.objects.get(slug="easy").description_ko == "한국어."
    assert export_catalog() == document


@pytest.mark.django_db
def test_the_demo_file_exports_byte_for_byte():
    load_catalog(read_catalog(DEMO_CATALOG))

    assert dump_catalog(export_catalog()) == DEMO_CATALOG.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_the_api_gives_the_translations(client):
    make_release(slug="easy", description="English.", description_ko="한국어.")
    make_member(slug="sakura", bio_ja="日本語。", joining_note_ko="한국어.")
    track = make_track(release=Release.objects.get(slug="easy"), note="A note.", note_ja="メモ。")
    make_credit(
        track=track, verified=False, verification_note="Check.", verification_note_ko="확인."
    )
    make_achievement(release=track.release, summary="Top 10.", summary_ko="톱 10.")
    make_person(slug="nile-rodgers", note="Guitar.", note_ja="ギター。")

    release = client.get("/api/v1/releases/easy/").json()
    member = client.get("/api/v1/members/sakura/").json()
    person = client.get("/api/v1/people/nile-rodgers/").json()

    assert (release["description_ko"], release["description_ja"]) == ("한국어.", "")
    assert member["bio_ja"] == "日本語。"
    assert (member["joining_note_ko"], member["departure_note_ja"]) == ("한국어.", "")
    api_track = release["tracks"][0]
    assert (api_track["note_ko"], api_track["note_ja"]) == ("", "メモ。")
    assert api_track["credits"][0]["verification_note_ko"] == "확인."
    assert (release["chart_records"][0]["summary_ko"], person["note_ja"]) == ("톱 10.", "ギター。")


@pytest.mark.django_db
def test_credits_name_people_in_the_pages_script(client):
    """A member's songwriting credit reads as her member page names her; another person's by
    their native name on a page in its language; a name typed as credited, as typed."""
    member = make_member(stage_name="HUH YUNJIN", native_name="허윤진")
    release = make_release()
    track = make_track(release=release)
    make_credit(track=track, person=make_person(name="HUH YUNJIN", member=member), role="lyricist")
    make_credit(track=track, person=make_person(name="Kim Wan-sun", native_name="김완선"))
    make_credit(track=track, credited_as="13", role="producer")
    video = make_video(release=release, track=track)
    make_credit(video=video, person=make_person(name="Ko Won-tae", native_name="고원태"))

    with override("en"):
        release_url, video_url = release.get_absolute_url(), video.get_absolute_url()

    korean = client.get("/ko" + release_url).content.decode()
    english = client.get(release_url).content.decode()
    video_page = client.get("/ko" + video_url).content.decode()

    main = korean.split("<main", 1)[1].split("</main>")[0]
    assert "허윤진" in main
    assert "김완선" in main
    assert "13" in main
    assert "HUH YUNJIN" not in main
    assert "HUH YUNJIN" in english
    assert "Kim Wan-sun" in english
    assert "고원태" in video_page
