"""The site's own drawings of releases, videos and members, and the eras' palettes they use."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog import art
from catalog.models import Release, Status
from tests.factories import make_member, make_release, make_video

pytestmark = pytest.mark.django_db


def art_url(kind: str, slug: str, scheme: str = "light") -> str:
    return reverse(f"catalog:{kind}-art", args=[slug, scheme])


# ---- The palette a curator sets --------------------------------------------------------------


def test_a_palette_whose_text_cannot_be_read_is_refused_naming_the_colours():
    release = make_release()
    release.palette_background, release.palette_text = "#FFFFFF", "#AAAAAA"

    with pytest.raises(ValidationError) as refused:
        release.full_clean()

    message = refused.value.message_dict["palette_text"][0]
    assert "#aaaaaa" in message
    assert "#ffffff" in message
    assert "2.3:1" in message
    assert "4.5:1" in message


def test_a_readable_palette_is_kept_in_lower_case():
    release = make_release(palette_background="#1E1B2E", palette_text="#F2E9E4")
    release.full_clean()
    assert (release.palette_background, release.palette_text) == ("#1e1b2e", "#f2e9e4")


def test_a_background_needs_its_text_colour():
    release = make_release()
    release.palette_background = "#1e1b2e"
    with pytest.raises(ValidationError) as refused:
        release.full_clean()
    assert "palette_text" in refused.value.message_dict


def test_a_malformed_colour_is_named_by_the_field():
    release = make_release()
    release.palette_background, release.palette_text = "red", "#000000"
    with pytest.raises(ValidationError) as refused:
        release.full_clean()
    assert "#rrggbb" in refused.value.message_dict["palette_background"][0]


@pytest.mark.parametrize(
    "colours",
    [
        {"palette_background": "red", "palette_text": "#000000"},
        {"palette_background": "#ffffff", "palette_text": ""},
    ],
)
def test_the_database_refuses_a_broken_palette(colours):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_release(**colours)


def test_contrast_follows_wcag():
    assert art.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert art.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_a_light_palette_darkens_for_dark_pages_and_stays_readable():
    light = art.Palette("#fff1cc", "#5a1e00", "#e63946")
    dark = light.for_scheme("dark")
    assert art.luminance(dark.background) < 0.05
    assert art.contrast(dark.background, dark.text) >= art.MIN_CONTRAST
    assert art.Palette("#10163a", "#f4f1ff", "#7b6cf6").for_scheme("dark").background == "#10163a"


def test_every_demo_release_has_a_readable_palette():
    from django.core.management import call_command

    call_command("load_catalog", verbosity=0)
    for release in Release.objects.all():
        assert release.palette_background, release.slug
        assert art.contrast(release.palette_background, release.palette_text) >= 4.5


# ---- Setting type ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Eve, Psyche & The Bluebeard's wife (Rina Sawayama Remix)",
        "CRAZY (Vogue Remix) (feat. Dashaun Wesley)",
        "이브, 프시케 그리고 푸른 수염의 아내",
        "イブ、プシュケ、そして青ひげの妻" * 3,
        "Supercalifragilisticexpialidocious" * 2,
    ],
)
def test_a_long_title_fits_the_picture(title):
    size, lines = art.fit(title, 424, (52, 44, 38, 32, 27, 23), 3)
    assert 1 <= len(lines) <= 3
    assert all(art.text_width(line, size) <= 424 for line in lines)


def test_a_title_is_shrunk_before_a_word_is_cut():
    size, lines = art.fit("SPAGHETTI", 416, (72, 60, 50), 4)
    assert lines == ["SPAGHETTI"]
    assert size < 72


# ---- The drawings served ---------------------------------------------------------------------


def test_a_video_drawing_sets_its_title_in_the_eras_colours_and_says_what_it_is(client):
    release = make_release(palette_background="#e8f7d4", palette_text="#1f3a0b")
    video = make_video(title="CRAZY", kind="performance", release=release)

    response = client.get(art_url("video", video.slug))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "max-age=" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    svg = response.content.decode()
    assert svg.startswith("<svg")
    assert 'fill="#e8f7d4"' in svg
    assert 'fill="#1f3a0b"' in svg
    assert ">CRAZY</tspan>" in svg
    assert "PERFORMANCE VIDEO · 2022" in svg
    assert "<image" not in svg
    assert "href" not in svg


def test_the_kind_of_video_is_drawn_in_the_pages_language(client):
    video = make_video(kind="teaser")
    with_korean = client.get("/ko" + art_url("video", video.slug)).content.decode()
    assert "티저" in with_korean


def test_titles_are_escaped_in_the_drawing(client):
    video = make_video(title='<script>alert("x")</script> & more')
    svg = client.get(art_url("video", video.slug)).content.decode()
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&amp; more" in svg


def test_videos_of_different_kinds_and_items_look_different(client):
    one, two = make_video(title="Same"), make_video(title="Same")
    teaser = make_video(title="Same", kind="teaser")
    drawings = {client.get(art_url("video", v.slug)).content for v in (one, two, teaser)}
    assert len(drawings) == 3


def test_a_dark_page_gets_a_dark_drawing(client):
    release = make_release(palette_background="#fff1cc", palette_text="#5a1e00")
    light = client.get(art_url("release", release.slug)).content.decode()
    dark = client.get(art_url("release", release.slug, "dark")).content.decode()
    background = re.compile(r'<rect width="480" height="480" fill="(#\w+)"')
    assert background.search(light)[1] == "#fff1cc"
    assert art.luminance(background.search(dark)[1]) < 0.05
    assert client.get(art_url("release", release.slug, "sepia")).status_code == 404


def test_a_member_drawing_spells_her_name_in_both_scripts_never_an_initial(client):
    member = make_member(
        stage_name="KIM CHAEWON", native_name="김채원", romanized_name="Kim Chae-won"
    )
    svg = client.get(art_url("member", member.slug)).content.decode()
    assert ">김채원</tspan>" in svg
    assert "KIM CHAEWON" in svg
    assert "Kim Chae-won" in svg
    assert not re.search(r">K</tspan>", svg)


def test_a_drafts_drawing_is_for_staff_only(client):
    draft = make_release(status=Status.DRAFT)
    assert client.get(art_url("release", draft.slug)).status_code == 404


def test_an_unchanged_drawing_is_not_sent_again(client):
    release = make_release()
    first = client.get(art_url("release", release.slug))
    again = client.get(art_url("release", release.slug), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert not again.content


# ---- Cards and pages -------------------------------------------------------------------------


def test_cards_without_an_upload_show_the_drawing_with_its_version(client):
    release = make_release(title="HOT")
    video = make_video(title="HOT", release=release)

    body = client.get(reverse("catalog:video-list")).content.decode()

    stamp = int(max(video.updated_at, release.updated_at).timestamp())
    assert f'src="{art_url("video", video.slug)}?v={stamp}"' in body
    assert f'srcset="{art_url("video", video.slug, "dark")}?v={stamp}"' in body
    assert "▶" not in body


def test_members_are_drawn_by_name_on_the_members_page(client):
    member = make_member(stage_name="HUH YUNJIN", native_name="허윤진")
    body = client.get(reverse("catalog:member-list")).content.decode()
    assert art_url("member", member.slug) in body
    assert 'class="placeholder' not in body


def test_a_release_page_without_a_cover_shows_the_drawing(client):
    release = make_release()
    body = client.get(release.get_absolute_url()).content.decode()
    assert art_url("release", release.slug) in body


# ---- In the admin ----------------------------------------------------------------------------


def test_a_curator_sets_a_palette_and_is_told_which_colour_does_not_read(client):
    from tests.catalog.test_admin import admin_url, form_data
    from tests.factories import make_staff

    client.force_login(make_staff())
    release = make_release(title="UNFORGIVEN")
    change = admin_url(Release, "change", release.pk)
    page = client.get(change)
    assert art_url("release", release.slug) in page.text  # the drawing, previewed

    unreadable = form_data(page) | {"palette_background": "#1E1B2E", "palette_text": "#3A3550"}
    refused = client.post(change, unreadable)
    assert refused.status_code == 200
    assert "The text colour #3a3550 has a contrast of only 1.4:1" in refused.text
    assert 'value="#1E1B2E"' in refused.text  # what the curator typed is kept

    readable = unreadable | {"palette_text": "#F2E9E4", "palette_accent": "#9A8C98"}
    assert client.post(change, readable).status_code == 302
    release.refresh_from_db()
    assert (release.palette_background, release.palette_text, release.palette_accent) == (
        "#1e1b2e",
        "#f2e9e4",
        "#9a8c98",
    )
