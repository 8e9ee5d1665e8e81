"""Feeds, sitemap, robots, canonical links, share cards and schema.org data."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import override

from catalog.feeds import FEED_SIZE
from catalog.models import Release, Status
from tests.factories import (
    BUDGET_ROWS,
    make_member,
    make_rating,
    make_release,
    make_rows,
    make_staff,
    make_track,
    make_user,
    make_video,
    make_videos,
    make_watchlist,
    make_watchlists,
)

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _json_ld(body: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def test_atom_feed_lists_published_videos_newest_first(client):
    make_video(title="Impurities")
    make_video(title="Come Over")
    make_video(title="Draft", status=Status.DRAFT)
    response = client.get(reverse("catalog:feed-videos"))
    assert response["Content-Type"].startswith("application/atom+xml")
    titles = [
        e.findtext(f"{ATOM}title") for e in ET.fromstring(response.content).iter(f"{ATOM}entry")
    ]
    assert titles == ["Come Over", "Impurities"]


def test_member_feed_has_only_her_videos(client):
    kazuha = make_member(slug="kazuha")
    make_video(title="With Kazuha", members=[kazuha])
    make_video(title="Without her", members=[make_member()])
    body = client.get(reverse("catalog:feed-member-videos", args=["kazuha"])).content.decode()
    assert "With Kazuha" in body
    assert "Without her" not in body
    assert client.get("/feeds/members/nobody/videos/").status_code == 404


def test_sitemap_covers_public_pages_only(client):
    make_video(slug="impurities")
    make_video(slug="secret", status=Status.DRAFT)
    make_release(slug="antifragile")
    make_member(slug="kazuha")
    owner = make_user(username="miyu")
    public = make_watchlist(owner=owner, is_public=True)
    private = make_watchlist(owner=owner, is_public=False)

    index = client.get("/sitemap.xml").content.decode()
    urls = ""
    for section in re.findall(r"<loc>(.*?)</loc>", index):
        urls += client.get(section.replace("http://testserver", "")).content.decode()

    for path in (
        "/videos/impurities/",
        "/releases/antifragile/",
        "/members/kazuha/",
        f"/lists/{public.pk}/",
        "/u/miyu/",
        "/timeline/",
    ):
        assert f"http://testserver{path}</loc>" in urls
    assert "/videos/secret/" not in urls
    assert f"/lists/{private.pk}/" not in urls


def test_robots_points_at_the_sitemap(client):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_pages_carry_canonical_url_and_share_card(client):
    video = make_video(title="Impurities", slug="impurities", description="Projection mapping.")
    body = client.get(video.get_absolute_url() + "?utm_source=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/videos/impurities/">' in body
    assert '<meta property="og:title" content="Impurities · LE SSERAFIM">' in body
    assert '<meta property="og:description" content="Projection mapping.">' in body
    assert 'property="og:image" content="http://testserver/static/img/share' in body
    assert '<meta name="twitter:card" content="summary_large_image">' in body


def test_structured_data_per_page_type(client):
    member = make_member(
        stage_name="KAZUHA", native_name="中村一葉", birth_date=datetime.date(2003, 8, 9)
    )
    release = make_release(title="ANTIFRAGILE", released_on=datetime.date(2022, 10, 17))
    make_track(release=release, title="Impurities", number=3, sequence=3)
    video = make_video(
        title="Impurities</script><script>alert(1)</script>",
        members=[member],
        release=release,
        description="Projection mapping.",
        description_ko="프로젝션 매핑.",
    )

    group = _json_ld(client.get("/").content.decode())
    assert group["@type"] == "MusicGroup"
    assert group["member"][0]["name"] == "KAZUHA"

    person = _json_ld(client.get(member.get_absolute_url()).content.decode())
    assert person["@type"] == "Person"
    assert person["birthDate"] == "2003-08-09"
    assert "中村一葉" in person["alternateName"]

    album = _json_ld(client.get(release.get_absolute_url()).content.decode())
    assert album["@type"] == "MusicAlbum"
    assert album["datePublished"] == "2022-10-17"
    assert album["track"][0] == {
        "@type": "MusicRecording",
        "name": "Impurities",
        "position": 3,
        "byArtist": album["byArtist"],
    }

    body = client.get(video.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in body  # the title cannot break out
    data = _json_ld(body)
    assert data["@type"] == "VideoObject"
    assert data["name"].startswith("Impurities</script>")
    assert "embedUrl" not in data  # no YouTube id is known: none is invented
    assert data["description"] == "Projection mapping."
    with override("en"):
        path = video.get_absolute_url()
    assert _json_ld(client.get(f"/ko{path}").content.decode())["description"] == "프로젝션 매핑."


# ---- Query budgets ------------------------------------------------------------------------------


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_feeds_query_budget(client, django_assert_max_num_queries, n):
    """Guards N+1: a feed's entries (with their release) cost one query for 10 or 1,000 videos."""
    member = make_member(slug="kazuha")
    make_videos(n, members=[member], release=make_rows(Release, n))
    feeds = {
        reverse("catalog:feed-videos"): 1,  # the newest videos with their releases
        reverse("catalog:feed-member-videos", args=["kazuha"]): 2,  # + the member
    }
    for url, queries in feeds.items():
        with django_assert_max_num_queries(queries, info=url):
            response = client.get(url)
        entries = list(ET.fromstring(response.content).iter(f"{ATOM}entry"))
        assert len(entries) == min(n, FEED_SIZE), url
        assert all(entry.find(f"{ATOM}category") is not None for entry in entries), url


@pytest.mark.parametrize("n", BUDGET_ROWS)
def test_sitemap_query_budget(client, django_assert_max_num_queries, n):
    """Guards N+1: the index and each section cost the same for 10 or 1,000 of every page."""
    make_videos(n)
    make_rows(Release, n)
    make_watchlists(n, owner=make_user())
    # each section's rows to page them (in every language), again for the latest last-modified
    # date of the 3 sections that have one; no query for the fixed pages
    with django_assert_max_num_queries(9):
        index = client.get("/sitemap.xml").content.decode()
    sections = re.findall(r"<loc>http://testserver(.*?)</loc>", index)
    assert len(sections) == 7
    urls = {}
    for section in sections:
        with django_assert_max_num_queries(1, info=section):  # the section's rows, if any
            urls[section] = client.get(section).content.decode().count("<url>")
    languages = len(settings.LANGUAGES)
    for section in ("videos", "releases", "lists"):
        assert urls[f"/sitemap-{section}.xml"] == languages * n, section


def test_the_fans_sitemap_lists_only_fans_with_public_activity_never_staff(client):
    video = make_video()
    make_user(username="silent")  # nothing public: an empty page
    rater = make_user(username="rater")
    make_rating(user=rater, video=video)
    lister = make_user(username="lister")
    make_watchlist(owner=lister, is_public=True)
    make_watchlist(owner=make_user(username="secretive"), is_public=False)
    staff = make_staff(username="curator")
    make_rating(user=staff, video=video)
    make_watchlist(owner=staff, is_public=True)

    body = client.get("/sitemap-fans.xml").content.decode()

    assert "/u/rater/</loc>" in body
    assert "/u/lister/</loc>" in body
    for name in ("silent", "secretive", "curator"):
        assert f"/u/{name}/" not in body


def test_descriptions_for_search_results_are_short_in_every_language(client):
    """Search engines show about 160 characters: a long description is cut to that, in Japanese
    and Korean too (whose text has few or no spaces, so cutting by words kept it whole)."""
    long_ja = "曲の世界観を映像で描いたMVです。" * 30
    video = make_video(description="A long story. " * 40, description_ja=long_ja)

    for prefix in ("", "/ja"):
        html = client.get(prefix + video.get_absolute_url()).content.decode()
        for name in ('name="description"', 'property="og:description"'):
            content = re.search(rf'<meta {name} content="([^"]*)"', html)
            assert content, name
            assert 20 < len(content[1]) <= 160, (prefix, name, len(content[1]))
