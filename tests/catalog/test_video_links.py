"""Every video leads somewhere: the player once a curator links the upload, else a labelled
YouTube search and the official channel; the admin takes any common YouTube address."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from catalog import youtube
from catalog.models import ExternalLink, MusicVideo
from tests.catalog.test_admin import form_data
from tests.factories import make_staff, make_video

pytestmark = pytest.mark.django_db

ID = "hLvWy2b857I"


def _player(body: str) -> str:
    return body.split('<div class="player">')[1].split('<dl class="facts">')[0]


def test_a_video_without_an_upload_offers_a_labelled_search_never_a_player(client):
    video = make_video(title="Eve, Psyche & The Bluebeard's wife")
    body = client.get(video.get_absolute_url()).content.decode()
    player = _player(body)

    assert "No video linked yet" in player
    expected = (
        "https://www.youtube.com/results?search_query="
        "LE+SSERAFIM+%22Eve%2C+Psyche+%26+The+Bluebeard%27s+wife%22"
    )
    assert f'href="{html.escape(expected)}"' in player
    assert "Search YouTube for “Eve, Psyche &amp; The Bluebeard&#x27;s wife”" in player
    assert "not a confirmed upload" in player
    for player_part in ("youtube-nocookie", "watch?v=", "<iframe"):
        assert player_part not in body


def test_the_official_channel_shows_when_the_catalog_knows_it(client):
    video = make_video()
    plain = client.get(video.get_absolute_url()).content.decode()
    assert "The official channel" not in plain

    video.links.create(
        site=ExternalLink.Site.YOUTUBE,
        url="https://www.youtube.com/@HYBELABELS",
        label="HYBE LABELS",
    )
    # A link to some other YouTube page is not presented as the channel.
    video.links.create(
        site=ExternalLink.Site.YOUTUBE, url="https://www.youtube.com/playlist?list=x"
    )
    player = _player(client.get(video.get_absolute_url()).content.decode())

    assert '<a href="https://www.youtube.com/@HYBELABELS" rel="noopener external">' in player
    assert "The official channel: HYBE LABELS" in player
    assert "playlist" not in player


def test_a_linked_video_plays_inline_and_offers_no_search(client):
    video = make_video(youtube_id=ID)
    player = _player(client.get(video.get_absolute_url()).content.decode())
    assert f"https://www.youtube-nocookie.com/embed/{ID}?autoplay=1" in player
    assert "search_query" not in player
    assert "No video linked yet" not in player


@pytest.mark.parametrize(
    "pasted",
    [
        ID,
        f"  {ID} ",
        f"https://www.youtube.com/watch?v={ID}",
        f"https://www.youtube.com/watch?v={ID}&list=PL123&index=2&t=42s",
        f"https://m.youtube.com/watch?feature=share&v={ID}",
        f"youtube.com/watch?v={ID}",
        f"https://youtu.be/{ID}",
        f"https://youtu.be/{ID}?si=AbCdEf123&t=10",
        f"https://www.youtube.com/shorts/{ID}?feature=share",
        f"https://www.youtube.com/embed/{ID}?autoplay=1",
        f"https://www.youtube-nocookie.com/embed/{ID}",
        f"https://www.youtube.com/live/{ID}",
        f"https://music.youtube.com/watch?v={ID}&si=x",
    ],
)
def test_common_addresses_give_the_id(pasted):
    assert youtube.video_id(pasted) == ID


@pytest.mark.parametrize(
    ("pasted", "reason"),
    [
        ("abc123", "is not a YouTube id"),
        ("https://vimeo.com/12345678", "on vimeo.com, not on YouTube"),
        ("https://www.youtube.com/@HYBELABELS", "channel, playlist or search"),
        ("https://www.youtube.com/playlist?list=PL123", "channel, playlist or search"),
        ("https://www.youtube.com/watch?list=PL123", "names no video"),
        ("https://youtu.be/", "names no video"),
        ("https://www.youtube.com/watch?v=tooShort", "“tooShort”, is not 11"),
    ],
)
def test_anything_else_is_refused_with_the_reason(pasted, reason):
    with pytest.raises(youtube.NotAVideoAddress, match=reason):
        youtube.video_id(pasted)


def _change_page(client: Client, video: MusicVideo):
    url = reverse("admin:catalog_musicvideo_change", args=[video.pk])
    return url, client.get(url)


def test_a_curator_pastes_a_share_address_and_sees_the_still(client):
    client.force_login(make_staff())
    video = make_video()
    url, page = _change_page(client, video)
    assert "No video linked yet." in page.content.decode()

    data = form_data(page) | {"youtube_id": f"https://youtu.be/{ID}?si=tracking"}
    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    video.refresh_from_db()
    assert video.youtube_id == ID
    body = client.get(url).content.decode()
    assert f'src="https://i.ytimg.com/vi/{ID}/hqdefault.jpg"' in body


def test_a_wrong_address_is_named_and_kept_for_correcting(client):
    client.force_login(make_staff())
    video = make_video()
    url, page = _change_page(client, video)
    pasted = "https://www.youtube.com/@HYBELABELS"

    response = client.post(url, form_data(page) | {"youtube_id": pasted})

    assert response.status_code == 200
    body = response.content.decode()
    assert "not of one video" in body
    assert f'value="{pasted}"' in body
    video.refresh_from_db()
    assert video.youtube_id == ""


def test_an_upload_linked_to_another_video_is_named(client):
    client.force_login(make_staff())
    make_video(title="EASY", youtube_id=ID)
    video = make_video()
    url, page = _change_page(client, video)

    response = client.post(url, form_data(page) | {"youtube_id": f"https://youtu.be/{ID}"})

    assert response.status_code == 200
    assert "This upload is already linked to “EASY”" in response.content.decode()
    video.refresh_from_db()
    assert video.youtube_id == ""


def test_the_admin_allows_youtube_stills_in_its_policy(client):
    client.force_login(make_staff())
    _url, page = _change_page(client, make_video(youtube_id=ID))
    policy = page.headers["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert "https://i.ytimg.com" in img_src
