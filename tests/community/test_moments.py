"""Moments: "1:23" in a comment links into the video at that second; the most-cited list."""

import datetime
import re

import pytest
from django.utils import timezone

from community import text
from community.models import CommentMoment
from community.services import talk
from tests.factories import make_staff, make_user, make_video

pytestmark = pytest.mark.django_db

YOUTUBE_ID = "4vbDFu0PUew"


def make_fan(**kwargs):
    kwargs.setdefault("date_joined", timezone.now() - datetime.timedelta(days=30))
    return make_user(**kwargs)


def make_comment(video, body, author=None):
    return talk.comment_create(author=author or make_fan(), video=video, body=body)


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ("1:23", 83),
        ("0:05", 5),
        ("12:34", 754),
        ("01:02:03", 3723),
        ("1:00:00", 3600),
        ("1:75", None),  # seconds < 60
        ("99:99", None),
        ("1:60:00", None),  # minutes < 60 once hours are given
        ("1:2", None),
        ("123:45", None),
        ("1:23pm", None),
    ],
)
def test_parse_moment(written, seconds):
    assert text.parse_moment(written) == seconds


@pytest.mark.parametrize(
    ("body", "seconds"),
    [
        ("The drop at 1:23, then again at 2:05!", [83, 125]),
        ("(0:45) and 0:45 again", [45]),
        ("Chorus at 01:02:03.", [3723]),
        ("Scores 3:1 and 1:75 and 10:00am", []),
        ("Ratio 16:9:12 is no time", []),
        ("https://example.com/at/1:23 is an address", []),
    ],
)
def test_moments_found_in_text(body, seconds):
    assert text.moment_seconds(body) == seconds


def test_moments_link_into_the_video_with_a_youtube_upload(client):
    video = make_video(youtube_id=YOUTUBE_ID)
    make_comment(video, "Watch 1:23 closely")

    page = client.get(video.get_absolute_url()).content.decode()

    assert (
        f'<a href="https://www.youtube.com/watch?v={YOUTUBE_ID}#t=83" class="moment"'
        ' data-seconds="83">1:23</a>'
    ) in page
    assert 'data-embed="https://www.youtube-nocookie.com/embed/' in page  # what the script starts


def test_without_a_youtube_upload_moments_are_plain_text(client):
    video = make_video(youtube_id="")
    make_comment(video, "Watch 1:23 closely")
    page = client.get(video.get_absolute_url()).content.decode()
    assert "Watch 1:23 closely" in page
    assert 'class="moment"' not in page


def test_moments_are_stored_and_recomputed_on_edit():
    video = make_video(youtube_id=YOUTUBE_ID)
    comment = make_comment(video, "1:23 and 2:00 and 1:23 again")
    assert list(comment.moments.values_list("seconds", flat=True)) == [83, 120]

    talk.comment_edit(comment=comment, editor=comment.author, body="Only 0:30 now")

    assert list(CommentMoment.objects.values_list("seconds", "video")) == [(30, video.pk)]


def test_a_comment_stores_at_most_ten_moments():
    video = make_video()
    comment = make_comment(video, " ".join(f"0:{n:02}" for n in range(30)))
    assert comment.moments.count() == talk.MAX_MOMENTS


def test_most_cited_moments_count_visible_comments_only(client):
    video = make_video(youtube_id=YOUTUBE_ID)
    cited = ["2:00", "2:00!", "at 2:00", "1:00", "1:00", "0:40", "0:40", "0:10", "0:20", "0:30"]
    for body in cited:
        make_comment(video, body)
    hidden = make_comment(video, "0:40 and 0:50")
    talk.comment_hide(comment=hidden, moderator=make_staff())

    page = client.get(video.get_absolute_url()).content.decode()
    start = page.index("Most-cited moments")
    listed = page[start : page.index("</ol>", start)]

    # Most cited first, earlier first among equals; the hidden comment's 0:40 and 0:50 don't count.
    assert [int(s) for s in re.findall(r'data-seconds="(\d+)"', listed)] == [120, 40, 60, 10, 20]
    assert re.search(r">2:00</a> <span class=\"muted\">\(3 comments\)", listed)
    assert re.search(r">0:40</a> <span class=\"muted\">\(2 comments\)", listed)


def test_no_moments_list_without_talk(client):
    video = make_video(youtube_id=YOUTUBE_ID)
    make_comment(video, "No times here")
    assert "Most-cited moments" not in client.get(video.get_absolute_url()).content.decode()
