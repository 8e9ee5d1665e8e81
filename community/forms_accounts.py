"""Forms for signing up, editing a profile and deleting an account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import Member
from community.models import Profile, User

USERNAME_TAKEN = "That username is taken."
EMAIL_TAKEN = "Another account already uses this e-mail address."


def _email_in_use(email: str, *, exclude: User | None = None) -> bool:
    # The database only holds usernames unique; e-mail uniqueness is kept here, ignoring case,
    # so that a password reset never reaches two accounts.
    accounts = User.objects.filter(email__iexact=email)
    if exclude is not None:
        accounts = accounts.exclude(pk=exclude.pk)
    return accounts.exists()


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label="E-mail",
        help_text="Only for resetting your password; never shown to anyone.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        # "Chaewon" and "chaewon" are one fan (a constraint in the database says so too).
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(USERNAME_TAKEN, code="unique")
        return username

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if _email_in_use(email):
            raise ValidationError(EMAIL_TAKEN, code="unique")
        return email


class ProfileForm(forms.ModelForm):
    """The public profile plus the account's e-mail, saved together."""

    email = forms.EmailField(
        label="E-mail",
        help_text="Only for resetting your password; never shown to anyone.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta:
        model = Profile
        fields = ("display_name", "bio", "avatar", "favourite_member")
        help_texts = {
            "display_name": "Shown instead of your username; leave empty to use your username.",
        }
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "bio": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user: User = self.instance.user
        self.fields["email"].initial = self.user.email
        member = self.fields["favourite_member"]
        member.queryset = Member.objects.only("stage_name", "slug")  # type: ignore[attr-defined]
        member.empty_label = "No favourite"  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if _email_in_use(email, exclude=self.user):
            raise ValidationError(EMAIL_TAKEN, code="unique")
        return email

    @transaction.atomic
    def save(self, commit: bool = True) -> Profile:
        profile: Profile = super().save(commit=commit)
        if commit and self.user.email != self.cleaned_data["email"]:
            self.user.email = self.cleaned_data["email"]
            self.user.save(update_fields=["email"])
        return profile


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(
                "That password is not right. Nothing was deleted.", code="password_incorrect"
            )
        return password
