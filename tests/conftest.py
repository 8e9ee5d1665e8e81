import contextlib

import pytest


@pytest.fixture(scope="session", autouse=True)
def _static_files_from_their_sources():
    """Static files straight from the source folders, as the development server serves them, so
    the suite needs no collectstatic: WhiteNoise finds them, unhashed. Production's hashed,
    compressed copies are collectstatic's work (`make serve`)."""
    from django.conf import settings
    from django.test import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, WHITENOISE_USE_FINDERS=True):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the test database is a file, never Django's default in-memory one.

    An in-memory database lives in one connection, so the browser tests' live server would hand
    that one connection to all its request threads. A lock made them take turns, but not the
    live streams' requests (a stream stays open), so a page and its stream's poll could run on
    one connection at once, sharing its transaction: no deployment works that way, and a browser
    test now and then saw a comment just written go missing. On a file every thread opens its own
    connection and SQLite's locks take turns, as under `make run`. The folder is the run's own
    (one per xdist worker)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files land in a per-test folder, never in the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run inside the test (whatever TASKS_BACKEND says), so their e-mail lands
    in mail.outbox."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _force_login_keeps_the_second_factor(monkeypatch):
    """client.force_login(user) for a user carrying a `two_factor_authenticator` (staff from
    tests.factories) records the second step in the session, as allauth does after a right code
    at login."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from django.test import Client

    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        authenticator = getattr(user, "two_factor_authenticator", None)
        if authenticator is not None:
            session = self.session
            session[AUTHENTICATION_METHODS_SESSION_KEY] = [
                {"method": "password", "at": time.time(), "username": user.username},
                {"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": "totp"},
            ]
            session["account_authentication_methods_user"] = str(user.pk)
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request to /ko/… or /ja/… leaves its language active on the thread; each test starts in
    English so reverse() and messages don't depend on the test before."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@contextlib.contextmanager
def lazy_loads_raise():
    """Inside: Django 6.1's FETCH_RAISE fetch mode wherever the default FETCH_ONE would run a
    query, so touching a relation or deferred field that wasn't fetched raises FieldFetchBlocked.

    Django documents fetch modes per queryset (QuerySet.fetch_mode()) and has no setting for a
    default, so this swaps two internals for the block: the mode new querysets start with
    (django.db.models.query.DEFAULT_FETCH_MODE), and FETCH_ONE's own fetch, for instances that
    still carry it (querysets built at import time, like a viewset's `queryset`, and objects
    made in Python). An attribute error here means a Django upgrade moved them. A queryset
    that asks for FETCH_PEERS keeps it.
    """
    from django.db.models import FETCH_RAISE, fetch_modes, query

    default, fetch_one = query.DEFAULT_FETCH_MODE, fetch_modes.FetchOne.fetch
    query.DEFAULT_FETCH_MODE = FETCH_RAISE
    fetch_modes.FetchOne.fetch = fetch_modes.FetchRaise.fetch
    try:
        yield
    finally:
        query.DEFAULT_FETCH_MODE = default
        fetch_modes.FetchOne.fetch = fetch_one


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries):
    """pytest-django's query budget, with lazy loads failing loudly inside it (see
    lazy_loads_raise): a budget test names the query that would have been an N+1, not only
    the count."""

    @contextlib.contextmanager
    def strict_budget(num, *args, **kwargs):
        with lazy_loads_raise(), django_assert_max_num_queries(num, *args, **kwargs) as context:
            yield context

    return strict_budget
