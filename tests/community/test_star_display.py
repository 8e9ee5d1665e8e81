"""Stars that read right: half-star glyphs wherever an average or a score shows, and the star
control (a radio group of half stars) that saves with the button when there is no script."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from community.templatetags.rating_tags import half_steps
from tests.factories import make_rating, make_user, make_video

pytestmark = pytest.mark.django_db


def glyphs(html: str) -> list[str]:
    """The five stars' kinds, in order, from the stars markup."""
    return re.findall(r'class="star star-(full|half|empty)"', html)


def render(value: object, decorative: bool = False) -> str:
    template = Template("{% load rating_tags %}{% stars value decorative=decorative %}")
    return template.render(Context({"value": value, "decorative": decorative}))


@pytest.mark.parametrize(
    ("average", "expected"),
    [
        (4.5, ["full"] * 4 + ["half"]),
        (3.5, ["full"] * 3 + ["half", "empty"]),
        (4.0, ["full"] * 4 + ["empty"]),
        (0.5, ["half"] + ["empty"] * 4),
        (5.0, ["full"] * 5),
        (4.25, ["full"] * 4 + ["half"]),  # to the nearest half star, halves up
        (4.74, ["full"] * 4 + ["half"]),
        (4.75, ["full"] * 5),
    ],
)
def test_averages_show_to_the_half_star(average, expected):
    assert glyphs(render(average)) == expected


def test_halves_no_longer_round_to_even():
    """4.5 and 3.5 both showed four stars when round() took halves to the even number."""
    assert (half_steps(4.5), half_steps(3.5), half_steps(2.25)) == (9, 7, 5)


def test_stars_are_one_image_named_with_the_figure_or_hidden_beside_it():
    named = render(4.5)
    assert 'role="img" aria-label="4.5 out of 5 stars"' in named
    assert 'aria-hidden="true"' in render(4.5, decorative=True)
    assert "role=" not in render(4.5, decorative=True)
    assert render(None) == ""


def test_the_video_page_card_and_top_show_half_stars(client, settings):
    settings.TOP_MIN_VOTES = 1
    video = make_video(title="Perfect Night")
    for score in (9, 9):
        make_rating(video=video, score=score)

    page = client.get(video.get_absolute_url()).content.decode()
    widget = page.split('id="rating"')[1].split("</section>")[0]
    assert glyphs(widget.split('class="rating-summary"')[1])[:5] == ["full"] * 4 + ["half"]
    assert "<strong>4.5</strong> out of 5" in widget

    listing = client.get(reverse("catalog:video-list")).content.decode()
    assert 'aria-label="4.5 out of 5 stars"' in listing
    top = client.get(reverse("community:top")).content.decode()
    assert glyphs(top) == ["full"] * 4 + ["half"]


def test_the_star_control_is_a_radio_group_of_half_stars_with_a_button(client):
    video, fan = make_video(), make_user()
    make_rating(user=fan, video=video, score=7)
    client.force_login(fan)
    widget = client.get(video.get_absolute_url()).content.decode().split('id="rating"')[1]
    control = widget.split('<fieldset class="star-input"')[1].split("</fieldset>")[0]

    radios = re.findall(
        r'<input type="radio" name="score" id="score-(\d+)" value="\d+"( checked)?', control
    )
    assert [int(value) for value, _ in radios] == list(range(1, 11))
    assert [value for value, checked in radios if checked] == ["7"]
    names = re.findall(r'<span class="visually-hidden">([^<]+)</span>', control)
    assert (names[0], names[6], names[9]) == ("half a star", "3.5 stars", "5 stars")
    assert "style=" not in control  # the page's policy allows no inline styles
    assert '<button type="submit" class="rating-save">Save rating</button>' in widget


def test_the_button_saves_without_javascript(client):
    video, fan = make_video(), make_user()
    client.force_login(fan)
    response = client.post(reverse("community:rate", args=[video.slug]), {"score": "7"})
    assert response.status_code == 302
    body = client.get(response.url).content.decode()
    assert "You gave it 3.5 out of 5." in body
    assert 'id="score-7" value="7" checked' in body
