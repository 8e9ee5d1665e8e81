"""Rating videos: one rating per fan per video, figures exact, widget on the video page, /top/."""

import random
import re
import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import MusicVideo, Status
from community.models import Rating, User
from community.services.ratings import (
    NotAllowed,
    rating_recount,
    rating_remove,
    rating_set,
    refresh_figures,
)
from tests.factories import (
    BUDGET_ROWS,
    make_rating,
    make_ratings,
    make_user,
    make_users,
    make_video,
    make_videos,
)

pytestmark = pytest.mark.django_db


def _rate_url(video):
    return reverse("community:rate", args=[video.slug])


def test_fan_rates_a_video_and_sees_the_figures(client):
    video = make_video(title="Impurities")
    fan = make_user()
    client.force_login(fan)

    response = client.post(_rate_url(video), {"score": "9"}, follow=True)

    body = response.content.decode()
    assert "You rated “Impurities” 4.5 out of 5." in body
    assert "You gave it 4.5 out of 5." in body
    assert "from 1 rating" in body
    video.refresh_from_db()
    assert (video.rating_count, video.rating_sum) == (1, 9)
    assert video.rating_histogram == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]


def test_changing_and_removing_a_rating_keeps_one_row_and_exact_figures(client):
    video = make_video()
    make_rating(video=video, score=4)
    fan = make_user()
    client.force_login(fan)

    client.post(_rate_url(video), {"score": "10"})
    client.post(_rate_url(video), {"score": "6"})
    video.refresh_from_db()
    assert Rating.objects.filter(user=fan, video=video).count() == 1
    assert (video.rating_count, video.rating_sum) == (2, 10)
    assert video.rating_histogram[5] == 1
    assert video.rating_histogram[9] == 0

    client.post(_rate_url(video), {"remove": "1"})
    video.refresh_from_db()
    assert (video.rating_count, video.rating_sum) == (1, 4)
    assert not Rating.objects.filter(user=fan).exists()


@pytest.mark.parametrize("score", ["0", "11", "4.5", "", "five"])
def test_out_of_range_rating_is_refused_and_changes_nothing(client, score):
    video = make_video()
    client.force_login(make_user())
    response = client.post(_rate_url(video), {"score": score}, headers={"X-Fragment": "rating"})
    assert response.status_code == 400
    assert "Pick a rating from half a star to five stars." in response.content.decode()
    video.refresh_from_db()
    assert video.rating_count == 0
    assert not Rating.objects.exists()


def test_the_database_itself_refuses_a_second_rating_and_bad_scores():
    video, fan = make_video(), make_user()
    Rating.objects.create(user=fan, video=video, score=5)
    with pytest.raises(IntegrityError):
        Rating.objects.create(user=fan, video=video, score=6)


def test_the_database_refuses_a_score_out_of_range():
    with pytest.raises(IntegrityError):
        Rating.objects.create(user=make_user(), video=make_video(), score=11)


def test_drafts_and_unknown_videos_cannot_be_rated(client):
    draft = make_video(status=Status.DRAFT)
    client.force_login(make_user())
    assert client.post(_rate_url(draft), {"score": "8"}).status_code == 404
    assert client.post("/videos/no-such-video/rating/", {"score": "8"}).status_code == 404
    assert not Rating.objects.exists()


def test_visitors_are_sent_to_log_in_and_nothing_is_saved(client):
    video = make_video()
    response = client.post(_rate_url(video), {"score": "8"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Rating.objects.exists()
    page = client.get(video.get_absolute_url()).content.decode()
    assert "Log in to rate this video" in page


def test_rating_needs_csrf():
    video, fan = make_video(), make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(fan)
    assert client.post(_rate_url(video), {"score": "8"}).status_code == 403
    assert not Rating.objects.exists()


def test_in_place_update_returns_just_the_widget(client):
    video = make_video()
    client.force_login(make_user())
    response = client.post(_rate_url(video), {"score": "7"}, headers={"X-Fragment": "rating"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="rating"')
    assert "<html" not in body
    assert "You gave it 3.5 out of 5." in body


def test_widget_works_without_javascript_as_a_plain_form(client):
    video = make_video()
    make_rating(video=video, score=8)
    client.force_login(make_user())
    body = client.get(video.get_absolute_url()).content.decode()
    assert f'action="{_rate_url(video)}"' in body
    assert 'type="radio" name="score"' in body
    assert "<legend>Your rating</legend>" in body
    assert '<span class="visually-hidden">half a star</span>' in body
    assert '<meter min="0" max="1" value="1">' in body  # the histogram bar for 4 stars


def test_the_histogram_lists_each_score_highest_first_for_visitors(client):
    video = make_video()
    for score in (10, 10, 3):
        make_rating(video=video, score=score)
    body = client.get(video.get_absolute_url()).content.decode()
    rows = re.findall(
        r'<tr><th scope="row">([0-9.]+)★</th><td><meter min="0" max="(\d+)" '
        r'value="(\d+)">\d+</meter></td><td>(\d+)</td></tr>',
        body,
    )
    assert [row[0] for row in rows] == ["5", "4.5", "4", "3.5", "3", "2.5", "2", "1.5", "1", "0.5"]
    assert rows[0] == ("5", "2", "2", "2")
    assert rows[8] == ("1", "2", "0", "0")
    assert rows[7] == ("1.5", "2", "1", "1")
    assert 'type="radio" name="score"' not in body  # the form is for signed-in fans


def test_rating_writes_are_rate_limited(client, monkeypatch):
    from community import ratelimit

    monkeypatch.setitem(ratelimit.WRITE_LIMITS, "rate", ratelimit.Limit("rate", 2, 60))
    video = make_video()
    client.force_login(make_user())
    for score in ("6", "7"):
        assert client.post(_rate_url(video), {"score": score}).status_code == 302
    response = client.post(_rate_url(video), {"score": "8"})
    assert response.status_code == 429
    assert "Slow down a little" in response.content.decode()
    assert Rating.objects.get().score == 7


def test_a_curators_save_does_not_overwrite_the_figures():
    video = make_video()
    stale = MusicVideo.objects.get(pk=video.pk)  # loaded before the fan rates
    make_rating(video=video, score=10)
    stale.title = "Renamed by a curator"
    stale.save()
    video.refresh_from_db()
    assert video.title == "Renamed by a curator"
    assert (video.rating_count, video.rating_sum) == (1, 10)


def test_top_chart_uses_a_weighted_score(client, settings):
    settings.TOP_MIN_VOTES = 3
    one_vote_wonder = make_video(title="One perfect vote")
    crowd_favourite = make_video(title="Crowd favourite")
    unloved = make_video(title="Mixed feelings")
    make_rating(video=one_vote_wonder, score=10)
    for score in (10, 9, 10, 9, 10):
        make_rating(video=crowd_favourite, score=score)
    for score in (4, 5, 3):
        make_rating(video=unloved, score=score)

    body = client.get(reverse("community:top")).content.decode()

    assert "One perfect vote" not in body  # fewer votes than the minimum
    assert body.index("Crowd favourite") < body.index("Mixed feelings")


def test_top_chart_empty_state(client):
    body = client.get(reverse("community:top")).content.decode()
    assert "Not enough ratings yet" in body


@pytest.mark.parametrize("n_videos", BUDGET_ROWS)
def test_top_and_video_page_query_budgets(client, django_assert_max_num_queries, n_videos):
    """Guards N+1: the chart and a rated video's page cost the same for few and many ratings."""
    fans = make_users(3)
    videos = make_videos(n_videos)
    make_ratings(
        ((fan, video) for video in videos for fan in fans), score=lambda _: random.randint(1, 10)
    )
    client.force_login(fans[0])
    client.get(videos[0].get_absolute_url())  # warm the content-type cache
    with django_assert_max_num_queries(5):
        assert client.get(reverse("community:top")).status_code == 200
    # the session: the fan, the page (a shared copy) and the fan's score come from the cache
    with django_assert_max_num_queries(1):
        assert client.get(videos[0].get_absolute_url()).status_code == 200


def _statements(captured):
    """The SQL a write ran, less the savepoints of the test's own transaction."""
    return [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_a_rating_write_is_three_statements_with_no_video_save_or_history():
    """Lock and read the fan's rating, write it, then one UPDATE of the figures: the video's row
    lock, which every fan of that video queues for, is taken by the last statement before the
    commit. (It was 31 statements through MusicVideo.save(): search text, deferred loads,
    history rows.)"""
    # Loaded as the login backend loads the signed-in fan: the write rule asks no query then.
    video, fan = make_video(), User.objects.with_email_state().get(pk=make_user().pk)
    history = video.history.count()
    for write in (
        lambda: rating_set(user=fan, video=video, score=5),  # new
        lambda: rating_set(user=fan, video=video, score=9),  # changed
        lambda: rating_remove(user=fan, video=video),
    ):
        with CaptureQueriesContext(connection) as captured:
            write()
        statements = _statements(captured)
        assert len(statements) == 3, statements
        assert statements[0].startswith('SELECT "community_rating"')
        if connection.features.has_select_for_update:
            assert statements[0].endswith("FOR UPDATE")
        assert statements[-1].startswith('UPDATE "catalog_musicvideo"')
        assert "historical" not in " ".join(statements)
    assert video.history.count() == history


def test_the_figures_moved_in_sql_match_a_recount():
    video = make_video()
    fans = [make_user() for _ in range(3)]
    for fan, score in zip(fans, (10, 1, 10), strict=True):
        rating_set(user=fan, video=video, score=score)
    rating_set(user=fans[0], video=video, score=4)  # 10 -> 4
    rating_set(user=fans[2], video=video, score=10)  # unchanged: nothing moves
    rating_remove(user=fans[1], video=video)
    rating_remove(user=fans[1], video=video)  # none left: nothing moves
    refresh_figures(video)
    shown = (video.rating_count, video.rating_sum, video.rating_histogram)
    assert shown == (2, 14, [0, 0, 0, 1, 0, 0, 0, 0, 0, 1]) == rating_recount(video)


def test_a_video_unpublished_since_it_was_read_takes_no_rating_and_keeps_its_figures():
    video, fan, other = make_video(), make_user(), make_user()
    rating_set(user=other, video=video, score=6)
    MusicVideo.objects.filter(pk=video.pk).update(status=Status.DRAFT)  # a curator, meanwhile

    with pytest.raises(NotAllowed):
        rating_set(user=fan, video=video, score=9)
    with pytest.raises(NotAllowed):
        rating_set(user=other, video=video, score=2)

    assert list(Rating.objects.values_list("user", "score")) == [(other.pk, 6)]
    refresh_figures(video)
    assert (video.rating_count, video.rating_sum) == (1, 6) == rating_recount(video)[:2]
    assert rating_remove(user=other, video=video)  # taking one back is fine (account deletion)
    refresh_figures(video)
    assert (video.rating_count, video.rating_sum, sum(video.rating_histogram)) == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
def test_a_double_submits_second_first_rating_starts_over_and_changes_the_first():
    """Two first ratings at once: the second finds no row, then its INSERT waits on the first's
    uncommitted one and fails once it commits. It starts over and changes that rating."""
    video, fan = make_video(), make_user()
    outcome = []

    def second() -> None:
        try:
            outcome.append(rating_set(user=fan, video=video, score=8).score)
        except Exception as error:  # surfaced below
            outcome.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():
        rating_set(user=fan, video=video, score=6)
        thread = threading.Thread(target=second)
        thread.start()
        _wait_for_an_insert_to_wait_on_a_lock()
    thread.join()

    assert outcome == [8]
    assert list(Rating.objects.filter(user=fan, video=video).values_list("score")) == [(8,)]
    refresh_figures(video)
    assert (video.rating_count, video.rating_sum, video.rating_histogram) == rating_recount(video)
    assert video.rating_count == 1


def _wait_for_an_insert_to_wait_on_a_lock() -> None:
    with connection.cursor() as cursor:
        for _ in range(200):
            # Inside a transaction the statistics are a snapshot: drop it to see the others now.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE 'INSERT INTO \"community_rating\"%%'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second rating never waited on the first's row")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
def test_concurrent_rates_rerates_and_removals_leave_exact_figures():
    video = make_video()
    fans = [make_user() for _ in range(4)]  # few fans: threads fight over the same rows
    errors = []
    start = threading.Barrier(8)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for _ in range(40):
                fan = rng.choice(fans)
                if rng.random() < 0.25:
                    rating_remove(user=fan, video=video)
                else:
                    rating_set(user=fan, video=video, score=rng.randint(1, 10))
        except Exception as error:  # surfaced below; a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    video.refresh_from_db()
    assert (video.rating_count, video.rating_sum, video.rating_histogram) == rating_recount(video)
    assert video.rating_count == Rating.objects.filter(video=video).count()
