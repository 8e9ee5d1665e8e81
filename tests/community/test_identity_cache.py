"""The signed-in fan's row kept in the cache (community/identity.py): a request with it warm runs no
query to know who is asking, and every write to the fan shows on the very next request: a new
password signs their other browsers out, a suspension stops their writing, a confirmed address
starts it, a new language or name shows at once; two fans never get each other's row, and
without Redis fans are still signed in, from the database."""

import shutil
import time

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import identity
from community.models import Comment, Rating, User
from tests.factories import make_profile, make_staff, make_totp, make_user, make_video
from tests.test_cache_outage import back_in_use, server  # noqa: F401  # a fixture

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a fresh password for HOT"
FANS = reverse("admin:community_user_changelist")


def user_queries(client, path="/"):
    """The response to GET `path`, and the queries it ran on the fans' table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, [q["sql"] for q in queries if 'FROM "community_user"' in q["sql"]]


def signed_in(user, path="/"):
    """A browser signed in as `user` that has asked for a page, so the cache holds them."""
    client = Client()
    client.force_login(user)
    assert client.get(path).status_code in (200, 302)
    return client


def is_signed_in(client):
    """Whether the fan's own settings page opens (else it sends them to log in)."""
    return client.get(reverse("community:settings")).status_code == 200


def comment(client, video, body="Hello"):
    return client.post(reverse("community:comment-create", args=[video.slug]), {"body": body})


def test_a_warm_cache_knows_the_fan_without_a_query():
    fan = make_user(username="yunjin")
    client = Client()
    client.force_login(fan)
    first, cold = user_queries(client)
    second, warm = user_queries(client)
    assert len(cold) == 1
    assert warm == []
    assert "yunjin" in first.content.decode()
    assert "yunjin" in second.content.decode()


def test_the_cache_keeps_no_password_hash():
    fan = make_user()
    signed_in(fan)
    kept = repr(identity.cache.get(identity._entry_key(fan.pk)))
    assert fan.username in kept
    assert fan.password not in kept
    assert fan.password.split("$")[-1] not in kept


def test_two_fans_never_get_each_others_row():
    chaewon, sakura = make_user(username="chaewon"), make_user(username="sakura")
    browsers = {"chaewon": signed_in(chaewon), "sakura": signed_in(sakura)}
    for _round in range(2):
        for name, client in browsers.items():
            page, queries = user_queries(client)
            other = "sakura" if name == "chaewon" else "chaewon"
            assert f"@{name}" in page.content.decode() or name in page.content.decode()
            assert other not in page.content.decode()
            assert queries == []
            assert client.session[SESSION_KEY] == str(User.objects.get(username=name).pk)


def test_a_new_password_signs_the_other_browsers_out_at_once():
    fan = make_user()
    make_profile(fan)
    here, elsewhere = signed_in(fan), signed_in(fan)
    data = {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}

    response = here.post(reverse("password_change"), data)  # the old one checked: loaded now

    assert response.status_code == 302
    assert elsewhere.get("/").status_code == 200
    assert not is_signed_in(elsewhere)
    assert is_signed_in(here)
    assert here.get("/").status_code == 200
    assert is_signed_in(here)


def test_a_suspension_stops_the_fan_writing_on_the_next_request():
    video = make_video()
    fan = make_user()
    moderator = make_staff()
    fans_browser = signed_in(fan, video.get_absolute_url())
    assert comment(fans_browser, video, "Before").status_code in (200, 302)
    assert Comment.objects.count() == 1

    desk = signed_in(moderator)
    desk.post(FANS, {"action": "suspend", "_selected_action": [fan.pk], "note": "Spam links"})

    refused = comment(fans_browser, video, "After")
    assert refused.status_code == 403
    assert "Your account is suspended" in refused.content.decode()
    assert Comment.objects.count() == 1

    desk.post(FANS, {"action": "unsuspend", "_selected_action": [fan.pk], "note": ""})
    comment(fans_browser, video, "Back")
    assert Comment.objects.count() == 2


def test_confirming_the_address_lets_the_fan_rate_on_the_next_request():
    video = make_video()
    fan = make_user(email_verified=False)
    client = signed_in(fan, video.get_absolute_url())
    rate = reverse("community:rate", args=[video.slug])
    client.post(rate, {"score": "9"})
    assert not Rating.objects.exists()

    EmailAddress.objects.get(user=fan).set_verified()  # as allauth's confirmation does

    client.post(rate, {"score": "9"})
    assert Rating.objects.get().user == fan

    EmailAddress.objects.filter(user=fan).get().delete()
    client.post(rate, {"score": "4"})
    assert Rating.objects.get().score == 9


def test_the_saved_language_follows_on_the_next_request():
    fan = make_user()
    reading, settings_page = signed_in(fan), signed_in(fan)
    assert reading.get("/").status_code == 200

    settings_page.post(reverse("switch-language"), {"language": "ko", "next": "/"})

    response = reading.get("/videos/")
    assert response.status_code == 302
    assert response["Location"] == "/ko/videos/"


def test_a_new_username_shows_on_the_next_request():
    fan = make_user(username="garam")
    client = signed_in(fan)
    fan.username = "hongeun"
    fan.save(update_fields=["username"])
    page = client.get("/").content.decode()
    assert "hongeun" in page
    assert "garam" not in page


def test_a_deactivated_fan_is_signed_out_on_the_next_request():
    fan = make_user()
    client = signed_in(fan)
    fan.is_active = False
    fan.save()
    client.get("/")
    assert not is_signed_in(client)


def test_a_deleted_fan_is_signed_out_on_the_next_request():
    fan = make_user()
    client = signed_in(fan)
    User.objects.filter(pk=fan.pk).delete()  # the admin's "delete selected" does this
    client.get("/")
    assert not is_signed_in(client)


def test_staff_who_lose_the_flag_lose_the_admin_on_the_next_request():
    staff = make_staff()
    client = signed_in(staff, reverse("admin:index"))
    assert client.get(reverse("admin:index")).status_code == 200
    staff.is_staff = False
    staff.save(update_fields=["is_staff"])
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_write_committing_while_the_row_is_read_is_not_hidden_by_the_entry_stored_after():
    """The version is read before the row: a write landing between the read and the store
    leaves the stored entry stale, and the next request reads the row again."""
    fan = make_user(username="before")
    written = []

    def rename_after_the_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if 'FROM "community_user"' in sql and not written:
            written.append(True)
            renamed = User.objects.get(pk=fan.pk)
            renamed.username = "after"
            renamed.save(update_fields=["username"])
        return result

    with connection.execute_wrapper(rename_after_the_read):
        assert identity.fan(fan.pk).username == "before"  # read just before the write
    assert written
    assert identity.fan(fan.pk).username == "after"
    assert identity.fan(fan.pk).username == "after"  # and kept


def test_a_migration_forgets_every_kept_fan():
    fan = make_user(username="before")
    assert identity.fan(fan.pk).username == "before"
    User.objects.filter(pk=fan.pk).update(username="after")  # as a data migration might
    identity.forget_all()  # post_migrate
    assert identity.fan(fan.pk).username == "after"


# ---- Kept at logging in -------------------------------------------------------------------------

LOGIN = reverse("account_login")


def log_in(client, fan, on_commit, password=PASSWORD):
    """Log `fan` in through the login page, running what waits for the commit (as a request
    outside a test's transaction does)."""
    with on_commit(execute=True):
        response = client.post(LOGIN, {"login": fan.username, "password": password})
    assert response.status_code == 302
    return response


def test_a_fans_first_page_after_logging_in_reads_no_row_of_theirs(
    django_capture_on_commit_callbacks,
):
    fan = make_user(username="yunjin")
    client = Client()
    log_in(client, fan, django_capture_on_commit_callbacks)
    first, queries = user_queries(client)
    assert queries == []
    assert "yunjin" in first.content.decode()
    assert is_signed_in(client)


def test_a_write_between_logging_in_and_the_first_page_shows_on_it(
    django_capture_on_commit_callbacks,
):
    fan = make_user(username="before")
    client = Client()
    log_in(client, fan, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        fan.username = "after"
        fan.save(update_fields=["username"])
    response, _ = user_queries(client)
    html = response.content.decode()
    assert f'href="{reverse("community:profile", args=["after"])}"' in html  # the header's link
    assert f'href="{reverse("community:profile", args=["before"])}"' not in html
    suspended = User.objects.get(pk=fan.pk)
    suspended.is_active = False
    suspended.save(update_fields=["is_active"])  # its bump after the commit never runs here
    assert not is_signed_in(client)


def test_a_write_committing_while_logging_in_keeps_the_row_is_not_hidden(
    django_capture_on_commit_callbacks,
):
    """The row kept at logging in is read as on a miss, the version first: a write committing
    between that read and the row's leaves the entry stale."""
    fan = make_user(username="before")
    written = []

    def rename_after_the_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("SELECT") and 'FROM "community_user"' in sql and not written:
            written.append(True)
            renamed = User.objects.get(pk=fan.pk)
            renamed.username = "after"
            renamed.save(update_fields=["username"])
        return result

    client = Client()
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(LOGIN, {"login": "before", "password": PASSWORD})
    with connection.execute_wrapper(rename_after_the_read):
        for callback in callbacks:
            callback()
    assert written
    response, queries = user_queries(client)
    assert len(queries) == 1  # the entry kept at logging in was stale
    assert "after" in response.content.decode()


def test_a_fan_with_an_authenticator_app_is_kept_once_the_code_is_right(
    django_capture_on_commit_callbacks,
):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    fan = make_user(username="chaewon")
    secret = make_totp(fan).data["secret"]
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(LOGIN, {"login": "chaewon", "password": PASSWORD})
    assert not identity_kept(fan)  # nobody is logged in until the code is right
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert identity_kept(fan)
    _, queries = user_queries(client)
    assert queries == []


def identity_kept(fan):
    with CaptureQueriesContext(connection) as queries:
        kept = identity.fan(fan.pk)
    return kept is not None and not queries


# ---- Without Redis ------------------------------------------------------------------------------

needs_redis = [
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL), as in CI"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


@needs_redis[0]
@needs_redis[1]
def test_fans_are_signed_in_from_the_database_while_redis_is_away(server):  # noqa: F811
    fan = make_user(username="kazuha")
    client = signed_in(fan)
    assert server.keys("identity:")

    server.stop()
    page, queries = user_queries(client)
    assert "kazuha" in page.content.decode()
    assert len(queries) == 1  # from the database
    assert is_signed_in(client)


@needs_redis[0]
@needs_redis[1]
def test_a_new_password_while_redis_is_away_still_signs_the_others_out_when_it_is_back(
    server,  # noqa: F811
):
    fan = make_user()
    make_profile(fan)
    here, elsewhere = signed_in(fan), signed_in(fan)
    assert server.keys("identity:")

    server.pause()  # hung: it keeps the entry, and the version it was read under
    data = {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert here.post(reverse("password_change"), data).status_code == 302
    server.resume()
    back_in_use()

    elsewhere.get("/")
    assert not is_signed_in(elsewhere)
    here.get("/")
    assert is_signed_in(here)
