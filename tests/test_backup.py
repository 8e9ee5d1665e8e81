"""A backup (what `make backup` writes) restores every fan's ratings, comments and lists."""

import pytest
from django.core.management import call_command

from catalog.models import MusicVideo
from community.models import Comment, Rating, User, Watchlist, WatchlistItem
from tests.factories import make_rating, make_user, make_video, make_watchlist


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(tmp_path):
    video = make_video(title="Impurities")
    fan = make_user(username="fearnot")
    make_rating(user=fan, video=video, score=9)
    Comment.objects.create(video=video, author=fan, body="The projection mapping!")
    make_watchlist(owner=fan, name="Comfort videos", videos=[video], is_public=False)
    backup = tmp_path / "backup.json"

    call_command(
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        "--exclude=sessions",
        "--exclude=admin.logentry",
        output=str(backup),
        verbosity=0,
    )
    call_command("flush", interactive=False, verbosity=0)
    assert not User.objects.exists()
    call_command("loaddata", str(backup), verbosity=0)

    fan = User.objects.get(username="fearnot")
    restored = MusicVideo.objects.get(title="Impurities")
    assert Rating.objects.get(user=fan).score == 9
    assert (restored.rating_count, restored.rating_sum) == (1, 9)
    assert Comment.objects.get(author=fan).body == "The projection mapping!"
    watchlist = Watchlist.objects.get(owner=fan)
    assert (watchlist.name, watchlist.is_public) == ("Comfort videos", False)
    assert WatchlistItem.objects.get(watchlist=watchlist).video == restored
    assert fan.check_password("correct horse battery staple")
