"""The demo catalog as fans meet it: every page that states its facts shows their sources, each
member is in the videos of her time, every name form is searchable, and Korean and Japanese pages
speak Korean and Japanese. Runs on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import override

from catalog.catalog_io import DEMO_CATALOG, load_catalog, read_catalog
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

KIM_GARAM_LEFT = datetime.date(2022, 7, 20)

# The long texts pages show; each has a `_ko` and a `_ja` translation field.
LONG_TEXTS = {
    Member: ["bio", "joining_note", "departure_note"],
    Release: ["description", "verification_note"],
    MusicVideo: ["description", "verification_note"],
    TieIn: ["description"],
    Track: ["note"],
    ChartAchievement: ["summary", "verification_note"],
    Credit: ["verification_note"],
    Person: ["note"],
}


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo catalog, loaded once for the class and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_catalog(read_catalog(DEMO_CATALOG))
        yield
        transaction.set_rollback(True)


class _Text(HTMLParser):
    """A page's visible text, leaving out what it declares to be English (lang="en": titles,
    names and the English texts not translated yet), <select> menus (release titles), scripts
    and styles."""

    SKIPPED = {"script", "style", "select", "title"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        if self.skipping or tag in self.SKIPPED or ("lang", "en") in attrs:
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html.split("<body", 1)[1])
    return " ".join(" ".join(parser.parts).split())


def cited_numbers(html: str) -> set[int]:
    """The source numbers the page's citations name: "[1-3, 5]" (an en dash) is 1, 2, 3, 5."""
    numbers: set[int] = set()
    for cite in re.findall(r'<sup class="cite">(.*?)</sup>', html):
        text = re.sub(r"<[^>]+>", "", cite)
        for first, last in re.findall(r"(\d+)(?:\u2013(\d+))?", text):
            numbers.update(range(int(first), int(last or first) + 1))
    return numbers


# English words for what the catalog's words name: kinds, themes, roles, nationality, markets,
# positions, chart and tie-in vocabulary, and the site's own labels for sources and lineups.
ENGLISH_VOCABULARY = [
    "mini album", "single album", "studio album", "Japanese single", "English single",
    "Digital single", "Remix", "English version", "Version with",
    "Resilience", "Self-confidence", "Individuality", "Connectedness", "Emotional liberation",
    "Self-acceptance", "Joy of shared experiences",
    "South Korean", "Japanese", "Korea", "Global", "Leader",
    "Lyrics", "Songwriting", "Director", "Featured artist", "Producer", "Production",
    "Lyrics translation", "guitar", "main producer", "took part", "credited", "animation",
    "Top Albums", "Top Songs", "weekly", "daily", "certification", "first-week", "sales",
    "Platinum", "Gold", "World Albums", "Bubbling Under", "Singles Chart",
    "Webtoon", "Game", "Brand campaign", "Drama or film", "Collaboration with",
    "Official music video", "Visualizer", "Christmas",
    "Unverified", "Sources", "Press release", "Lineup at release", "Revealed", "tie-in",
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDemoCatalogPages:
    def pages(self) -> list[str]:
        dated = Release.objects.exclude(released_on=None)
        years = sorted({r.released_on.year for r in dated if r.released_on})
        return [
            *(r.get_absolute_url() for r in Release.objects.all()),
            *(v.get_absolute_url() for v in MusicVideo.objects.all()),
            *(m.get_absolute_url() for m in Member.objects.all()),
            *(t.get_absolute_url() for t in Tag.objects.all()),
            *(f"{reverse('catalog:timeline')}?year={year}" for year in years),
        ]

    def test_every_page_stating_facts_shows_their_sources(self, client):
        for url in self.pages():
            html = client.get(url).text
            cited = cited_numbers(html)
            listed = {int(n) for n in re.findall(r'<li id="source-(\d+)"', html)}
            assert listed, url
            assert cited == listed, url  # every number cited is listed, and the other way
        come_over = client.get(reverse("catalog:video-detail", args=["come-over"])).text
        assert "https://kstyle.com/article.ksn?articleNo=2258500" in come_over
        assert "Press release" in come_over  # the seed document, without a link
        assert 'href="seed:' not in come_over

    def test_each_member_is_in_every_group_video_of_her_time(self):
        garam = Member.objects.get(slug="kim-garam")
        current = list(Member.objects.filter(left_on=None))
        assert len(current) == 5
        videos = list(MusicVideo.objects.select_related("release"))
        assert all(video.whole_group for video in videos)
        for video in videos:
            lineup = video.lineup()
            assert all(member in lineup for member in current), video
            day = video.lineup_day
            assert (garam in lineup) == (day is not None and day < KIM_GARAM_LEFT), video
        assert [v.slug for v in MusicVideo.objects.featuring(garam)] == ["fearless"]
        for member in current:
            assert MusicVideo.objects.featuring(member).count() == 19

    @pytest.mark.parametrize(
        ("query", "found"),
        [
            ("사쿠라", "/members/sakura/"),
            ("카즈하", "/members/kazuha/"),
            ("宮脇咲良", "/members/sakura/"),
            ("ㅎㅇㅈ", "/members/huh-yunjin/"),
            ("impurites", "/videos/impurities/"),
            ("yunijn", "/members/huh-yunjin/"),
            ("さくら", "/members/sakura/"),
            ("カズハ", "/members/kazuha/"),
            ("nakamura kazuha", "/members/kazuha/"),
            ("ㄹㅅㄹㅍ", "/members/"),
        ],
    )
    def test_every_name_form_finds_its_record(self, client, query, found):
        body = client.get(reverse("search"), {"q": query}).text
        assert f'href="{found}"' in body, query

    @pytest.mark.parametrize("language", ["ko", "ja"])
    def test_korean_and_japanese_pages_carry_no_english_vocabulary(self, client, language):
        names = sorted(
            {
                *Release.objects.values_list("title", flat=True),
                *Track.objects.values_list("title", flat=True),
                *MusicVideo.objects.values_list("title", flat=True),
                *Person.objects.values_list("name", flat=True),
                *TieIn.objects.values_list("name", flat=True),
                *ChartAchievement.objects.values_list("summary", flat=True),
            },
            key=len,
            reverse=True,
        )
        pages = ["/", "/releases/", "/videos/", "/members/", *self.pages()]
        for url in pages:
            response = client.get(f"/{language}{url}")
            assert response.status_code == 200, url
            text = visible_text(response.text)
            for name in names:  # names are names in every language
                text = text.replace(name, " ")
            for word in ENGLISH_VOCABULARY:
                assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), (url, word)
            # A particle chosen for the name ("은(는)") reads as a form, not a sentence.
            assert not re.search(r"은\(는\)|을\(를\)|이\(가\)|와\(과\)|\(으\)로", text), url


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDemoCatalogTranslations:
    @staticmethod
    def shown(model: type[models.Model]) -> models.QuerySet[Any]:
        objects = model._default_manager.all()
        return objects.filter(status="published") if model in (Release, MusicVideo) else objects

    @pytest.mark.parametrize("model", list(LONG_TEXTS))
    def test_every_english_long_text_has_korean_and_japanese_versions(self, model):
        missing = [
            (str(obj), f"{field}_{language}")
            for obj in self.shown(model)
            for field in LONG_TEXTS[model]
            if getattr(obj, field)
            for language in ("ko", "ja")
            if not getattr(obj, f"{field}_{language}").strip()
        ]
        assert self.shown(model).exists()
        assert not missing

    @pytest.mark.parametrize("language", ["ko", "ja"])
    @pytest.mark.parametrize(
        ("model", "slug", "field"),
        [
            (MusicVideo, "come-over", "description"),
            (Release, "antifragile", "description"),
            (Member, "kim-garam", "bio"),
            (Member, "kim-garam", "departure_note"),
            (Release, "easy", "verification_note"),
            (MusicVideo, "smart", "verification_note"),
        ],
    )
    def test_a_page_shows_the_translation_and_not_the_english_text(
        self, client, language, model, slug, field
    ):
        obj = model._default_manager.get(slug=slug)
        with override("en"):
            path = obj.get_absolute_url()

        page = html.unescape(client.get(f"/{language}{path}").text)

        assert getattr(obj, f"{field}_{language}") in page
        assert getattr(obj, field) not in page

    @pytest.mark.parametrize("language", ["ko", "ja"])
    def test_a_release_page_shows_translated_track_notes_and_chart_summaries(
        self, client, language
    ):
        release = Release.objects.get(slug="crazy")
        with override("en"):
            path = release.get_absolute_url()
        notes = Track.objects.filter(release=release).exclude(note="")
        records = ChartAchievement.objects.filter(Q(release=release) | Q(track__release=release))

        page = html.unescape(client.get(f"/{language}{path}").text)

        assert notes.exists()
        assert records.exists()
        for obj, field in [*((t, "note") for t in notes), *((r, "summary") for r in records)]:
            assert getattr(obj, f"{field}_{language}") in page
            assert getattr(obj, field) not in page
