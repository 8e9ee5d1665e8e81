"""The video page's catalog parts, read by queries compiled once and run for each video."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from catalog.models import Credit, ExternalLink, MusicVideo, Status, TieIn
from tests.factories import (
    make_credit,
    make_member,
    make_person,
    make_release,
    make_source,
    make_staff,
    make_tag,
    make_tie_in,
    make_video,
)

pytestmark = pytest.mark.django_db


def _video_with_everything(label: str) -> MusicVideo:
    """A video of one member with a credit, a tie-in, a theme, a link and their sources, each
    named after `label`."""
    member = make_member(stage_name=f"{label} MEMBER", slug=f"{label}-member")
    video = make_video(
        title=f"{label} video",
        slug=f"{label}-video",
        members=[member],
        themes=[make_tag(name=f"{label} theme", slug=f"{label}-theme")],
    )
    credit = make_credit(video=video, person=make_person(name=f"{label} director"))
    make_credit(video=video, role=Credit.Role.FEATURED, credited_as=f"{label} guest", position=2)
    tie_in = make_tie_in(name=f"{label} tie-in", kind=TieIn.Kind.GAME, videos=[video])
    ExternalLink.objects.create(
        target=video, site=ExternalLink.Site.OTHER, url=f"https://{label}.example/", label=label
    )
    make_source(video, url=f"https://news.example/{label}-video", title=f"{label} video story")
    make_source(credit, url=f"https://news.example/{label}-credit", title=f"{label} credit story")
    make_source(tie_in, url=f"https://news.example/{label}-tie-in", title=f"{label} tie-in story")
    return video


def test_each_video_shows_its_own_relations_and_sources_only(client):
    videos = {label: _video_with_everything(label) for label in ("alpha", "beta")}
    for label, video in videos.items():
        other = "beta" if label == "alpha" else "alpha"
        page = client.get(video.get_absolute_url()).content.decode()
        for text in (
            f"{label} video (feat. {label} guest)",
            f"{label} MEMBER",
            f"{label} theme",
            f"{label} director",
            f"{label} tie-in",
            f"https://{label}.example/",
            f"{label} video story",
            f"{label} credit story",
            f"{label} tie-in story",
        ):
            assert text in page, text
        assert other not in page


def _catalog_queries(client, url: str) -> int:
    client.get(url)  # content types are cached per process after the first request
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len([query for query in queries if "catalog_" in query["sql"]])


def test_credits_name_a_member_a_person_or_the_name_typed_with_no_query_for_whom(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the page as rendered, not as the page cache serves it
    video = make_video()
    member = make_member(stage_name="CREDITED MEMBER")
    make_credit(video=video, person=make_person(name="Her legal name", member=member))
    make_credit(video=video, person=make_person(name="A director"), position=2)
    make_credit(video=video, credited_as="A typed guest", position=3)
    plain = make_video()
    make_credit(video=plain, person=make_person(name="Another director"))

    page = client.get(video.get_absolute_url()).content.decode()
    for name in ("CREDITED MEMBER", "A director", "A typed guest"):
        assert name in page, name
    assert "Her legal name" not in page
    assert _catalog_queries(client, video.get_absolute_url()) == _catalog_queries(
        client, plain.get_absolute_url()
    )


def test_a_whole_group_video_lists_who_was_in_the_group_on_its_day(client):
    make_member(stage_name="FOUNDING MEMBER", joined_on=datetime.date(2022, 4, 1))
    make_member(stage_name="LATER MEMBER", joined_on=datetime.date(2024, 1, 1))
    video = make_video(whole_group=True, published_on=datetime.date(2022, 11, 14))
    page = client.get(video.get_absolute_url()).content.decode()
    assert "FOUNDING MEMBER" in page
    assert "LATER MEMBER" not in page


def test_the_labels_of_kinds_and_roles_are_in_the_pages_language(client):
    video = _video_with_everything("gamma")
    page = client.get("/ko" + video.get_absolute_url()).content.decode()
    with translation.override("ko"):
        labels = [
            str(MusicVideo.Kind(video.kind).label),
            str(Credit.Role.DIRECTOR.label),
            str(Credit.Role.FEATURED.label),
            str(TieIn.Kind.GAME.label),
        ]
    for label in labels:
        assert label in page, label


def test_a_draft_is_a_404_for_visitors_and_marked_for_staff(client):
    video = make_video(status=Status.DRAFT, release=make_release(status=Status.DRAFT))
    assert client.get(video.get_absolute_url()).status_code == 404
    client.force_login(make_staff())
    page = client.get(video.get_absolute_url()).content.decode()
    assert 'class="badge badge-draft"' in page
    assert video.release.get_absolute_url() in page


def test_a_draft_release_is_not_linked_from_a_published_video_for_visitors(client):
    release = make_release(status=Status.DRAFT)
    video = make_video(release=release)
    assert release.get_absolute_url() not in client.get(video.get_absolute_url()).text
