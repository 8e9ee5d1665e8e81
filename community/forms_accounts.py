"""Forms for accounts: allauth's, with the site's checks against scripts and blocklists, and the
profile settings.

settings.ACCOUNT_FORMS, SOCIALACCOUNT_FORMS and MFA_FORMS name the allauth ones here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from allauth.account import forms as account_forms
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from allauth.socialaccount import forms as social_forms
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from catalog.models import Member
from community.models import BlockedIP, Profile, User
from foundation.client_address import client_ip

USERNAME_TAKEN = _("That username is taken.")
TOO_MANY_PASSWORD_GUESSES = _(
    "Too many wrong passwords. Try again in an hour, or log out and reset your password."
)
IP_BLOCKED = _(
    "New accounts can't be made from your network right now. If you think this is a mistake, "
    "try again from another connection."
)
HONEYPOT_FILLED = _(
    # Translators: “Leave this empty” is the label of a hidden field on the sign-up form.
    "Please leave the field labelled “Leave this empty” empty, then send the form again."
)
TOO_FAST = _(
    "That was quicker than we expected from a person. Your details are kept: type your "
    "password in both boxes again and press “Sign up”."
)
FORM_STALE = _("This form was open for a long time. Please check your details and send it again.")

_STARTED_SALT = "community.signup-started"
STARTED_MAX_AGE = 24 * 3600  # seconds a sign-up form stays usable


def signup_started_token(at: float | None = None) -> str:
    """When the sign-up form was shown, signed, for its hidden `started` field."""
    return signing.dumps(int(time.time() if at is None else at), salt=_STARTED_SALT)


def _started_at(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=_STARTED_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def _refuse_blocked_ip(request: HttpRequest | None) -> None:
    ip = client_ip(request) if request is not None else None
    if ip and BlockedIP.objects.matching(ip):
        raise ValidationError(IP_BLOCKED, code="blocked_ip")


class LoginForm(account_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Username or e-mail")
        login.widget.attrs.update(autocomplete="username")
        login.widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""  # the page links the reset itself
        self.fields["password"].widget.attrs.pop("placeholder", None)


class SignupForm(account_forms.SignupForm):
    """Sign-up, with two checks against scripts: a field people never see (the `website`
    honeypot, written in the template so it always renders empty: bots fill every field) and
    the time between showing the form and sending it (a signed timestamp in the hidden
    `started` field: scripts are faster than SIGNUP_MIN_SECONDS, people are not). Either
    refusal keeps what was typed (but the passwords, which pages never send back) and says
    what to do."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail")
        self.fields["email"].help_text = _("We send a link to confirm it; never shown to anyone.")
        self.fields["password2"].label = _("Password confirmation")
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)

    @property
    def started_token(self) -> str:
        """For the hidden field: the posted one while still usable (so waiting a moment and
        sending again works), else a fresh one."""
        posted = self.data.get("started", "") if self.is_bound else ""
        started = _started_at(posted) if posted else None
        if started is not None and time.time() - started <= STARTED_MAX_AGE:
            return posted
        return signup_started_token()

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if self.data.get("website"):
            raise ValidationError(HONEYPOT_FILLED, code="honeypot")
        started = _started_at(self.data.get("started", ""))
        if started is None or time.time() - started > STARTED_MAX_AGE:
            raise ValidationError(FORM_STALE, code="stale")
        if time.time() - started < settings.SIGNUP_MIN_SECONDS:
            raise ValidationError(TOO_FAST, code="too_fast")
        _refuse_blocked_ip(getattr(self, "request", None) or _current_request())
        return cleaned_data

    def save(self, request: HttpRequest) -> User:
        with transaction.atomic():  # the account, its profile, lists and address, or none
            return super().save(request)


class SocialSignupForm(social_forms.SignupForm):
    """A new fan coming from another site's account: picks a username, and meets the same
    blocklists as anyone signing up."""

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        _refuse_blocked_ip(_current_request())
        return cleaned_data

    def save(self, request: HttpRequest) -> User:
        with transaction.atomic():
            return super().save(request)


class AddEmailForm(account_forms.AddEmailForm):
    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        _refuse_blocked_ip(_current_request())
        return cleaned_data


def _current_request() -> HttpRequest | None:
    from allauth.core import context

    return context.request


_CODE_SPACING = re.compile(r"[\s-]+")


def _check_current_password(user: User, check: Callable[[], str]) -> str:
    """Run `check` (which raises ValidationError on a wrong current password), counting wrong
    ones: allauth only limits how often a form is sent, so guesses spread out never ran out.
    After settings.ACCOUNT_RATE_LIMITS["current_password_failed"] wrong ones, on the change
    password form and "confirm it's you" together, no guess is checked (the right one neither)
    until the window has passed."""
    request = allauth_context.request
    if not ratelimit.consume(request, action="current_password_failed", user=user, dry_run=True):
        raise ValidationError(TOO_MANY_PASSWORD_GUESSES, code="too_many_password_guesses")
    try:
        return check()
    except ValidationError:
        ratelimit.consume(request, action="current_password_failed", user=user)
        raise


class ChangePasswordForm(account_forms.ChangePasswordForm):
    """allauth's, with wrong current passwords counted (_check_current_password)."""

    def clean_oldpassword(self) -> str:
        check = super().clean_oldpassword
        return _check_current_password(self.user, lambda: str(check()))


class ReauthenticateForm(account_forms.ReauthenticateForm):
    """ "Confirm it's you", with wrong passwords counted as on the change password form: a
    borrowed session must not be a way to guess the password at leisure."""

    def clean_password(self) -> str:
        check = super().clean_password
        return _check_current_password(self.user, lambda: str(check()))


class TwoFactorCodeForm(mfa_forms.AuthenticateForm):
    """The code at login: spaces and dashes are ignored, and backup codes made before allauth
    (letters and digits) are read in any case."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(autocapitalize="off", spellcheck="false")

    def clean_code(self) -> str:
        self.cleaned_data["code"] = _CODE_SPACING.sub("", self.cleaned_data["code"]).lower()
        return str(super().clean_code())


class AddPasskeyForm(webauthn_forms.AddWebAuthnForm):
    """Adding a key makes a passkey unless the fan unticks it: it then signs them in alone (and
    serves as the second step after a password, as any key does)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        passwordless = self.fields["passwordless"]
        passwordless.initial = True
        passwordless.label = _("A passkey: log in with it alone, no password")


class ProfileForm(forms.ModelForm):
    """The public profile plus the account's language, saved together."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        # Each language named in itself, so a fan can find theirs whatever the page's language.
        choices=[("", _("The one my browser asks for"))]
        + [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES],
        help_text=_("The language of the site's pages when you are signed in."),
    )

    class Meta:
        model = Profile
        fields = ("display_name", "bio", "avatar", "favourite_member", "credit_corrections")
        help_texts = {
            "display_name": _("Shown instead of your username; leave empty to use your username."),
        }
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "bio": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user: User = self.instance.user
        self.fields["language"].initial = self.user.language
        member = self.fields["favourite_member"]
        member.queryset = Member.objects.only("stage_name", "slug")  # type: ignore[attr-defined]  # a ModelChoiceField
        member.empty_label = _("No favourite")  # type: ignore[attr-defined]  # a ModelChoiceField

    @transaction.atomic
    def save(self, commit: bool = True) -> Profile:
        profile: Profile = super().save(commit=commit)
        if commit and self.user.language != self.cleaned_data["language"]:
            self.user.language = self.cleaned_data["language"]
            self.user.save(update_fields=["language"])
        return profile
