"""Moving accounts onto allauth (community migration 0008): a database made by the schema before
it, with fans as the old site left them, migrates forward and every fan signs in as before."""

import base64
import secrets
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from community.models import User

PASSWORD = "correct horse battery staple"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
BEFORE = [
    ("community", "0007_comment_reply_order_idx"),
    ("account", "0009_emailaddress_unique_primary_email"),
    ("mfa", "0003_authenticator_type_uniq"),
    ("otp_totp", "0003_add_timestamps"),
    ("otp_static", "0003_add_timestamps"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def code_for(key_hex: str) -> str:
    """What the fan's phone shows now for the secret django-otp gave it (hex there)."""
    secret = base64.b32encode(bytes.fromhex(key_hex)).decode()
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def old_session(user_id: int, password_hash: str) -> str:
    """A session as Django's login made it before allauth: Django's own backend named in it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user_id)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        password_hash,
        algorithm="sha256",
    ).hexdigest()
    session.create()
    assert session.session_key is not None
    return session.session_key


@pytest.fixture(scope="module")
def migrated(django_db_setup, django_db_blocker):
    """Fans as the site before allauth left them, then the database migrated forward: once for
    the module (migrating is slow), emptied again afterwards."""
    with django_db_blocker.unblock():
        made = _made_before_and_migrated()
        yield made
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def old_database(migrated, db):
    return migrated


def _made_before_and_migrated():
    old = migrate(BEFORE)
    user_model = old.get_model("community", "User")
    totp_model = old.get_model("otp_totp", "TOTPDevice")
    static_model = old.get_model("otp_static", "StaticDevice")
    token_model = old.get_model("otp_static", "StaticToken")
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):  # as tests/conftest.py has them
        password = make_password(PASSWORD)

    def fan(username, email, confirmed):
        return user_model.objects.create(
            username=username,
            email=email,
            password=password,
            email_confirmed_at=timezone.now() if confirmed else None,
        )

    fans = {
        "confirmed": fan("Chaewon", "Chaewon@Example.com", True),
        "unconfirmed": fan("sakura", "sakura@example.com", False),
        "two_factor": fan("yunjin", "yunjin@example.com", True),
        "no_email": fan("kazuha", "", False),
        "twin": fan("eunchae", "chaewon@example.com", True),  # the same address, admin-made
    }
    key = secrets.token_hex(20)
    totp_model.objects.create(user=fans["two_factor"], name="app", key=key, confirmed=True)
    totp_model.objects.create(user=fans["confirmed"], name="app", confirmed=False)  # never set up
    backup = static_model.objects.create(user=fans["two_factor"], name="codes", confirmed=True)
    token_model.objects.create(device=backup, token="abcd2345")
    token_model.objects.create(device=backup, token="wxyz6789")
    session_key = old_session(fans["confirmed"].pk, password)

    migrate(latest())
    return {"key": key, "session": session_key}


def log_in(client, login):
    return client.post(reverse("account_login"), {"login": login, "password": PASSWORD})


def test_every_fan_logs_in_with_their_password_as_before(client, old_database):
    for login in ("Chaewon", "sakura", "kazuha", "chaewon@example.com"):
        response = log_in(client, login)
        assert response.status_code == 302, login
        assert response["Location"] == reverse("home")
        client.logout()


def test_confirmed_addresses_stay_confirmed_and_unconfirmed_ones_do_not(old_database):
    assert User.objects.get(username="Chaewon").has_confirmed_email
    assert User.objects.get(username="Chaewon").email == "chaewon@example.com"
    assert User.objects.get(username="yunjin").has_confirmed_email
    assert not User.objects.get(username="sakura").has_confirmed_email
    assert not User.objects.get(username="kazuha").has_confirmed_email
    # One address can be confirmed for one account only: the first to confirm it keeps it.
    assert not User.objects.get(username="eunchae").has_confirmed_email


def test_two_factor_is_still_asked_and_the_phones_code_works(client, old_database):
    response = log_in(client, "yunjin")
    assert response["Location"] == reverse("mfa_authenticate")
    assert SESSION_KEY not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": code_for(old_database["key"])})

    assert response["Location"] == reverse("home")
    assert SESSION_KEY in client.session


def test_old_backup_codes_work_once_in_any_case(client, old_database):
    log_in(client, "yunjin")
    client.post(reverse("mfa_authenticate"), {"code": "ABCD-2345"})
    assert SESSION_KEY in client.session
    client.logout()

    log_in(client, "yunjin")
    response = client.post(reverse("mfa_authenticate"), {"code": "abcd2345"})
    assert "Incorrect code." in response.content.decode()
    client.post(reverse("mfa_authenticate"), {"code": "wxyz6789"})
    assert SESSION_KEY in client.session


def test_a_fan_without_a_finished_app_is_not_asked_for_a_code(client, old_database):
    assert log_in(client, "Chaewon")["Location"] == reverse("home")


def test_a_session_from_before_stays_signed_in(client, old_database, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = old_database["session"]

    page = client.get(reverse("community:settings"))

    assert page.status_code == 200
    assert "We write to <strong>chaewon@example.com</strong>; it is confirmed." in (
        page.content.decode()
    )
