"""Two-factor authentication: setting it up with a QR code, logging in with a code or a backup
code, turning it off, and staff who can't open the admin without it."""

import base64
import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from community.services.two_factor import backup_codes_regenerate
from community.views.security import MAX_CODE_TRIES
from tests.factories import make_staff, make_totp_device, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
TWO_FACTOR = reverse("community:two-factor")
LOGIN = reverse("login")
LOGIN_CODE = reverse("community:login-code")
ADMIN = reverse("admin:index")


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    right = {code_for(device, steps_ahead=n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def log_in_with_password(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD, "next": next_url}
    return client.post(LOGIN, data)


# Setting it up


def test_setup_page_shows_a_server_drawn_qr_code_and_the_secret(client):
    fan = make_user()
    client.force_login(fan)

    body = client.get(TWO_FACTOR).content.decode()

    device = TOTPDevice.objects.get(user=fan, confirmed=False)
    qr = re.search(r'<img class="qr-code" src="data:image/svg\+xml;base64,([^"]+)"', body)
    svg = base64.b64decode(qr[1]).decode()
    assert svg.startswith("<?xml") or "<svg" in svg[:200]
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # no image service
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret[:4] + " " + secret[4:8] in body
    assert 'autocomplete="one-time-code"' in body
    # Reloading keeps the same secret, so a half-done setup can go on.
    client.get(TWO_FACTOR)
    assert TOTPDevice.objects.filter(user=fan).count() == 1


def test_enabling_with_a_valid_code_turns_it_on_and_shows_backup_codes_once(client):
    fan = make_user()
    client.force_login(fan)
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=fan)

    response = client.post(TWO_FACTOR, {"code": code_for(device)})

    body = response.content.decode()
    device.refresh_from_db()
    assert response.status_code == 200
    assert device.confirmed
    codes = list(StaticToken.objects.filter(device__user=fan).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in body for code in codes)
    assert "shown only now" in body
    assert verified(client)  # this session just proved it holds the phone
    page = client.get(TWO_FACTOR).content.decode()
    assert "It's on" in page
    assert codes[0] not in page


def test_a_wrong_code_is_refused_and_nothing_is_turned_on(client):
    fan = make_user()
    client.force_login(fan)
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=fan)

    response = client.post(TWO_FACTOR, {"code": wrong_code_for(device)})

    device.refresh_from_db()
    assert response.status_code == 400
    assert "That code didn&#x27;t match" in response.content.decode()
    assert not device.confirmed
    assert not StaticToken.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(TWO_FACTOR)
    assert response["Location"] == f"{LOGIN}?next={TWO_FACTOR}"


# Logging in


@pytest.fixture
def fan_with_app():
    fan = make_user(username="eunchae")
    device = make_totp_device(fan)
    codes = backup_codes_regenerate(user=fan)
    return fan, device, codes


def test_login_asks_for_the_code_after_the_password(client, fan_with_app):
    fan, device, _ = fan_with_app

    response = log_in_with_password(client, fan, next_url="/top/")

    assert response["Location"] == LOGIN_CODE
    assert not logged_in(client)  # not until the code is right
    page = client.get(LOGIN_CODE).content.decode()
    assert "Enter your code" in page
    assert 'class="account-form"' in page  # styled like the login page

    response = client.post(LOGIN_CODE, {"code": code_for(device)})

    assert response["Location"] == "/top/"
    assert client.session[SESSION_KEY] == str(fan.pk)
    assert verified(client)


def test_a_wrong_code_logs_nobody_in_and_too_many_start_over(client, fan_with_app):
    fan, device, _ = fan_with_app
    log_in_with_password(client, fan)
    start = timezone.now()

    for attempt in range(1, MAX_CODE_TRIES + 1):
        # Each wrong code makes the app wait longer before the next one is even checked.
        with time_machine.travel(start + datetime.timedelta(minutes=attempt), tick=False):
            response = client.post(LOGIN_CODE, {"code": wrong_code_for(device)})
        assert not logged_in(client)

    assert response["Location"] == LOGIN
    assert client.get(LOGIN_CODE)["Location"] == LOGIN  # the password step must come again


def test_the_code_step_expires(client, fan_with_app):
    fan, device, _ = fan_with_app
    log_in_with_password(client, fan)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        response = client.post(LOGIN_CODE, {"code": code_for(device)})

    assert response["Location"] == LOGIN
    assert not logged_in(client)


def test_a_backup_code_works_once(client, fan_with_app):
    fan, _, codes = fan_with_app

    log_in_with_password(client, fan)
    response = client.post(LOGIN_CODE, {"code": codes[0].upper()}, follow=True)
    assert logged_in(client)
    assert "You used a backup code; 9 left." in response.content.decode()

    client.post(reverse("logout"))
    log_in_with_password(client, fan)
    response = client.post(LOGIN_CODE, {"code": codes[0]})
    assert response.status_code == 400
    assert not logged_in(client)


def test_fans_without_two_factor_log_in_with_the_password_alone(client):
    fan = make_user()
    assert log_in_with_password(client, fan)["Location"] == "/"
    assert logged_in(client)


# Turning it off, new backup codes


def test_turning_it_off_takes_the_password(client, fan_with_app):
    fan, _, _ = fan_with_app
    client.force_login(fan)

    wrong = client.post(reverse("community:two-factor-disable"), {"password": "nope"})
    assert wrong.status_code == 400
    assert TOTPDevice.objects.filter(user=fan).exists()

    client.post(reverse("community:two-factor-disable"), {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=fan).exists()
    assert not StaticToken.objects.filter(device__user=fan).exists()
    assert log_in_with_password(client, fan)["Location"] == "/"


def test_new_backup_codes_replace_the_old_ones(client, fan_with_app):
    fan, _, old = fan_with_app
    client.force_login(fan)

    response = client.post(reverse("community:backup-codes"), {"password": PASSWORD})

    new = set(StaticToken.objects.filter(device__user=fan).values_list("token", flat=True))
    assert len(new) == 10
    assert not new & set(old)
    assert all(code in response.content.decode() for code in new)


# Staff and the admin


def test_staff_without_two_factor_are_sent_to_set_it_up_before_the_admin(client):
    staff = make_staff(two_factor=False)
    client.force_login(staff)

    response = client.get(ADMIN, follow=True)

    assert response.redirect_chain[-1][0] == f"{TWO_FACTOR}?next=%2Fadmin%2F"
    assert "Staff accounts need two-factor authentication" in response.content.decode()
    assert client.get(reverse("admin:catalog_release_changelist")).status_code == 302

    device = TOTPDevice.objects.get(user=staff)
    client.post(TWO_FACTOR, {"code": code_for(device), "next": ADMIN})

    assert client.get(ADMIN).status_code == 200


def test_staff_with_a_device_log_in_with_the_code_and_reach_the_admin(client):
    staff = make_staff(username="curator")
    device = staff.otp_device

    response = client.post(
        reverse("admin:login"), {"username": "curator", "password": PASSWORD, "next": ADMIN}
    )
    assert response["Location"] == LOGIN_CODE
    assert client.get(ADMIN).status_code == 302  # not logged in yet

    response = client.post(LOGIN_CODE, {"code": code_for(device)})

    assert response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_staff_signed_in_without_the_code_are_asked_for_it(client):
    staff = make_staff()
    device = staff.otp_device
    del staff.otp_device  # signed in some other way: the session isn't verified
    client.force_login(staff)

    response = client.get(ADMIN)

    assert response["Location"] == f"{LOGIN_CODE}?next=%2Fadmin%2F"
    page = client.get(response["Location"]).content.decode()
    assert "needs your second factor" in page
    response = client.post(LOGIN_CODE, {"code": code_for(device), "next": ADMIN})
    assert response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_verified_staff_open_the_admin(client):
    client.force_login(make_staff())
    assert client.get(ADMIN).status_code == 200


def test_fans_pages_do_not_ask_staff_for_the_code(client):
    client.force_login(make_staff(two_factor=False))
    assert client.get(reverse("home")).status_code == 200
