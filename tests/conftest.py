import pytest


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
    """client.force_login(user) for a user carrying a verified `otp_device` (staff from
    tests.factories) marks the session verified, as our login does after a right code. Django's
    force_login can't do it: django-otp's own hook needs request.user, which it doesn't set."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    force_login = Client.force_login

    def force_login_with_device(self, user, backend=None):
        force_login(self, user, backend)
        device = getattr(user, "otp_device", None)
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_device)
