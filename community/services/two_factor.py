"""Two-factor authentication: an authenticator app (TOTP, django-otp) and single-use backup codes.

A fan has two-factor on once their app's device is confirmed with a code it showed. Backup codes
are a second, static device; each code works once.
"""

from __future__ import annotations

import base64
import datetime
import io
import re
from dataclasses import dataclass

import django_otp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from community.models import User

APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10
_APP_CODE = re.compile(r"^\d{6}$")


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def app_device_pending(*, user: User) -> TOTPDevice:
    """The app being set up (made on first call), so reloading the page keeps its secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// setup address as an SVG QR code, drawn here: no image service sees it."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for apps that can't scan."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalize_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


@transaction.atomic
def two_factor_enable(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app with a code it shows now; returns fresh backup codes, or None if wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(normalize_code(code)):
        return None
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()  # one app at a time
    return backup_codes_regenerate(user=user)


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    """New backup codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@dataclass(frozen=True)
class Verification:
    device: Device | None  # the device that accepted the code
    locked_until: datetime.datetime | None = None  # too many wrong codes: wait until then


def two_factor_verify(*, user: User, code: str) -> Verification:
    """Check a code: six digits go to the app, anything else to the backup codes (each works
    once). Wrong codes slow that device down (django-otp doubles the wait after each)."""
    code = normalize_code(code)
    model: type[Device] = TOTPDevice if _APP_CODE.match(code) else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return Verification(None)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return Verification(None, (details or {}).get("locked_until"))
    accepted = django_otp.verify_token(user, device.persistent_id, code)
    return Verification(accepted)
