"""load_catalog and export_catalog: the demo file, idempotent upserts, all-or-nothing loads."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import models, transaction

from catalog.catalog_io import (
    DEMO_CATALOG,
    dump_catalog,
    export_catalog,
    load_catalog,
    read_catalog,
)
from catalog.models import (
    ChartAchievement,
    Credit,
    ExternalLink,
    Member,
    MusicVideo,
    Person,
    Release,
    Source,
    Status,
    Tag,
    TieIn,
    Track,
)
from tests.factories import make_release

CATALOG_MODELS: list[type[models.Model]] = [
    Member,
    Person,
    Tag,
    Release,
    Track,
    MusicVideo,
    Credit,
    TieIn,
    ChartAchievement,
    ExternalLink,
    Source,
]


def load(path: Path | None = None, *args: str) -> str:
    out = StringIO()
    call_command("load_catalog", *([str(path)] if path else []), *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows per catalog table, history tables included: a reload must not add any."""
    counts = {model.__name__: model._default_manager.count() for model in CATALOG_MODELS}
    for model in CATALOG_MODELS:
        if hasattr(model, "history"):
            counts[f"{model.__name__} history"] = model.history.count()
    return counts


def snapshot() -> tuple[dict[str, int], dict[str, Any]]:
    return row_counts(), export_catalog()


def find(document: dict[str, Any], section: str, slug: str) -> tuple[int, dict[str, Any]]:
    return next((i, r) for i, r in enumerate(document[section]) if r.get("slug") == slug)


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(dump_catalog(document), encoding="utf-8")
    return path


@pytest.fixture(scope="class")
def demo_catalog(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The demo catalog, loaded once per class (it is the slow part); rolled back afterwards.

    Each test still runs in its own savepoint inside this transaction, so tests may change data.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        output = load(None, "--if-empty")  # an empty catalog: --if-empty loads
        yield output
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_catalog")
class TestDemoCatalog:
    def test_loads_every_section_and_reports_counts(self, demo_catalog: str) -> None:
        assert "releases: 21 created, 0 updated, 0 unchanged" in demo_catalog
        assert "tracks: 54 created" in demo_catalog
        assert "videos: 19 created" in demo_catalog
        assert Release.objects.count() == 21
        assert MusicVideo.objects.count() == 19
        assert ChartAchievement.objects.count() == 27
        assert not Release.objects.exclude(status=Status.PUBLISHED).exists()
        assert not MusicVideo.objects.exclude(status=Status.PUBLISHED).exists()

    def test_five_current_members_and_one_former(self) -> None:
        current = dict(
            Member.objects.filter(left_on__isnull=True).values_list("slug", "native_name")
        )
        assert current == {
            "kim-chaewon": "김채원",
            "sakura": "宮脇咲良",
            "huh-yunjin": "허윤진",
            "kazuha": "中村一葉",
            "hong-eunchae": "홍은채",
        }
        former = Member.objects.get(left_on__isnull=False)
        assert (former.stage_name, former.native_name) == ("KIM GARAM", "김가람")
        assert former.left_on == datetime.date(2022, 7, 20)
        assert former.departure_note

    def test_member_credits_point_at_the_member(self) -> None:
        track = Track.objects.get(release__slug="antifragile", title="Impurities")
        credit = track.credits.get(person__member__slug="huh-yunjin")
        assert credit.role == Credit.Role.SONGWRITER

    def test_the_three_press_videos_are_published(self) -> None:
        videos = MusicVideo.objects.filter(slug__in=["impurities", "smart", "come-over"])
        assert {video.status for video in videos} == {Status.PUBLISHED}
        assert videos.count() == 3

    def test_impurities_video_names_crimson_heart(self) -> None:
        video = MusicVideo.objects.get(slug="impurities")
        assert "Crimson Heart" in video.description
        assert video.tie_ins.get().name == "Crimson Heart"
        assert video.whole_group
        assert [m.slug for m in video.lineup()] == [
            "kim-chaewon",
            "sakura",
            "huh-yunjin",
            "kazuha",
            "hong-eunchae",
        ]

    def test_guests_are_credits_not_part_of_the_title(self) -> None:
        track = Track.objects.get(release__slug="unforgiven", is_title_track=True)
        assert track.title == "UNFORGIVEN"
        assert track.display_title == "UNFORGIVEN (feat. Nile Rodgers)"
        video = MusicVideo.objects.get(slug="unforgiven")
        assert video.display_title == "UNFORGIVEN (feat. Nile Rodgers)"
        japanese = Track.objects.get(release__slug="unforgiven-japanese-single", sequence=1)
        assert japanese.display_title == "UNFORGIVEN -Japanese ver.- (feat. Nile Rodgers, Ado)"

    def test_no_video_has_a_youtube_id(self) -> None:
        assert not MusicVideo.objects.exclude(youtube_id="").exists()

    def test_unconfirmed_facts_load_unverified_with_a_note(self) -> None:
        director = Credit.objects.get(video__slug="smart", role=Credit.Role.DIRECTOR)
        assert director.person is not None
        assert director.person.name == "VM Project Architecture"
        assert not director.verified
        assert director.verification_note
        smart = MusicVideo.objects.get(slug="smart")
        assert not smart.verified
        assert "scenes" in smart.verification_note
        world_albums = ChartAchievement.objects.get(chart="Billboard World Albums")
        assert not world_albums.verified
        assert not Release.objects.get(slug="easy").verified
        come_over = MusicVideo.objects.get(slug="come-over")
        assert come_over.published_on == datetime.date(2025, 3, 31)
        assert "1 April 2025" in come_over.verification_note

    def test_loading_again_changes_nothing(self) -> None:
        before = snapshot()
        output = load()
        assert snapshot() == before
        assert "0 created, 0 updated" in output.splitlines()[-1]

    def test_if_empty_does_nothing_when_releases_exist(self, tmp_path: Path) -> None:
        document = read_catalog(DEMO_CATALOG)
        find(document, "releases", "easy")[1]["title"] = "Changed"
        before = snapshot()
        output = load(write(tmp_path, document), "--if-empty")
        assert "nothing loaded" in output
        assert snapshot() == before

    def test_edited_record_updates_in_place(self, tmp_path: Path) -> None:
        video = MusicVideo.objects.get(slug="impurities")
        document = read_catalog(DEMO_CATALOG)
        record = find(document, "videos", "impurities")[1]
        record["description"] = "A new description."
        record["themes"] = []
        counts = row_counts()

        output = load(write(tmp_path, document))

        video.refresh_from_db()
        assert video.description == "A new description."
        assert not video.themes.exists()
        assert "videos: 0 created, 1 updated, 18 unchanged" in output
        assert MusicVideo.objects.count() == counts["MusicVideo"]
        assert video.history.latest().description == "A new description."

    def test_tracklist_and_credits_follow_the_file(self, tmp_path: Path) -> None:
        document = read_catalog(DEMO_CATALOG)
        easy = find(document, "releases", "easy")[1]
        easy["tracks"].pop()  # drop "We got so much"
        smart = next(track for track in easy["tracks"] if track["title"] == "Smart")
        smart["number"] = 4
        smart["credits"] = [{"credited_as": "A Writer", "role": "lyricist"}]

        load(write(tmp_path, document))

        tracks = Track.objects.filter(release__slug="easy")
        assert list(tracks.values_list("title", flat=True)) == [
            "Good Bones",
            "EASY",
            "Swan Song",
            "Smart",
        ]
        smart_track = tracks.get(title="Smart")
        assert smart_track.number == 4
        assert [credit.name for credit in smart_track.credits.all()] == ["A Writer"]

    def test_a_bad_record_after_good_ones_rolls_everything_back(self, tmp_path: Path) -> None:
        document = read_catalog(DEMO_CATALOG)
        document["members"][0]["bio"] = "Written before the failure."
        index, hot = find(document, "releases", "hot")
        hot["title"] = "H" * 201  # passes the file checks; the model's full_clean() refuses it
        before = snapshot()

        with pytest.raises(CommandError) as raised:
            load(write(tmp_path, document))

        assert f"releases[{index}] 'hot': title: Ensure this value has at most 200" in str(
            raised.value
        )
        assert snapshot() == before

    def test_malformed_file_changes_nothing(self, tmp_path: Path) -> None:
        document = read_catalog(DEMO_CATALOG)
        document["members"][0]["bio"] = "Would be written if the file were good."
        index, video = find(document, "videos", "smart")
        video["release"] = "no-such-release"
        before = snapshot()

        with pytest.raises(CommandError, match=f"videos\\[{index}\\] 'smart': release: unknown"):
            load(write(tmp_path, document))

        assert snapshot() == before

    def test_every_record_carries_the_references_sources(self) -> None:
        for model in (Member, Release, MusicVideo, ChartAchievement, TieIn):
            assert not model.objects.filter(sources__isnull=True).exists(), model
        come_over = MusicVideo.objects.get(slug="come-over")
        dated = Source.objects.about(come_over, "published_on")
        assert "https://kstyle.com/article.ksn?articleNo=2258500" in {s.url for s in dated}
        press = Source.objects.about(come_over, "themes").get()
        assert press.is_press_release
        assert press.link == ""
        kawaii = Credit.objects.get(track__title__startswith="Kawaii", person__slug="huh-yunjin")
        assert {s.url for s in kawaii.sources.all()} == {
            "https://www.newsweekjapan.jp/stories/culture/2025/06/557461_2.php",
            "https://ola-coreana.vercel.app/ja/posts/Yof4KbmUcZ99nTkvFGmm",
        }

    def test_load_export_load_keeps_every_source(self) -> None:
        def sources() -> list[tuple[str, str, str, str, int]]:
            return sorted(
                (s.content_type.model, str(s.target), s.field, s.url, s.position)
                for s in Source.objects.select_related("content_type")
            )

        before = sources()
        document = export_catalog()
        in_file = [
            source
            for section in ("members", "people", "themes", "releases", "videos", "tie_ins")
            for record in document[section]
            for owner in [record, *record.get("tracks", [])]
            for credit_or_owner in [owner, *owner.get("credits", [])]
            for source in credit_or_owner.get("sources", [])
        ] + [s for record in document["chart_achievements"] for s in record.get("sources", [])]
        assert len(in_file) == len(before) > 400
        for model in (Credit, Track, ChartAchievement, MusicVideo, TieIn, Release, Person):
            model._default_manager.all().delete()
        Member.objects.all().delete()
        Tag.objects.all().delete()
        assert not Source.objects.exists()  # they went with their records

        load_catalog(document)

        assert sources() == before

    def test_a_source_with_a_bad_address_or_fact_is_refused(self, tmp_path: Path) -> None:
        document = read_catalog(DEMO_CATALOG)
        index, video = find(document, "videos", "smart")
        video["sources"] = [
            "ftp://example.com/file",
            {"url": "https://example.com/a", "fact": "no_such_fact"},
            "seed:",
        ]
        before = snapshot()

        with pytest.raises(CommandError) as raised:
            load(write(tmp_path, document))

        message = str(raised.value)
        assert f"videos[{index}] 'smart': sources[0].url: Give an https:// address" in message
        assert "sources[1].fact: 'no_such_fact' is not a field here" in message
        assert "sources[2].url: Give an https:// address" in message
        assert snapshot() == before

    def test_an_edited_source_is_replaced_and_its_fact_kept(self, tmp_path: Path) -> None:
        document = read_catalog(DEMO_CATALOG)
        _, release = find(document, "releases", "hot")
        release["sources"] = [
            {"url": "https://example.com/hot", "title": "HOT", "read": "2026-11-21"},
            {"url": "https://example.com/day", "fact": "released", "publisher": "Example"},
        ]

        load(write(tmp_path, document))

        hot = Release.objects.get(slug="hot")
        first, second = hot.sources.all()
        assert (first.title, first.read_on, first.field) == ("HOT", datetime.date(2026, 11, 21), "")
        assert (second.field, second.publisher) == ("released_on", "Example")
        assert find(export_catalog(), "releases", "hot")[1]["sources"] == release["sources"]

    def test_export_round_trips_through_an_empty_database(self) -> None:
        # The demo file is itself an export, and the fixture loaded it into an empty database:
        # equal documents mean export -> load -> export gives back the same file.
        assert export_catalog() == read_catalog(DEMO_CATALOG)


def bad_date(document: dict[str, Any]) -> str:
    index, video = find(document, "videos", "impurities")
    video["published"] = "2022-13-40"
    return (
        f"videos[{index}] 'impurities': published: '2022-13-40' is not a date like 2025, "
        "2025-03 or 2025-03-14"
    )


def missing_title(document: dict[str, Any]) -> str:
    index, easy = find(document, "releases", "easy")
    del easy["tracks"][2]["title"]
    return f"releases[{index}] 'easy': tracks[2].title: this field is required"


def unknown_release(document: dict[str, Any]) -> str:
    index, video = find(document, "videos", "come-over")
    video["release"] = "hott"
    return f"videos[{index}] 'come-over': release: unknown release 'hott'"


def unknown_track(document: dict[str, Any]) -> str:
    document["tie_ins"][0]["tracks"] = [{"release": "hot", "disc": 1, "sequence": 99}]
    return "tie_ins[0] 'android-gemini': tracks[0]: release 'hot' has no track at disc 1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "break_it",
    [bad_date, missing_title, unknown_release, unknown_track],
    ids=lambda edit: edit.__name__,
)
def test_malformed_file_is_refused_naming_record_and_field(
    tmp_path: Path, break_it: Callable[[dict[str, Any]], str]
) -> None:
    document = read_catalog(DEMO_CATALOG)
    expected = break_it(document)

    with pytest.raises(CommandError) as raised:
        load(write(tmp_path, document))

    assert expected in str(raised.value)
    assert "nothing was written" in str(raised.value)
    assert not any(row_counts().values())


@pytest.mark.django_db
def test_invalid_json_is_refused_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": 1, "members": [}', encoding="utf-8")

    with pytest.raises(CommandError, match=r"invalid JSON at line 1, column 27"):
        load(path)

    assert not any(row_counts().values())


@pytest.mark.django_db
def test_if_empty_skips_when_any_release_exists() -> None:
    make_release()

    output = load(None, "--if-empty")

    assert "nothing loaded" in output
    assert Release.objects.count() == 1
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_export_command_writes_the_file_format(tmp_path: Path) -> None:
    release = make_release(slug="fearless", title="FEARLESS")
    path = tmp_path / "export.json"

    call_command("export_catalog", "-o", str(path), stdout=StringIO())

    document = read_catalog(path)
    assert document["format"] == 1
    assert [r["slug"] for r in document["releases"]] == [release.slug]
    assert document["releases"][0]["released"] == "2022-05-02"


@pytest.mark.django_db
def test_a_premiere_loads_in_its_zone_and_exports_back(tmp_path: Path) -> None:
    document = read_catalog(DEMO_CATALOG)
    _, video = find(document, "videos", "impurities")
    video["premiere_at"] = "2026-02-20T18:00:00+09:00"
    video["premiere_time_zone"] = "Asia/Seoul"

    load(write(tmp_path, document))

    loaded = MusicVideo.objects.get(slug="impurities")
    assert loaded.premiere_at == datetime.datetime(2026, 2, 20, 9, 0, tzinfo=datetime.UTC)
    assert loaded.premiere_time_zone == "Asia/Seoul"
    _, exported = find(export_catalog(), "videos", "impurities")
    assert exported["premiere_time_zone"] == "Asia/Seoul"
    assert datetime.datetime.fromisoformat(exported["premiere_at"]) == loaded.premiere_at


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("premiere", "zone", "message"),
    [
        ("2026-02-20 18:00", "Asia/Seoul", "needs its UTC offset"),
        ("next friday", "Asia/Seoul", "is not a date and time like 2026-02-20T18:00+09:00"),
        ("2026-02-20T18:00+09:00", "", "Give the time zone the premiere was announced in"),
        ("2026-02-20T18:00+09:00", "Mars/Olympus", "premiere_time_zone"),
    ],
)
def test_a_bad_premiere_is_refused_by_name(
    tmp_path: Path, premiere: str, zone: str, message: str
) -> None:
    document = read_catalog(DEMO_CATALOG)
    index, video = find(document, "videos", "impurities")
    video["premiere_at"] = premiere
    video["premiere_time_zone"] = zone

    with pytest.raises(CommandError) as raised:
        load(write(tmp_path, document))

    assert f"videos[{index}] 'impurities'" in str(raised.value)
    assert message in str(raised.value)
    assert not any(row_counts().values())
