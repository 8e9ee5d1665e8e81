"""The curators' desk: what needs attention, and deciding fans' corrections."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from catalog.models import MusicVideo, Release, Source, Status
from community.models import Comment, Notification, Report, Suggestion
from community.services.suggestions import suggestion_create
from tests.factories import (
    BUDGET_ROWS,
    image_upload,
    make_profile,
    make_release,
    make_rows,
    make_staff,
    make_user,
    make_users,
    make_video,
    make_videos,
)

pytestmark = pytest.mark.django_db

DESK = "admin:curators_desk"
SOURCE = "https://example.com/news/easy-release-date"


def decide_url(suggestion: Suggestion) -> str:
    return reverse("admin:community_suggestion_decide", args=[suggestion.pk])


def make_curator(*, curate: bool = True, **kwargs):
    curator = make_staff(is_superuser=False, **kwargs)
    codenames = ["change_release", "view_release", "change_musicvideo", "view_suggestion"]
    if curate:
        codenames.append("curate_suggestion")
    curator.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return curator


@pytest.fixture
def release():
    return make_release(title="EASY", slug="easy", released_on=datetime.date(2024, 2, 19))


@pytest.fixture
def fan():
    return make_user(username="fearnot")


@pytest.fixture
def suggestion(fan, release):
    return suggestion_create(
        author=fan,
        target=release,
        field="released_on",
        correction="2024-02-20",
        source_url=SOURCE,
    )


def test_the_desk_opens_on_what_needs_attention(client, suggestion):
    make_release(title="Unchecked", verified=False, verification_note="Check the label")
    make_release(title="Not out yet", status=Status.DRAFT)
    client.force_login(make_curator())

    page = client.get(reverse(DESK)).content.decode()

    assert "<strong>1</strong> open suggestions" in page
    assert "2024-02-20" in page
    assert "2024-02-19" in page
    assert SOURCE in page
    assert "Check the label" in page
    assert "Not out yet" in page
    assert "<strong>0</strong> held comments" in page
    assert decide_url(suggestion) in page


def test_accepting_applies_the_correction_like_an_admin_edit(client, fan, release, suggestion):
    curator = make_curator(username="curator1")
    client.force_login(curator)

    response = client.post(
        decide_url(suggestion),
        {"action": "accept", "released_on": "2024-02-20", "released_on_precision": "day"},
    )

    assert response.status_code == 302
    release.refresh_from_db()
    assert release.released_on == datetime.date(2024, 2, 20)
    source = Source.objects.about(release, "released_on").get()
    assert source.url == SOURCE
    latest = release.history.latest()
    assert latest.history_user == curator
    assert "fearnot" in latest.history_change_reason
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ACCEPTED
    assert suggestion.decided_by == curator
    assert Notification.objects.get(recipient=fan).kind == Notification.Kind.ACCEPTED
    page = client.get(release.get_absolute_url()).content.decode()
    assert "example.com/news/easy-release-date" in page or "example.com" in page
    api = client.get(f"/api/v1/releases/{release.slug}/").json()
    assert "2024-02-20" in str(api)


def test_the_page_names_the_fan_under_contributors_unless_they_opt_out(client, fan, release):
    suggestion = suggestion_create(
        author=fan, target=release, field="title", correction="EASY", source_url=SOURCE
    )
    client.force_login(make_curator())
    client.post(decide_url(suggestion), {"action": "accept", "title": "EASY"})
    client.logout()

    assert "Contributors" in client.get(release.get_absolute_url()).content.decode()
    assert 'href="/u/fearnot/"' in client.get(release.get_absolute_url()).content.decode()

    make_profile(fan, credit_corrections=False)
    assert "Contributors" not in client.get(release.get_absolute_url()).content.decode()


def test_an_invalid_value_is_refused_with_the_admins_message(client, release, suggestion):
    client.force_login(make_curator())

    response = client.post(
        decide_url(suggestion),
        {"action": "accept", "released_on": "20 Feb", "released_on_precision": "day"},
    )

    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    release.refresh_from_db()
    assert release.released_on == datetime.date(2024, 2, 19)
    suggestion.refresh_from_db()
    assert suggestion.is_open


def test_declining_needs_a_reason_the_fan_then_reads(client, fan, suggestion):
    client.force_login(make_curator())

    refused = client.post(decide_url(suggestion), {"action": "decline", "reason": " "})
    assert refused.status_code == 400
    suggestion.refresh_from_db()
    assert suggestion.is_open

    client.post(decide_url(suggestion), {"action": "decline", "reason": "The label says 19."})

    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.DECLINED
    client.force_login(fan)
    profile = client.get(reverse("community:profile", args=["fearnot"])).content.decode()
    assert "The label says 19." in profile
    notes = client.get(reverse("community:notifications")).content.decode()
    assert "declined your correction" in notes
    assert "The label says 19." in notes


def test_a_decided_suggestion_is_not_decided_again(client, release, suggestion):
    client.force_login(make_curator())
    client.post(decide_url(suggestion), {"action": "decline", "reason": "No."})

    client.post(
        decide_url(suggestion),
        {"action": "accept", "released_on": "2024-02-20", "released_on_precision": "day"},
    )

    release.refresh_from_db()
    assert release.released_on == datetime.date(2024, 2, 19)


def test_a_fan_cannot_open_the_desk(client, fan, suggestion):
    client.force_login(fan)

    assert client.get(reverse(DESK)).status_code == 302  # to the admin's login
    assert client.get(decide_url(suggestion)).status_code == 302


def test_a_curator_without_the_permission_can_neither_see_nor_accept(client, release, suggestion):
    client.force_login(make_curator(curate=False))

    assert client.get(reverse(DESK)).status_code == 403
    response = client.post(
        decide_url(suggestion),
        {"action": "accept", "released_on": "2024-02-20", "released_on_precision": "day"},
    )

    assert response.status_code == 403
    release.refresh_from_db()
    assert release.released_on == datetime.date(2024, 2, 19)
    suggestion.refresh_from_db()
    assert suggestion.is_open


def test_a_curator_who_may_not_change_the_record_cannot_accept(client, release, suggestion):
    curator = make_curator()
    curator.user_permissions.remove(Permission.objects.get(codename="change_release"))
    client.force_login(curator)

    response = client.post(
        decide_url(suggestion),
        {"action": "accept", "released_on": "2024-02-20", "released_on_precision": "day"},
    )

    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.is_open


def test_the_index_puts_the_catalog_first_and_the_rest_under_site(client):
    client.force_login(make_staff())

    page = client.get(reverse("admin:index")).content.decode()

    assert page.index("Catalog") < page.index("Community") < page.index(">Site<")
    assert "Curators&#x27; desk" in page or "Curators' desk" in page
    assert ">Otp_Totp<" not in page
    assert ">OTP_TOTP<" not in page


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_the_desk_keeps_a_fixed_query_budget(client, django_assert_max_num_queries, n):
    """Guards N+1: 1,000 pending items of each kind cost what 10 do."""
    fans = make_users(3)
    releases = make_rows(Release, n, verified=False, status=Status.DRAFT)
    make_videos(n, verified=False, status=Status.DRAFT)
    Suggestion.objects.bulk_create(
        Suggestion(
            author=fans[i % 3],
            target=release,
            field="title",
            correction=f"Title {i}",
            source_url=SOURCE,
        )
        for i, release in enumerate(releases)
    )
    video = MusicVideo.objects.first()
    comments = Comment.objects.bulk_create(
        Comment(video=video, author=fans[i % 3], body=f"c{i}", status=Comment.Status.HELD)
        for i in range(n)
    )
    Report.objects.bulk_create(
        Report(reporter=fans[0], comment=c, reason=Report.Reason.SPAM) for c in comments
    )
    client.force_login(make_curator())
    client.get(reverse(DESK))  # content types and the header's counts, cached from then on

    # session, permissions; suggestions (count, page, their records); 5 kinds of unverified
    # facts (count and page each); 2 kinds of drafts (count and page each); held comments and
    # open reports (count and page each)
    with django_assert_max_num_queries(21):
        response = client.get(reverse(DESK))

    assert response.status_code == 200
    assert f"<strong>{n}</strong> open suggestions" in response.content.decode()


def test_the_comment_list_gives_the_comment_room(client):
    comment = Comment.objects.create(video=make_video(), author=make_user(), body="x" * 250)
    client.force_login(make_staff())

    page = client.get(reverse("admin:community_comment_changelist")).content.decode()

    assert comment.body in page
    assert "css/curation.css" in page


def test_the_video_list_shows_each_still_and_links_the_site_back(client):
    video = make_video(thumbnail=image_upload("still.png"), thumbnail_alt="The five on stage")
    client.force_login(make_staff())

    listing = client.get(reverse("admin:catalog_musicvideo_changelist")).content.decode()
    page = client.get(video.get_absolute_url()).content.decode()

    assert 'alt="The five on stage" width="64"' in listing
    assert reverse("admin:catalog_musicvideo_change", args=[video.pk]) in page


def test_a_fan_who_leaves_is_no_longer_named_under_contributors(client, fan, release):
    suggestion = suggestion_create(
        author=fan, target=release, field="title", correction="EASY", source_url=SOURCE
    )
    client.force_login(make_curator())
    client.post(decide_url(suggestion), {"action": "accept", "title": "EASY"})
    client.logout()
    assert 'href="/u/fearnot/"' in client.get(release.get_absolute_url()).content.decode()

    fan.is_active = False
    fan.save(update_fields=["is_active"])

    assert "Contributors" not in client.get(release.get_absolute_url()).content.decode()
