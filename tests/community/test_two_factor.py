"""Two-factor authentication (allauth.mfa): setting up an authenticator app with a QR code,
logging in with a code or a recovery code, turning it off, and staff who can't open the admin
without it."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import make_staff, make_totp, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = reverse("login")
ACTIVATE = reverse("mfa_activate_totp")
AUTHENTICATE = reverse("mfa_authenticate")
ADMIN = reverse("admin:index")


def code_for(secret: str, *, steps_ahead: int = 0) -> str:
    """What the fan's authenticator app shows now (or that many 30-second steps on)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + steps_ahead))


def wrong_code_for(secret: str) -> str:
    right = {code_for(secret, steps_ahead=n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def log_in_with_password(client, user, next_url=""):
    url = f"{LOGIN}?next={next_url}" if next_url else LOGIN
    return client.post(url, {"login": user.username, "password": PASSWORD})


def reauthenticate(client) -> None:
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


@pytest.fixture
def fan_with_app():
    fan = make_user(username="chaewon")
    fan.secret = make_totp(fan).data["secret"]
    return fan


# Setting it up


def test_setup_asks_the_password_then_shows_a_server_drawn_qr_code_and_the_secret(client):
    client.force_login(make_user())

    assert client.get(ACTIVATE)["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    page = client.get(ACTIVATE)

    body = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+"', body)  # no image service
    secret = page.context["form"].secret
    assert secret in body  # for apps that can't scan
    assert "Content-Security-Policy" in page.headers


def test_enabling_with_a_valid_code_turns_it_on_and_shows_recovery_codes(client):
    fan = make_user()
    client.force_login(fan)
    reauthenticate(client)
    secret = client.get(ACTIVATE).context["form"].secret

    response = client.post(ACTIVATE, {"code": code_for(secret)}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=fan, type="totp").exists()
    codes = RecoveryCodes(Authenticator.objects.get(user=fan, type="recovery_codes"))
    assert all(code in response.content.decode() for code in codes.get_unused_codes())


def test_a_wrong_code_is_refused_and_nothing_is_turned_on(client):
    fan = make_user()
    client.force_login(fan)
    reauthenticate(client)
    secret = client.get(ACTIVATE).context["form"].secret

    response = client.post(ACTIVATE, {"code": wrong_code_for(secret)})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=fan).exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (reverse("mfa_index"), ACTIVATE):
        assert client.get(url)["Location"].startswith(LOGIN)


# Logging in


def test_login_asks_for_the_code_after_the_password(client, fan_with_app):
    response = log_in_with_password(client, fan_with_app, next_url="/videos/")

    assert response["Location"] == AUTHENTICATE
    assert not logged_in(client)  # nobody is logged in until the code is right
    response = client.post(AUTHENTICATE, {"code": code_for(fan_with_app.secret)})
    assert response["Location"] == "/videos/"
    assert logged_in(client)


def test_a_code_is_read_with_spaces_and_from_a_slow_clock(client, fan_with_app):
    log_in_with_password(client, fan_with_app)
    code = code_for(fan_with_app.secret, steps_ahead=-1)

    client.post(AUTHENTICATE, {"code": f" {code[:3]} {code[3:]} "})

    assert logged_in(client)


def test_a_wrong_code_logs_nobody_in(client, fan_with_app):
    log_in_with_password(client, fan_with_app)

    response = client.post(AUTHENTICATE, {"code": wrong_code_for(fan_with_app.secret)})

    assert "Incorrect code." in response.content.decode()
    assert not logged_in(client)


def test_a_recovery_code_works_once(client, fan_with_app):
    codes = RecoveryCodes.activate(fan_with_app).get_unused_codes()
    log_in_with_password(client, fan_with_app)
    client.post(AUTHENTICATE, {"code": codes[0]})
    assert logged_in(client)
    client.logout()

    log_in_with_password(client, fan_with_app)
    response = client.post(AUTHENTICATE, {"code": codes[0]})

    assert "Incorrect code." in response.content.decode()
    assert not logged_in(client)


def test_fans_without_two_factor_log_in_with_the_password_alone(client):
    fan = make_user()
    assert log_in_with_password(client, fan)["Location"] == reverse("home")
    assert logged_in(client)


def test_turning_it_off_asks_who_it_is_first(client, fan_with_app):
    client.force_login(fan_with_app)
    deactivate = reverse("mfa_deactivate_totp")

    assert client.post(deactivate)["Location"].startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=fan_with_app, type="totp").exists()

    reauthenticate(client)
    client.post(deactivate)
    assert not Authenticator.objects.filter(user=fan_with_app, type="totp").exists()


# Staff and the admin


def test_staff_without_two_factor_are_sent_to_set_it_up_before_the_admin(client):
    staff = make_staff(two_factor=False)
    client.force_login(staff)

    response = client.get(ADMIN, follow=True)

    assert response.redirect_chain[0][0].startswith(ACTIVATE)
    assert "Staff accounts need two-factor authentication" in response.content.decode()
    assert "Site administration" not in response.content.decode()


def test_staff_with_an_app_log_in_with_the_code_and_reach_the_admin(client):
    staff = make_staff(username="curator")
    secret = staff.two_factor_authenticator.data["secret"]

    response = log_in_with_password(client, staff, next_url=ADMIN)
    assert response["Location"] == AUTHENTICATE
    response = client.post(AUTHENTICATE, {"code": code_for(secret)}, follow=True)

    assert response.redirect_chain[-1][0] == ADMIN
    assert "Site administration" in response.content.decode()


def test_staff_signed_in_without_the_code_are_asked_for_it(client):
    staff = make_user(is_staff=True, is_superuser=True, two_factor=False)
    secret = make_totp(staff).data["secret"]
    client.force_login(staff)  # e.g. logged in before the app was added

    response = client.get(ADMIN)
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    response = client.post(response["Location"], {"code": code_for(secret)})

    assert response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_verified_staff_open_the_admin(client):
    client.force_login(make_staff())
    assert client.get(ADMIN).status_code == 200


def test_staff_verified_by_the_code_before_allauth_keep_their_session(client):
    staff = make_user(is_staff=True, is_superuser=True, two_factor=False)
    make_totp(staff)
    client.force_login(staff)
    session = client.session
    session["otp_device_id"] = "otp_totp.totpdevice/1"  # django-otp's mark, from before
    session.save()

    assert client.get(ADMIN).status_code == 200


def test_fans_pages_do_not_ask_staff_for_the_code(client):
    client.force_login(make_staff(two_factor=False))
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("community:settings")).status_code == 200
