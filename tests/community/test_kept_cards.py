"""Video cards kept for visitors (community/templatetags/card_tags.py): rendered once per video,
language and version, shared by every list, and never stale, mixed or leaked."""

import datetime

import pytest

from catalog.models import Status
from community.services.ratings import rating_set
from foundation import page_cache
from tests.factories import make_release, make_staff, make_user, make_video

pytestmark = pytest.mark.django_db

RENDERED = {page_cache.SKIP: True}  # the page itself rendered, as after a write elsewhere
CARD = "includes/card/video.html"


@pytest.fixture
def video():
    return make_video(
        title="Impurities", slug="impurities", published_on=datetime.date(2022, 11, 14)
    )


def _page(client, path, **extra):
    """The page as rendered, and whether a card was rendered for it (not taken as kept)."""
    response = client.get(path, **RENDERED, **extra)
    assert response.status_code == 200
    return response.content.decode(), CARD in [t.name for t in response.templates]


def test_a_card_is_rendered_once_and_shown_by_every_list_with_its_own_way_back(client, video):
    page, rendered = _page(client, "/videos/")
    assert rendered
    assert 'class="watchlist-choose" href="/accounts/login/?next=/videos/"' in page

    page, rendered = _page(client, "/")
    assert not rendered
    assert "Impurities" in page
    assert 'class="watchlist-choose" href="/accounts/login/?next=/"' in page
    assert "?next=/videos/" not in page.split("</header>")[1]

    page, rendered = _page(client, "/videos/?sort=oldest")
    assert not rendered
    assert 'href="/accounts/login/?next=/videos/%3Fsort%3Doldest"' in page.split("</header>")[1]


def test_a_card_shows_a_curators_edit_and_new_rating_figures_at_once(client, video):
    _page(client, "/videos/")
    video.title = "Impurities (Performance ver.)"
    video.save()
    page, rendered = _page(client, "/videos/")
    assert rendered
    assert "Impurities (Performance ver.)" in page

    release = make_release(title="ANTIFRAGILE")
    video.release = release
    video.save()
    _page(client, "/")
    release.title = "ANTIFRAGILE (Remix)"
    release.save()
    assert "ANTIFRAGILE (Remix)" in _page(client, "/")[0]

    rating_set(user=make_user(), video=video, score=8)
    page, rendered = _page(client, "/videos/")
    assert rendered
    assert "(1 rating)" in page
    rating_set(user=make_user(), video=video, score=10)
    assert "(2 ratings)" in _page(client, "/")[0]
    page, rendered = _page(client, "/videos/")
    assert not rendered
    assert "(2 ratings)" in page


def test_cards_are_kept_per_language(client, video):
    rating_set(user=make_user(), video=video, score=8)
    assert "(1 rating)" in _page(client, "/videos/")[0]
    korean, rendered = _page(client, "/ko/videos/")
    assert rendered
    assert "평점 1개" in korean
    assert "(1 rating)" not in korean
    english, rendered = _page(client, "/videos/")
    assert not rendered
    assert "평점 1개" not in english


def test_drafts_cards_never_reach_visitors(client, video):
    make_video(title="Secret Single", slug="secret-single", status=Status.DRAFT)
    client.force_login(make_staff())
    page, _ = _page(client, "/videos/")
    assert "Secret Single" in page
    assert "badge-draft" in page
    client.logout()

    page, _ = _page(client, "/videos/")
    assert "Secret Single" not in page
    assert "badge-draft" not in page

    video.status = Status.DRAFT  # taken back
    video.save()
    page, _ = _page(client, "/videos/")
    assert "Impurities" not in page
    assert "Impurities" not in _page(client, "/")[0]


def test_a_fan_gets_their_own_card_never_the_visitors_and_leaves_none(client, video):
    _page(client, "/videos/")
    fan = make_user(username="yunjin_fan")
    client.force_login(fan)
    mine = client.get("/videos/").content.decode()
    card = mine.split('class="card card-video"')[1]
    assert "csrfmiddlewaretoken" in card
    assert "log in to add" not in card

    client.logout()
    page, rendered = _page(client, "/videos/")
    assert not rendered  # still the visitor's card
    card = page.split('class="card card-video"')[1]
    assert "csrfmiddlewaretoken" not in card
    assert "log in to add" in card


def test_the_benchmark_can_ask_for_the_cards_rendered_from_scratch(client, video):
    _page(client, "/videos/")
    _, rendered = _page(client, "/videos/", **{page_cache.SKIP_FRAGMENTS: True})
    assert rendered
