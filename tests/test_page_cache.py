"""Visitors' pages from the cache (foundation/page_cache.py): hits cost no query, signed-in fans
never share a page, and every write visitors would see shows at once."""

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from catalog.models import Status
from community.services import talk
from community.services.ratings import rating_set
from foundation import page_cache
from tests.factories import (
    make_credit,
    make_member,
    make_person,
    make_profile,
    make_release,
    make_staff,
    make_tag,
    make_tie_in,
    make_user,
    make_video,
)

pytestmark = pytest.mark.django_db

PAGES = ["/", "/videos/", "/videos/?sort=oldest&page=2", "/videos/impurities/"]


@pytest.fixture
def video():
    return make_video(
        title="Impurities", slug="impurities", published_on=datetime.date(2022, 11, 14)
    )


@pytest.mark.parametrize("path", PAGES)
def test_a_second_visitor_gets_the_page_from_the_cache_without_a_query(
    client, django_assert_num_queries, video, path
):
    first = client.get(path)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_head_shares_the_get_copy(client, django_assert_num_queries, video):
    client.get("/videos/impurities/")
    with django_assert_num_queries(0):
        assert client.head("/videos/impurities/").status_code == 200


def test_cached_pages_say_so_to_browsers_and_answer_304_when_unchanged(client, video):
    first = client.get("/videos/")
    second = client.get("/videos/")
    for response in (first, second):
        assert response["ETag"] == first["ETag"]
        assert set(response["Cache-Control"].split(", ")) == {
            "public",
            "max-age=0",
            "must-revalidate",
        }
        assert "Cookie" in response["Vary"]
    assert client.get("/videos/", headers={"if-none-match": first["ETag"]}).status_code == 304
    video.title = "Impurities (renamed)"
    video.save()
    assert client.get("/videos/", headers={"if-none-match": first["ETag"]}).status_code == 200


@pytest.mark.parametrize("path", [*PAGES, "/ko/videos/"])
def test_a_visitors_hit_is_answered_before_sessions_with_the_rendered_pages_headers(
    client, video, path
):
    """The hit is answered above the session, CSRF, language and message middleware, with the
    headers they gave the rendered page (fansite/middleware.py, VisitorPageMiddleware)."""
    first = client.get(path)
    second = client.get(path)
    assert not hasattr(second.wsgi_request, "session")  # answered before SessionMiddleware
    assert second.content == first.content
    mine = {"X-Request-ID"}
    assert {k: v for k, v in second.items() if k not in mine} == {
        k: v for k, v in first.items() if k not in mine
    }
    for header in ("Vary", "Content-Language", "X-Frame-Options", "Content-Security-Policy"):
        assert second[header]
    assert second["X-Request-ID"] != first["X-Request-ID"]


def test_visitors_the_middleware_treats_apart_still_go_through_it(client, video):
    client.get("/videos/")
    client.get("/videos/")  # kept whole
    # A malformed CSRF cookie is replaced, an empty session cookie deleted.
    client.cookies[settings.CSRF_COOKIE_NAME] = "not-a-token"
    response = client.get("/videos/")
    assert len(response.cookies[settings.CSRF_COOKIE_NAME].value) == 32
    client.cookies.clear()
    client.cookies[settings.SESSION_COOKIE_NAME] = ""
    response = client.get("/videos/")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 0
    client.cookies.clear()
    # Korean visitors on an English address are sent to the Korean page.
    response = client.get("/videos/?page=1", headers={"accept-language": "ko"})
    assert response.status_code == 302
    assert response["Location"] == "/ko/videos/?page=1"
    # A browser revalidating gets a 304 with the headers it always had.
    etag = client.get("/videos/")["ETag"]
    response = client.get("/videos/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response["Content-Language"] == "en"
    assert response["X-Frame-Options"] == "DENY"


def test_a_copy_kept_for_a_revalidating_browser_is_made_whole(client, video):
    etag = client.get("/videos/")["ETag"]
    cache.clear()
    assert client.get("/videos/", headers={"if-none-match": etag}).status_code == 304
    served = client.get("/videos/")  # from the view's copy, then kept whole
    assert hasattr(served.wsgi_request, "session")
    whole = client.get("/videos/")
    assert not hasattr(whole.wsgi_request, "session")
    assert whole.content == served.content
    assert whole["Vary"] == served["Vary"]


def test_unknown_or_repeated_parameters_are_rendered_every_time(client, video):
    for path in ["/?utm_source=feed", "/videos/?page=1&page=2", "/videos/?q=x"]:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        assert "ETag" not in response
        assert len(queries) > 0, path


def test_a_signed_in_fan_never_gets_nor_leaves_a_cached_page(
    client, django_assert_max_num_queries, video
):
    client.get("/videos/impurities/")  # a visitor's copy is stored
    fan = make_user(username="minji")
    client.force_login(fan)
    mine = client.get("/videos/impurities/")
    assert "@minji" in mine.content.decode()
    assert "Log in to rate this video" not in mine.content.decode()
    assert "private" in mine["Cache-Control"]
    assert "ETag" not in mine

    cache.clear()
    client.get("/videos/")  # the fan's page, rendered for them: stored nowhere
    client.logout()
    client.cookies.clear()
    visitor = client.get("/videos/")
    assert "@minji" not in visitor.content.decode()
    assert "ETag" in visitor  # the visitor's copy, not the fan's


def test_a_visitor_with_a_message_waiting_gets_it(client, video):
    client.get("/")
    client.cookies["messages"] = "anything"
    response = client.get("/")
    assert "ETag" not in response
    assert "private" in response["Cache-Control"]


def test_a_curators_edit_shows_at_once(client, video):
    assert "Impurities" in client.get("/videos/impurities/").content.decode()
    client.get("/videos/")
    video.title = "Impurities (Performance ver.)"
    video.save()
    assert "Impurities (Performance ver.)" in client.get("/videos/impurities/").content.decode()
    assert "Impurities (Performance ver.)" in client.get("/videos/").content.decode()

    video.members.add(make_member(stage_name="KIM CHAEWON", slug="kim-chaewon"))
    assert "KIM CHAEWON" in client.get("/videos/impurities/").content.decode()

    video.status = Status.DRAFT
    video.save()
    assert client.get("/videos/impurities/").status_code == 404
    assert "Impurities" not in client.get("/videos/").content.decode()


def test_a_new_rating_shows_at_once(client, video):
    assert "No ratings yet" in client.get("/videos/impurities/").content.decode()
    rating_set(user=make_user(), video=video, score=8)
    assert "from 1 rating" in client.get("/videos/impurities/").content.decode()
    rating_set(user=make_user(), video=video, score=10)
    assert "from 2 ratings" in client.get("/videos/impurities/").content.decode()


def test_comments_hidden_deleted_liked_and_renamed_show_at_once(client, video):
    fan = make_user(username="yunjin_fan")
    comment = talk.comment_create(author=fan, video=video, body="The bridge at 2:01!")
    page = client.get("/videos/impurities/").content.decode()
    assert "The bridge at 2:01!" in page
    assert "0 likes" in page

    talk.comment_like(user=make_user(), comment=comment)
    assert "1 like<" in client.get("/videos/impurities/").content.decode()

    make_profile(user=fan, display_name="Yunjin forever")
    assert "Yunjin forever" in client.get("/videos/impurities/").content.decode()

    moderator = make_staff()
    talk.comment_hide(comment=comment, moderator=moderator)
    assert "The bridge at 2:01!" not in client.get("/videos/impurities/").content.decode()

    talk.comment_restore(comment=comment, moderator=moderator)
    assert "The bridge at 2:01!" in client.get("/videos/impurities/").content.decode()
    talk.comment_delete(comment=comment, user=fan)
    assert "The bridge at 2:01!" not in client.get("/videos/impurities/").content.decode()


def test_logins_and_settings_that_pages_dont_show_keep_the_cache(client, video):
    fan = make_user()
    client.get("/")
    generation = cache.get(page_cache.GENERATION_KEY)
    fan.last_login = datetime.datetime.now(datetime.UTC)
    fan.save(update_fields=["last_login"])
    fan.language = "ko"
    fan.save(update_fields=["language"])
    assert cache.get(page_cache.GENERATION_KEY) == generation
    fan.username = "renamed"
    fan.save(update_fields=["username"])
    assert cache.get(page_cache.GENERATION_KEY) != generation


def test_languages_never_mix(client, django_assert_num_queries, video):
    english = client.get("/videos/impurities/")
    korean = client.get("/ko/videos/impurities/")
    japanese = client.get("/ja/videos/impurities/")
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="ko">' in korean.content.decode()
    assert '<html lang="ja">' in japanese.content.decode()
    with django_assert_num_queries(0):
        assert client.get("/ko/videos/impurities/").content == korean.content
        assert client.get("/videos/impurities/").content == english.content
    # An English address, asked for by a Korean browser, is not the cached English page.
    response = client.get("/videos/impurities/", headers={"accept-language": "ko"})
    assert response.status_code == 302
    assert response["Location"] == "/ko/videos/impurities/"


# ---- The decorator on its own -------------------------------------------------------------------


def _counted(view):
    calls = []

    def counting(request):
        calls.append(request)
        return view(request)

    return page_cache.for_visitors()(counting), calls


def _request(path="/page/", **extra):
    request = RequestFactory().get(path, **extra)
    request.COOKIES.update(extra.pop("cookies", {}))
    return request


def test_a_page_that_sets_a_cookie_or_carries_a_csrf_token_is_not_stored():
    def sets_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    def with_token(request):
        return HttpResponse(f"token {get_token(request)}")

    for view in (sets_cookie, with_token):
        cached, calls = _counted(view)
        for _ in range(2):
            response = cached(_request())
        assert len(calls) == 2, view.__name__
        assert "private" in response["Cache-Control"]


def test_only_200s_from_plain_visits_are_stored():
    cached, calls = _counted(lambda request: HttpResponse("hello"))
    for _ in range(3):
        assert cached(_request()).content == b"hello"
    assert len(calls) == 1  # then from the cache

    cached(_request(HTTP_COOKIE="sessionid=abc"))
    cached(RequestFactory().post("/page/"))
    assert len(calls) == 3

    missing, calls = _counted(lambda request: HttpResponse("gone", status=404))
    missing(_request("/missing/"))
    missing(_request("/missing/"))
    assert len(calls) == 2


def test_the_benchmark_can_ask_for_the_page_as_rendered():
    cached, calls = _counted(lambda request: HttpResponse("hello"))
    cached(_request())
    cached(_request(**{page_cache.SKIP: True}))
    assert len(calls) == 2


def test_a_lost_generation_never_revives_old_copies():
    cached, calls = _counted(lambda request: HttpResponse("hello"))
    cached(_request())
    cache.delete(page_cache.GENERATION_KEY)  # evicted
    cached(_request())
    assert len(calls) == 2


def test_loading_the_catalog_bumps_once(monkeypatch, django_capture_on_commit_callbacks):
    bumps = []
    monkeypatch.setattr(page_cache, "bump", lambda: bumps.append(1))
    monkeypatch.setattr(page_cache._local, "stored", False, raising=False)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_catalog", verbosity=0)
    assert len(bumps) == 1


# ---- The talk under a video: kept until that video's talk changes -------------------------------

RENDERED = {page_cache.SKIP: True}  # the page itself rendered, as after a write elsewhere


def _talk_queries(client, path, **extra):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(path, **RENDERED, **extra).content.decode()
    return page, [q["sql"] for q in queries if "community_comment" in q["sql"]]


def test_the_talk_outlives_writes_elsewhere_and_not_its_own(client, video):
    fan = make_user(username="yunjin_fan")
    comment = talk.comment_create(author=fan, video=video, body="The bridge at 2:01!")
    first, read = _talk_queries(client, "/videos/impurities/")
    assert "The bridge at 2:01!" in first
    assert read  # the first visitor's page reads the comments

    # A rating on another video makes every page stale, but not this talk.
    rating_set(user=make_user(), video=make_video(), score=8)
    second, read = _talk_queries(client, "/videos/impurities/")
    assert read == []
    assert second == first

    # Its own talk changing shows at once: a comment, a like, an unlike, a hide, a rename.
    talk.comment_create(author=fan, video=video, body="And the ending")
    page, read = _talk_queries(client, "/videos/impurities/")
    assert "And the ending" in page
    assert read
    liker = make_user()
    talk.comment_like(user=liker, comment=comment)
    assert "1 like<" in _talk_queries(client, "/videos/impurities/")[0]
    talk.comment_unlike(user=liker, comment=comment)
    assert "1 like<" not in _talk_queries(client, "/videos/impurities/")[0]
    talk.comment_hide(comment=comment, moderator=make_staff())
    assert "The bridge at 2:01!" not in _talk_queries(client, "/videos/impurities/")[0]
    make_profile(user=fan, display_name="Yunjin forever")
    assert "Yunjin forever" in _talk_queries(client, "/videos/impurities/")[0]

    # Each sort and page of the talk is its own.
    oldest, _ = _talk_queries(client, "/videos/impurities/?sort=oldest")
    newest, _ = _talk_queries(client, "/videos/impurities/")
    assert oldest.index("Removed by a moderator") < oldest.index("And the ending")
    assert newest.index("And the ending") < newest.index("Removed by a moderator")


def test_fans_get_their_own_talk_and_visitors_never_see_it(client, video):
    fan = make_user(username="yunjin_fan")
    talk.comment_create(author=fan, video=video, body="The bridge at 2:01!")
    before = client.get("/videos/impurities/", **RENDERED).content.decode()
    client.force_login(fan)
    mine = client.get("/videos/impurities/").content.decode()
    assert "Post comment" in mine
    assert "csrfmiddlewaretoken" in mine
    client.logout()
    after = client.get("/videos/impurities/", **RENDERED).content.decode()
    for page in (before, after):
        assert "Log in to join the conversation" in page
        assert "Post comment" not in page
        assert "csrfmiddlewaretoken" not in page


def test_the_talk_is_kept_per_language(client, video):
    talk.comment_create(author=make_user(), video=video, body="The bridge at 2:01!")
    english = client.get("/videos/impurities/", **RENDERED).content.decode()
    korean = client.get("/ko/videos/impurities/", **RENDERED).content.decode()
    assert "Log in to join the conversation" in english
    assert "로그인하고 대화에 참여하기" in korean
    assert "Log in to join the conversation" not in korean


def test_the_benchmark_can_ask_for_the_talk_rendered_from_scratch(client, video):
    talk.comment_create(author=make_user(), video=video, body="The bridge at 2:01!")
    client.get("/videos/impurities/", **RENDERED)
    _, read = _talk_queries(client, "/videos/impurities/", **{page_cache.SKIP_FRAGMENTS: True})
    assert read


# ---- The catalog's share of a video page: kept until a curator's edit ---------------------------

CATALOG_TABLES = (
    "catalog_credit",
    "catalog_member",
    "catalog_tag",
    "catalog_tiein",
    "externallink",
)


def _catalog_queries(client, path, **extra):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(path, **RENDERED, **extra).content.decode()
    return page, [q["sql"] for q in queries if any(t in q["sql"] for t in CATALOG_TABLES)]


def test_the_catalog_part_outlives_fans_writes(client, video):
    make_credit(video=video, role="director", credited_as="Jimmy Hwang")
    first, read = _catalog_queries(client, "/videos/impurities/")
    assert "Jimmy Hwang" in first
    assert read

    # Ratings and comments, here or elsewhere, re-render the page but not the catalog's part.
    rating_set(user=make_user(), video=video, score=8)
    talk.comment_create(author=make_user(), video=video, body="The bridge at 2:01!")
    page, read = _catalog_queries(client, "/videos/impurities/")
    assert read == []
    assert "Jimmy Hwang" in page
    assert "from 1 rating" in page
    assert "The bridge at 2:01!" in page


def test_curators_edits_to_credits_themes_tie_ins_and_links_show_at_once(client, video):
    person = make_person(name="Nile Rodgers")
    client.get("/videos/impurities/", **RENDERED)

    make_credit(video=video, role="featured", person=person)
    page = client.get("/videos/impurities/", **RENDERED).content.decode()
    assert "<title>Impurities (feat. Nile Rodgers)" in page

    person.name = "Nile Rodgers Jr."
    person.save()
    video.themes.add(make_tag(name="Self-love"))
    make_tie_in(name="Crimson Heart").videos.add(video)
    video.links.create(site="wikipedia", url="https://example.org/impurities", label="Notes")
    page = client.get("/videos/impurities/", **RENDERED).content.decode()
    for shown in (
        "(feat. Nile Rodgers Jr.)",
        "Self-love",
        "Crimson Heart",
        "example.org/impurities",
    ):
        assert shown in page


def test_the_catalog_part_is_kept_per_language_and_never_for_staff(client, video):
    video.description, video.description_ko = "Who we are", "우리는 누구인가"
    video.save()
    assert "Who we are" in client.get("/videos/impurities/", **RENDERED).content.decode()
    assert "우리는 누구인가" in client.get("/ko/videos/impurities/", **RENDERED).content.decode()

    video.status = Status.DRAFT
    video.save()
    client.force_login(make_staff())
    page, read = _catalog_queries(client, "/videos/impurities/")
    assert "Draft" in page
    assert read
    _, read = _catalog_queries(client, "/videos/impurities/")
    assert read  # rendered for staff every time


def test_the_benchmark_can_ask_for_the_catalog_part_rendered_from_scratch(client, video):
    make_credit(video=video, role="director", credited_as="Jimmy Hwang")
    client.get("/videos/impurities/", **RENDERED)
    _, read = _catalog_queries(client, "/videos/impurities/", **{page_cache.SKIP_FRAGMENTS: True})
    assert read


# ---- The header and the rating widget, kept for visitors ----------------------------------------


def test_visitors_header_is_kept_per_address_and_fans_get_their_own(client, video):
    first = client.get("/videos/impurities/?sort=oldest", **RENDERED).content.decode()
    assert 'href="/accounts/login/?next=/videos/impurities/%3Fsort%3Doldest"' in first
    other = client.get("/videos/", **RENDERED).content.decode()
    assert 'href="/accounts/login/?next=/videos/"' in other
    assert 'href="/accounts/login/?next=/videos/impurities/' not in other
    korean = client.get("/ko/videos/impurities/", **RENDERED).content.decode()
    assert "로그인" in korean

    fan = make_user(username="yunjin_fan")
    client.force_login(fan)
    mine = client.get("/videos/impurities/?sort=oldest").content.decode()
    assert "@yunjin_fan" in mine
    assert "?next=/videos/impurities/%3Fsort%3Doldest" not in mine.split("</header>")[0]
    client.logout()
    again = client.get("/videos/impurities/?sort=oldest", **RENDERED).content.decode()
    assert "@yunjin_fan" not in again


def test_visitors_rating_widget_always_shows_the_current_figures(client, video):
    page = client.get("/videos/impurities/", **RENDERED).content.decode()
    assert "No ratings yet" in page
    rating_set(user=make_user(), video=video, score=8)
    page = client.get("/videos/impurities/", **RENDERED).content.decode()
    assert "from 1 rating" in page
    assert "Log in to rate this video" in page

    fan = make_user()
    rating_set(user=fan, video=video, score=10)
    client.force_login(fan)
    mine = client.get("/videos/impurities/").content.decode()
    assert "from 2 ratings" in mine
    assert "You gave it 5 out of 5." in mine


def test_visitors_video_filters_are_kept_until_the_catalog_changes(client, video):
    def filters(path):
        response = client.get(path, **RENDERED)
        rendered = "includes/filter_fields.html" in [t.name for t in response.templates]
        return response.content.decode().split('class="filters"')[1].split("</form>")[0], rendered

    form, rendered = filters("/videos/")
    assert rendered
    assert "ANTIFRAGILE" not in form
    assert filters("/videos/")[1] is False

    make_release(title="ANTIFRAGILE", slug="antifragile")
    form, rendered = filters("/videos/")
    assert rendered
    assert "ANTIFRAGILE" in form

    # Per address: the values chosen, and the note on those not understood.
    form, _ = filters("/videos/?release=antifragile")
    assert 'value="antifragile" selected' in form
    assert "were not understood" in filters("/videos/?release=nothing")[0]
    assert "were not understood" not in filters("/videos/")[0]
