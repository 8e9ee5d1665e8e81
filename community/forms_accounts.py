"""Forms for signing up, editing a profile and deleting an account."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from catalog.models import Member
from community.forms_security import PasswordConfirmForm
from community.models import BlockedEmail, BlockedIP, Profile, User
from community.tasks import send_email

USERNAME_TAKEN = _("That username is taken.")
EMAIL_TAKEN = _("Another account already uses this e-mail address.")
EMAIL_BLOCKED = _("We can't accept sign-ups with this e-mail address. Please use another one.")
IP_BLOCKED = _(
    "New accounts can't be made from your network right now. If you think this is a mistake, "
    "try again from another connection."
)
HONEYPOT_FILLED = _(
    # Translators: “Leave this empty” is the label of a hidden field on the sign-up form.
    "Please leave the field labelled “Leave this empty” empty, then send the form again."
)
TOO_FAST = _(
    "That was quicker than we expected from a person. Please check your details and send the "
    "form again."
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


def _email_in_use(email: str, *, exclude: User | None = None) -> bool:
    # The database only holds usernames unique; e-mail uniqueness is kept here, ignoring case,
    # so that a password reset never reaches two accounts.
    accounts = User.objects.filter(email__iexact=email)
    if exclude is not None:
        accounts = accounts.exclude(pk=exclude.pk)
    return accounts.exists()


class SignupForm(UserCreationForm):
    """Sign-up, with two checks against scripts: a field people never see (the `website`
    honeypot, written in the template so it always renders empty: bots fill every field) and
    the time between showing the form and sending it (a signed timestamp in the hidden
    `started` field: scripts are faster than 3 seconds, people are not)."""

    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("We send a link to confirm it; never shown to anyone."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args: Any, ip: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ip = ip
        self.fields["username"].widget.attrs["autocomplete"] = "username"

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
        if self.ip and BlockedIP.objects.matching(self.ip):
            raise ValidationError(IP_BLOCKED, code="blocked_ip")
        return cleaned_data

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        # "Chaewon" and "chaewon" are one fan (a constraint in the database says so too).
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(USERNAME_TAKEN, code="unique")
        return username

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if BlockedEmail.objects.matching(email).exists():
            raise ValidationError(EMAIL_BLOCKED, code="blocked")
        if _email_in_use(email):
            raise ValidationError(EMAIL_TAKEN, code="unique")
        return email


class ProfileForm(forms.ModelForm):
    """The public profile plus the account's e-mail, saved together."""

    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("Only for resetting your password; never shown to anyone."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

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
        fields = ("display_name", "bio", "avatar", "favourite_member")
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
        self.fields["email"].initial = self.user.email
        self.fields["language"].initial = self.user.language
        member = self.fields["favourite_member"]
        member.queryset = Member.objects.only("stage_name", "slug")  # type: ignore[attr-defined]
        member.empty_label = _("No favourite")  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if _email_in_use(email, exclude=self.user):
            raise ValidationError(EMAIL_TAKEN, code="unique")
        return email

    @transaction.atomic
    def save(self, commit: bool = True) -> Profile:
        profile: Profile = super().save(commit=commit)
        changed = [
            field
            for field in ("email", "language")
            if getattr(self.user, field) != self.cleaned_data[field]
        ]
        if commit and changed:
            for field in changed:
                setattr(self.user, field, self.cleaned_data[field])
            self.user.save(update_fields=changed)
        return profile


class DeleteAccountForm(PasswordConfirmForm):
    wrong_password = _("That password is not right. Nothing was deleted.")


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail goes out as a background task: with the database
    backend the page never waits on the mail server, so it also answers about as fast whether
    or not an account uses the address."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        send_email.enqueue(subject=subject, body=body, to=[to_email])
