"""A word longer than the screen, in anything a fan writes, wraps on a phone: no page gets wider
than the phone (it was 15,000 to 31,000 pixels wide)."""

import pytest

from community.models import Comment, Profile
from tests.factories import make_user, make_video, make_watchlist

pytestmark = pytest.mark.django_db(transaction=True)

WORD = "ANTIFRAGILE" * 300  # 3,300 letters with no place to break


def test_long_unbroken_words_never_widen_a_page_on_a_phone(site):
    video = make_video(slug="smart", title="Smart")
    fan = make_user(username="longword")
    Profile.objects.update_or_create(user=fan, defaults={"bio": WORD, "display_name": WORD[:60]})
    watchlist = make_watchlist(owner=fan, name=WORD[:80], description=WORD, videos=[video])
    watchlist.items.update(note=WORD[:280])
    Comment.objects.create(video=video, author=fan, body=WORD)
    video.comment_count = 1
    video.save()
    page = site.new_page("phone")

    for path in ("/u/longword/", f"/lists/{watchlist.pk}/", "/lists/", "/videos/smart/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
