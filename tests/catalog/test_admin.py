"""The Django admin as the curators' catalog editor, driven through its real pages."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.test import Client
from django.urls import reverse

from catalog.dates import Precision
from catalog.models import (
    ChartAchievement,
    Credit,
    Member,
    MusicVideo,
    Person,
    Release,
    Status,
    Tag,
    TieIn,
    Track,
)
from community.models import User
from tests.factories import (
    BUDGET_ROWS,
    make_achievement,
    make_credit,
    make_member,
    make_person,
    make_release,
    make_rows,
    make_staff,
    make_tag,
    make_tie_in,
    make_track,
    make_user,
    make_video,
    make_videos,
)

pytestmark = pytest.mark.django_db

CATALOG_MODELS = [Member, Release, Track, MusicVideo, Person, Credit, Tag, TieIn, ChartAchievement]


def admin_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:catalog_{model._meta.model_name}_{view}", args=args)


def form_data(response: Any) -> dict[str, Any]:
    """What a browser sends back from an admin form left as rendered, inline rows included."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, Any] = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False or isinstance(value, FieldFile):
                continue  # unticked boxes and untouched file inputs are not sent
            if value is True:
                value = "on"
            data[form.add_prefix(name)] = (
                [str(v) for v in value] if isinstance(value, list) else value
            )
    return data


@pytest.fixture
def staff() -> User:
    return make_staff()


@pytest.fixture
def curator(client: Client, staff: User) -> Client:
    client.force_login(staff)
    return client


@pytest.fixture
def catalog() -> dict[type[Model], Model]:
    """One of everything, linked the way the real catalog is."""
    member = make_member(stage_name="SAKURA", native_name="사쿠라")
    release = make_release(title="EASY", native_title="이지")
    track = make_track(release=release, title="EASY")
    person = make_person(name="Bang Si-hyuk", native_name="방시혁")
    credit = make_credit(person=person, track=track, role=Credit.Role.PRODUCER)
    theme = make_tag(name="Self-acceptance")
    video = make_video(release=release, track=track, members=[member], themes=[theme])
    make_credit(video=video)
    tie_in = make_tie_in(videos=[video])
    tie_in.tracks.add(track)
    return {
        Member: member,
        Release: release,
        Track: track,
        MusicVideo: video,
        Person: person,
        Credit: credit,
        Tag: theme,
        TieIn: tie_in,
        ChartAchievement: make_achievement(release=release, track=track),
    }


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda m: m.__name__)
def test_staff_open_the_list_add_and_change_pages(curator, catalog, model):
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", catalog[model].pk),
        admin_url(model, "history", catalog[model].pk),
    ):
        assert curator.get(url).status_code == 200, url


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda m: m.__name__)
def test_fans_without_staff_status_are_sent_to_log_in(client, model):
    client.force_login(make_user())
    for url in (admin_url(model, "changelist"), admin_url(model, "add")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_admin_is_titled_for_curators(curator):
    assert "fansite curation" in curator.get(reverse("admin:index")).text


@pytest.mark.parametrize(
    ("make", "field", "native", "query"),
    [
        (make_release, "native_title", "이지 크레이지 핫", "크레이지"),
        (make_video, "native_title", "クレイジー", "クレイジー"),
        (make_member, "native_name", "宮脇咲良", "咲良"),
        (make_person, "native_name", "방시혁", "방시혁"),
    ],
    ids=["release", "video", "member", "person"],
)
def test_search_finds_items_by_native_name(curator, make, field, native, query):
    wanted = make(**{field: native})
    make(**{field: "다른 이름"})

    response = curator.get(admin_url(type(wanted), "changelist"), {"q": query})

    assert list(response.context["cl"].result_list) == [wanted]


def test_release_list_shows_partial_dates_and_what_still_needs_work(curator):
    make_release(
        title="HOT",
        released_on=datetime.date(2025, 3, 1),
        released_on_precision=Precision.MONTH,
        status=Status.DRAFT,
        verified=False,
    )

    text = curator.get(admin_url(Release, "changelist")).text

    assert "March 2025" in text
    assert "1 March 2025" not in text
    assert "<strong>Draft</strong>" in text
    assert "<strong>Unverified</strong>" in text


@pytest.mark.parametrize("make", [make_release, make_video], ids=["release", "video"])
@pytest.mark.parametrize(
    ("action", "before", "after", "message"),
    [
        ("publish", {"status": Status.DRAFT}, {"status": Status.PUBLISHED}, "published"),
        (
            "unpublish",
            {"status": Status.PUBLISHED},
            {"status": Status.DRAFT},
            "moved back to draft",
        ),
        ("mark_verified", {"verified": False}, {"verified": True}, "marked verified"),
    ],
)
def test_list_actions_change_the_selected_items_and_record_who(
    curator, staff, make, action, before, after, message
):
    chosen = [make(**before), make(**before)]
    untouched = make(**before)
    model = type(untouched)

    response = curator.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in chosen]},
        follow=True,
    )

    plural = model._meta.verbose_name_plural
    assert f"2 {plural} {message}" in response.text
    for obj in chosen:
        obj.refresh_from_db()
        assert {field: getattr(obj, field) for field in after} == after
        latest = obj.history.latest()
        assert latest.history_user == staff
        assert latest.history_type == "~"
    untouched.refresh_from_db()
    assert {field: getattr(untouched, field) for field in before} == before


def test_staff_who_may_only_view_cannot_publish(client):
    viewer = make_staff(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_release"))
    client.force_login(viewer)
    draft = make_release(status=Status.DRAFT)

    client.post(
        admin_url(Release, "changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_adding_a_release_with_two_tracks(curator, staff):
    add_page = curator.get(admin_url(Release, "add"))
    assert 'name="tracks-TOTAL_FORMS"' in add_page.text
    data = form_data(add_page) | {
        "title": "CRAZY",
        "native_title": "크레이지",
        "slug": "crazy",
        "kind": Release.Kind.EP,
        "released_on": "2024-08-30",
        "tracks-TOTAL_FORMS": "2",
        "tracks-0-sequence": "1",
        "tracks-0-number": "1",
        "tracks-0-title": "CRAZY",
        "tracks-0-is_title_track": "on",
        "tracks-0-duration": "00:02:44",
        "tracks-1-disc": "1",
        "tracks-1-sequence": "2",
        "tracks-1-number": "2",
        "tracks-1-title": "Pierrot",
    }

    response = curator.post(admin_url(Release, "add"), data)

    assert response.status_code == 302
    release = Release.objects.get(slug="crazy")
    assert [(t.sequence, t.title, t.is_title_track) for t in release.tracks.all()] == [
        (1, "CRAZY", True),
        (2, "Pierrot", False),
    ]
    assert release.tracks.get(title="CRAZY").duration == datetime.timedelta(minutes=2, seconds=44)
    assert release.status == Status.DRAFT  # new releases wait for a curator to publish them
    assert release.history.get().history_user == staff


def test_a_partly_known_date_is_stored_on_the_first_of_the_month(curator):
    data = form_data(curator.get(admin_url(Release, "add"))) | {
        "title": "HOT",
        "slug": "hot",
        "kind": Release.Kind.EP,
        "released_on": "2025-03-14",
        "released_on_precision": Precision.MONTH,
    }

    curator.post(admin_url(Release, "add"), data)

    assert Release.objects.get(slug="hot").released_on == datetime.date(2025, 3, 1)


def test_two_tracks_with_the_same_number_are_refused(curator):
    data = form_data(curator.get(admin_url(Release, "add"))) | {
        "title": "CRAZY",
        "slug": "crazy",
        "kind": Release.Kind.EP,
        "tracks-TOTAL_FORMS": "2",
        "tracks-0-sequence": "1",
        "tracks-0-number": "1",
        "tracks-0-title": "CRAZY",
        "tracks-1-disc": "1",
        "tracks-1-sequence": "2",
        "tracks-1-number": "1",
        "tracks-1-title": "Pierrot",
    }

    response = curator.post(admin_url(Release, "add"), data)

    assert response.status_code == 200
    assert "Two tracks on the same disc have the same number." in response.text
    assert not Release.objects.filter(slug="crazy").exists()


def test_a_new_track_cannot_take_the_number_of_a_saved_one(curator):
    release = make_release()
    make_track(release=release, number=1, sequence=1)
    data = form_data(curator.get(admin_url(Release, "change", release.pk))) | {
        "tracks-1-sequence": "2",
        "tracks-1-number": "1",
        "tracks-1-title": "Pierrot",
    }

    response = curator.post(admin_url(Release, "change", release.pk), data)

    assert response.status_code == 200
    assert "Two tracks on the same disc have the same number." in response.text
    assert release.tracks.count() == 1


def test_the_same_person_cannot_be_credited_twice_in_one_role(curator):
    track = make_track()
    person = make_person()
    row = {"person": person.pk, "role": Credit.Role.LYRICIST, "position": "1"}
    data = form_data(curator.get(admin_url(Track, "change", track.pk))) | {
        "credits-TOTAL_FORMS": "2",
        **{f"credits-{i}-{field}": value for i in (0, 1) for field, value in row.items()},
    }

    response = curator.post(admin_url(Track, "change", track.pk), data)

    assert response.status_code == 200
    assert "The same person is credited twice in the same role." in response.text
    assert not track.credits.exists()


def test_history_shows_who_changed_a_title_and_revert_restores_it(curator, staff):
    release = make_release(title="Antifragile")
    original = release.history.get()
    change_url = admin_url(Release, "change", release.pk)
    curator.post(change_url, form_data(curator.get(change_url)) | {"title": "ANTIFRAGILE (typo)"})

    history = curator.get(admin_url(Release, "history", release.pk))

    assert staff.username in history.text
    assert "ANTIFRAGILE (typo)" in history.text

    revert_url = admin_url(Release, "simple_history", release.pk, original.history_id)
    revert_page = curator.get(revert_url)
    assert revert_page.context["adminform"].form["title"].value() == "Antifragile"
    curator.post(revert_url, form_data(revert_page))

    release.refresh_from_db()
    assert release.title == "Antifragile"
    assert release.history.latest().history_user == staff


def test_the_cover_preview_shows_the_small_copy_with_its_alt_text(curator):
    release = make_release(
        cover="catalog/covers/c.webp",
        cover_small="catalog/covers/small/c.webp",
        cover_alt="Five members",
    )

    text = curator.get(admin_url(Release, "change", release.pk)).text

    assert '<img src="/media/catalog/covers/small/c.webp" alt="Five members"' in text


def test_track_search_boxes_name_featured_artists_without_a_query_per_track(
    curator, django_assert_max_num_queries
):
    """Guards N+1 queries: a track's name includes its featured artists, from its credits."""
    for _ in range(10):
        make_credit(
            track=make_track(title="UNFORGIVEN"),
            person=make_person(name="Nile Rodgers"),
            role=Credit.Role.FEATURED,
        )
    # The track picker on a music video's page.
    search = {"app_label": "catalog", "model_name": "musicvideo", "field_name": "track"}

    with django_assert_max_num_queries(6):  # 5, and the staff's two-factor device
        response = curator.get(reverse("admin:autocomplete"), search | {"term": "unforgiven"})

    names = [result["text"] for result in response.json()["results"]]
    assert names == ["UNFORGIVEN (feat. Nile Rodgers)"] * 10


def _tracks(n: int) -> list[Track]:
    return make_rows(Track, n, release=make_rows(Release, n))


def _release_rows(n: int) -> None:
    make_rows(Track, n, release=make_rows(Release, n, status=Status.DRAFT))


def _video_rows(n: int) -> None:
    videos = make_videos(n, release=make_rows(Release, n))
    for field, column, model in (("members", "member", Member), ("themes", "tag", Tag)):
        through = getattr(MusicVideo, field).through
        through.objects.bulk_create(
            through(musicvideo=video, **{column: row})
            for video, row in zip(videos, make_rows(model, n), strict=True)
        )


def _credit_rows(n: int) -> None:
    make_rows(Credit, n, track=_tracks(n), person=make_rows(Person, n))
    role = Credit.Role.CHOREOGRAPHER
    make_rows(Credit, n, video=make_videos(n), person=make_rows(Person, n), role=role)


def _person_rows(n: int) -> None:
    people = make_rows(Person, n, member=make_rows(Member, n))
    make_rows(Credit, n, person=people, track=_tracks(n))


MAKE_ROWS: dict[type[Model], Callable[[int], object]] = {
    Release: _release_rows,
    MusicVideo: _video_rows,
    Track: lambda n: make_rows(
        Credit, n, track=_tracks(n), person=make_rows(Person, n), role=Credit.Role.FEATURED
    ),
    Credit: _credit_rows,
    Person: _person_rows,
    ChartAchievement: lambda n: make_rows(ChartAchievement, n, track=_tracks(n)),
    Tag: _video_rows,  # each video with its own theme
    Member: lambda n: make_rows(Member, n),
    TieIn: lambda n: make_rows(TieIn, n),
}
CHANGELIST_QUERIES = 8  # session, user, 2FA device, counts, page of rows, date hierarchy/filters


@pytest.mark.parametrize("rows", BUDGET_ROWS)
@pytest.mark.parametrize("model", MAKE_ROWS, ids=lambda m: m.__name__)
def test_lists_cost_the_same_queries_however_many_rows(
    curator, django_assert_max_num_queries, model, rows
):
    """Guards N+1 queries in the changelists."""
    MAKE_ROWS[model](rows)

    with django_assert_max_num_queries(CHANGELIST_QUERIES):
        response = curator.get(admin_url(model, "changelist"))

    assert response.context["cl"].result_count >= rows
