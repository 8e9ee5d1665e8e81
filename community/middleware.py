"""Staff open the admin only with two-factor authentication.

A session counts as two-factor when it passed allauth's second step (a code from the app, a
recovery code or a passkey), at login or since; sessions verified by django-otp before allauth
still count. Only admin paths are looked at, so other pages cost nothing extra.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

LEGACY_DEVICE_SESSION_KEY = "otp_device_id"  # django-otp's, in sessions from before allauth


def session_passed_two_factor(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records) or bool(
        request.session.get(LEGACY_DEVICE_SESSION_KEY)
    )


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = f"/{settings.ADMIN_URL}"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(self.admin_prefix):
            refusal = self._refuse_unverified_staff(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refuse_unverified_staff(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not (user.is_authenticated and user.is_staff) or session_passed_two_factor(request):
            return None
        if request.path_info in (reverse("admin:logout"), reverse("admin:login")):
            return None
        query = urlencode({"next": request.get_full_path()})
        if is_mfa_enabled(user, types=[Authenticator.Type.TOTP]):
            # Signed in before two-factor was set up, or in some other way: ask for it now.
            return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        if is_mfa_enabled(user, types=[Authenticator.Type.WEBAUTHN]):
            return redirect(f"{reverse('mfa_reauthenticate_webauthn')}?{query}")
        messages.info(
            request,
            _(
                "Staff accounts need two-factor authentication to open the admin. "
                "Set it up below; it takes a minute with an authenticator app."
            ),
        )
        return redirect(f"{reverse('mfa_activate_totp')}?{query}")
