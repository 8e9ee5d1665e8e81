"""Staff open the admin only with two-factor authentication.

Runs after django-otp's OTPMiddleware (which sets request.user.is_verified()) and the messages
middleware. Only admin paths are looked at, so other pages cost nothing extra.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from community.services.two_factor import has_two_factor


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
        if not (user.is_authenticated and user.is_staff) or user.is_verified():  # type: ignore[union-attr]
            return None
        if request.path_info == reverse("admin:logout"):
            return None
        query = urlencode({"next": request.get_full_path()})
        if has_two_factor(user):  # type: ignore[arg-type]
            # Signed in some other way (or before the device was added): ask for the code now.
            return redirect(f"{reverse('community:login-code')}?{query}")
        messages.info(
            request,
            _(
                "Staff accounts need two-factor authentication to open the admin. "
                "Set it up below; it takes a minute with an authenticator app."
            ),
        )
        return redirect(f"{reverse('community:two-factor')}?{query}")
