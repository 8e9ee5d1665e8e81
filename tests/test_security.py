"""Security headers on every page type, production settings, health endpoints, outages."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, connections
from django.urls import reverse

from tests.factories import make_member, make_release, make_user, make_video

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "fans.example",
    "SMTP_HOST": "smtp.example",
    "BEHIND_TLS_PROXY": "1",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_checklist_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_cookies_use_the_host_prefix():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS)"
    )
    result = _manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.split()[-5:] == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "31536000",
    ]


def _pages() -> dict[str, str]:
    video = make_video(youtube_id="abcDEF12_-3")
    return {
        "home": "/",
        "video list": reverse("catalog:video-list"),
        "video": video.get_absolute_url(),
        "release": make_release().get_absolute_url(),
        "member": make_member().get_absolute_url(),
        "search": reverse("search") + "?q=video",
        "top": reverse("community:top"),
        "profile": make_user().get_absolute_url(),
        "login": reverse("login"),
        "signup": reverse("community:signup"),
        "404": "/no-such-page/",
        "feed": reverse("catalog:feed-videos"),
    }


def test_every_page_type_sends_the_security_headers(client):
    for name, url in _pages().items():
        response = client.get(url)
        assert response.status_code in (200, 404), name
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp, name
        assert "style-src 'self'" in csp, name
        assert "unsafe-inline" not in csp, name
        assert "frame-src https://www.youtube-nocookie.com" in csp, name
        assert "frame-ancestors 'none'" in csp, name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert response["X-Frame-Options"] == "DENY", name
        assert "camera=()" in response["Permissions-Policy"], name
        assert response["X-Request-ID"], name


def test_pages_have_no_inline_scripts_or_styles(client):
    for name, url in _pages().items():
        body = client.get(url).content.decode()
        assert "<script>" not in body, name
        assert " style=" not in body, name
        assert " onclick=" not in body, name


def test_request_id_is_kept_when_sane_and_replaced_when_not(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})["X-Request-ID"] == (
        "lb-1234abcd"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "<bad id>"})["X-Request-ID"]
    assert replaced != "<bad id>"
    assert len(replaced) == 32


def test_healthz_is_cheap_and_readyz_checks_database_and_cache(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.parametrize(
    "backend", ["foundation.cache.RedisCache", "django.core.cache.backends.redis.RedisCache"]
)
def test_readyz_names_a_broken_cache_and_stays_ready(client, settings, backend):
    """The site serves on without its cache (foundation/cache.py): a balancer that took every
    server out for it would turn a slower site into none."""
    settings.CACHES = {
        "default": {
            "BACKEND": backend,
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"] == "unavailable"
    assert response.json()["problems"]["cache"] == "ConnectionError"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a server to take away")
def test_database_outage_shows_a_friendly_503(client):
    db = connections["default"]
    saved = dict(db.settings_dict)
    db.close()
    db.settings_dict["PORT"] = "1"  # nothing listens there: a real refused connection
    try:
        response = client.get("/")
        body = response.content.decode()
        assert response.status_code == 503
        assert "We&#x27;ll be right back" in body or "We'll be right back" in body
        assert "Traceback" not in body
        assert client.get("/readyz").json()["problems"]["database"]
    finally:
        db.close()
        db.settings_dict.update(saved)


def test_an_object_store_for_uploads_is_a_configuration_change():
    code = (
        "from django.core.files.storage import storages;"
        "d = storages['default'];"
        "print(type(d).__name__, d.bucket_name, d.file_overwrite)"
    )
    result = _manage("shell", "-c", code, env={**PRODUCTION_ENV, "MEDIA_BUCKET": "fansite-media"})
    assert result.stdout.split()[-3:] == ["S3Storage", "fansite-media", "False"], result.stderr
