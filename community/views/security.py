"""Logging in (the password, then a two-factor code when the fan has set it up), two-factor
settings, confirming the e-mail address, and a password reset that mails in the background.

Wrong passwords are counted by django-axes (community/security.py): its backend refuses a
locked-out (username, IP) before the password is checked, and its middleware shows the page.
"""

from __future__ import annotations

import time
from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from community.forms_accounts import QueuedPasswordResetForm
from community.forms_security import EnableTwoFactorForm, LoginCodeForm, PasswordConfirmForm
from community.models import User
from community.ratelimit import rate_limited
from community.services import two_factor as services
from community.services.confirmation import (
    email_confirm,
    email_confirmation_send,
    email_confirmation_user,
)

PENDING = "community.two_factor_pending"  # session key: password checked, code not yet
PENDING_SECONDS = 300
MAX_CODE_TRIES = 5


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def _safe_next(request: HttpRequest, candidate: str, fallback: str | None = None) -> str:
    """candidate if it stays on this site, else fallback (by default, where logins land)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL) if fallback is None else fallback


def _next_param(request: HttpRequest) -> str:
    return request.POST.get("next", request.GET.get("next", ""))


def site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# ---- Logging in ---------------------------------------------------------------------------------


@sensitive_post_parameters()
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Django's login, in two steps when the account has two-factor: the password first, then
    (on the next page) the code. Nobody is logged in until both are right."""
    next_url = _next_param(request)
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        target = _safe_next(request, next_url)
        if services.has_two_factor(user):
            request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,  # type: ignore[attr-defined]
                "next": target,
                "at": int(time.time()),
                "tries": 0,
            }
            return redirect("community:login-code")
        auth_login(request, user)
        return redirect(target)
    return render(
        request,
        "registration/login.html",
        {"form": form, "next": next_url, "site_name": settings.SITE_NAME},
    )


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        del request.session[PENDING]
        return None
    return pending


@sensitive_post_parameters()
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the app or a backup code. Also asks a signed-in fan whose
    session hasn't been verified yet (a staff member opening the admin, say)."""
    pending = _pending(request)
    current: User = request.user  # type: ignore[assignment]
    if pending is not None:
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
        next_url = pending["next"]
    elif (
        current.is_authenticated and not current.is_verified() and services.has_two_factor(current)
    ):
        user = current
        next_url = _safe_next(request, _next_param(request))
    else:
        user = None
    if user is None:
        messages.info(request, _("Please log in again: the code step waits five minutes at most."))
        return redirect("login")

    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            if pending is not None:
                del request.session[PENDING]
                auth_login(request, user, backend=pending["backend"])
            django_otp.login(request, result.device)
            if isinstance(result.device, StaticDevice):
                left = services.backup_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a backup code; %(left)d left. "
                        "You can make new ones in your settings.",
                        "You used a backup code; %(left)d left. "
                        "You can make new ones in your settings.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(next_url)
        if pending is not None:
            pending["tries"] += 1
            request.session[PENDING] = pending
            if pending["tries"] >= MAX_CODE_TRIES:
                del request.session[PENDING]
                messages.error(request, _("Too many wrong codes. Please log in again."))
                return redirect("login")
        if result.locked_until is not None:
            wait = max(1, int(result.locked_until.timestamp() - time.time()))
            form.add_error(
                "code",
                ngettext(
                    "Too many wrong codes: wait %(wait)d second, then try again.",
                    "Too many wrong codes: wait %(wait)d seconds, then try again.",
                    wait,
                )
                % {"wait": wait},
            )
        else:
            form.add_error(
                "code",
                _(
                    "That code didn't work. Check that your phone's clock is right and type the "
                    "code it shows now, or use a backup code."
                ),
            )
    return render(
        request,
        "registration/login_code.html",
        {"form": form, "next": next_url, "pending": pending is not None},
        status=400 if form.errors else 200,
    )


# ---- Two-factor settings ------------------------------------------------------------------------


def _password_form(request: AuthenticatedHttpRequest, name: str) -> PasswordConfirmForm:
    """The password box of one of the page's two forms (ids kept apart)."""
    data = request.POST if request.method == "POST" else None
    return PasswordConfirmForm(request.user, data, auto_id=f"id_{name}_%s")


def _two_factor_page(
    request: AuthenticatedHttpRequest, *, status: int = 200, **context: Any
) -> HttpResponse:
    user = request.user
    context = {"next": _safe_next(request, _next_param(request), ""), **context}
    if services.has_two_factor(user):
        context.setdefault("codes_form", _password_form(request, "codes"))
        context.setdefault("disable_form", _password_form(request, "off"))
        context.update(enabled=True, codes_left=services.backup_codes_left(user))
    else:
        device = services.app_device_pending(user=user)
        context.setdefault("form", EnableTwoFactorForm())
        context.update(
            enabled=False,
            qr_code=services.qr_code_data_uri(device),
            secret=services.secret_for_typing(device),
        )
    return render(request, "community/two_factor.html", context, status=status)


@never_cache  # the page shows a secret while setting up
@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("account")
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), confirm with a code,
    and get backup codes, shown once. When it is on: how many backup codes are left."""
    user = request.user
    if request.method != "POST" or services.has_two_factor(user):
        return _two_factor_page(request)
    form = EnableTwoFactorForm(request.POST)
    if form.is_valid():
        device = services.app_device_pending(user=user)
        codes = services.two_factor_enable(user=user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            django_otp.login(request, device)  # this session has just proved it holds the app
            messages.success(request, _("Two-factor authentication is on."))
            next_url = _safe_next(request, _next_param(request), "")
            return render(
                request, "community/two_factor_codes.html", {"codes": codes, "next": next_url}
            )
        form.add_error(
            "code",
            _(
                "That code didn't match. Check that your phone's clock is right and type the code "
                "the app shows now."
            ),
        )
    return _two_factor_page(request, status=400, form=form)


@never_cache
@login_required
@require_POST
@rate_limited("account")
def backup_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """New backup codes (the old ones stop working), after the password."""
    form = _password_form(request, "codes")
    if not services.has_two_factor(request.user):
        return redirect("community:two-factor")
    if not form.is_valid():
        return _two_factor_page(request, status=400, codes_form=form)
    codes = services.backup_codes_regenerate(user=request.user)
    messages.success(request, _("New backup codes are ready; the old ones no longer work."))
    return render(request, "community/two_factor_codes.html", {"codes": codes, "next": ""})


@login_required
@require_POST
@rate_limited("account")
def two_factor_disable(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _password_form(request, "off")
    if not form.is_valid():
        return _two_factor_page(request, status=400, disable_form=form)
    services.two_factor_disable(user=request.user)
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    messages.success(
        request, _("Two-factor authentication is off; logging in takes only your password.")
    )
    return redirect("community:two-factor")


# ---- Confirming the e-mail address --------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links confirm nothing); POST confirms."""
    try:
        user = email_confirm(token=token) if request.method == "POST" else None
        if user is None:
            email_confirmation_user(token)
    except ValidationError as error:
        return render(
            request,
            "community/confirm_email.html",
            {"error": error.messages[0], "used": error.code == "used"},
            status=400,
        )
    if user is None:
        return render(request, "community/confirm_email.html", {"token": token})
    messages.success(
        request,
        _("Thank you: your e-mail address is confirmed. You can rate, comment and follow."),
    )
    return redirect("home" if request.user.is_authenticated else "login")


@login_required
@require_POST
@rate_limited("confirm")
def confirm_email_resend(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.has_confirmed_email:
        messages.info(request, _("Your e-mail address is already confirmed."))
    elif not user.email:
        messages.error(request, _("Add your e-mail address in your settings first."))
    else:
        email_confirmation_send(user=user, site_url=site_url(request))
        messages.success(
            request,
            _(
                "We sent a new confirmation link to %(email)s. It can take a few minutes; look "
                "in your spam folder too."
            )
            % {"email": user.email},
        )
    return redirect(_safe_next(request, _next_param(request), resolve_url("community:settings")))


password_reset = auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm)
