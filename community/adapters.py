"""How allauth fits the site: the client's address, the blocklists, mail in the background, a
new fan's profile and lists, and where a confirmation link brings the fan back to.

settings.ACCOUNT_ADAPTER, SOCIALACCOUNT_ADAPTER and MFA_ADAPTER name these classes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, _build_apps_from_settings
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from community.models import BlockedEmail, User
from community.services.accounts import account_setup
from community.tasks import send_email
from foundation.client_address import client_ip
from foundation.redirects import is_safe_redirect, safe_next

# The page a fan asked to come back to when they had the confirmation link sent again.
CONFIRM_NEXT_SESSION_KEY = "community:confirm-email-next"

EMAIL_BLOCKED = _("We can't accept sign-ups with this e-mail address. Please use another one.")


def next_from(request: HttpRequest | None) -> str:
    """The page the fan came from (a `next` sent with the form or in the address), if it is
    on this site; else empty."""
    if request is None:
        return ""
    return safe_next(request, "")


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_taken": _("Another account already uses this e-mail address."),
        "username_taken": _("That username is taken."),
    }

    def is_safe_url(self, url: str) -> bool:
        """allauth's `next` (log in, sign up, log out) passes the site's one check."""
        return is_safe_redirect(allauth_context.request, url)

    def get_client_ip(self, request: HttpRequest) -> str:
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("The client's address is unknown.")
        return ip

    def clean_email(self, email: str) -> str:
        """Sign-up, a new address in the settings and sign-up through another site's account
        all come here."""
        if BlockedEmail.objects.matching(email).exists():
            raise ValidationError(EMAIL_BLOCKED, code="blocked")
        return email

    def validation_error(self, code: str, *args: Any) -> ValidationError:
        if code == "too_many_login_attempts":
            minutes = settings.LOGIN_LOCKOUT_MINUTES
            return ValidationError(
                ngettext(
                    "Too many wrong passwords for this account from your connection. Try again "
                    "in %(minutes)d minute, or reset your password.",
                    "Too many wrong passwords for this account from your connection. Try again "
                    "in %(minutes)d minutes, or reset your password.",
                    minutes,
                )
                % {"minutes": minutes},
                code=code,
            )
        return super().validation_error(code, *args)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # Failures count per (name, IP): a stranger can't lock a fan out from elsewhere, and one
        # IP's guesses across many names meet login_failed's per-IP limit instead.
        login = credentials.get("email", credentials.get("username", "")) or ""
        return f"{login.strip().lower()}@{self.get_client_ip(request)}"

    def save_user(
        self, request: HttpRequest, user: Any, form: BaseForm, commit: bool = True
    ) -> User:
        """A new fan, from the sign-up form or another site's account: with a profile and their
        private "Watch later" list (the forms' save() makes it one transaction)."""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            account_setup(user=user)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's mail, rendered now (in the fan's language) and sent as a background task:
        the page never waits on the mail server."""
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "confirmation_days": settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS,
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        send_email.enqueue(subject=str(message.subject), body=str(message.body), to=[email])

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        return reverse("community:settings")

    def get_email_verification_redirect_url(self, email_address: EmailAddress) -> str:
        """After confirming without a `next` in the link (one mailed before the fan asked from a
        page): the page they asked from, if it was in this browser, as this fan."""
        request = self.request
        session = getattr(request, "session", None)
        back = session.pop(CONFIRM_NEXT_SESSION_KEY, "") if session is not None else ""
        if (
            back
            and request.user.is_authenticated
            and request.user.pk == email_address.user_id
            and self.is_safe_url(back)
        ):
            return str(back)
        return str(super().get_email_verification_redirect_url(email_address))

    def get_email_confirmation_url(
        self, request: HttpRequest, emailconfirmation: EmailConfirmation
    ) -> str:
        """The link, bringing the fan back to the page they were on when it was sent."""
        url = super().get_email_confirmation_url(request, emailconfirmation)
        back = next_from(request)
        return f"{url}?{urlencode({'next': back})}" if back else url


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        """The providers set up in settings (from the environment); allauth would also ask the
        database on every page that offers them, and none are kept there."""
        apps = _build_apps_from_settings(provider=provider, client_id=client_id)
        return [app for provider_apps in apps.values() for app in provider_apps]


class MFAAdapter(DefaultMFAAdapter):
    def _get_site_name(self) -> str:
        return str(settings.SITE_NAME)

    def generate_authenticator_name(self, user: Any, type: Authenticator.Type) -> str:
        """The name a new passkey is offered under (the fan may change it)."""
        n = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return (
            gettext("My passkey") if n == 0 else gettext("Passkey %(number)d") % {"number": n + 1}
        )
