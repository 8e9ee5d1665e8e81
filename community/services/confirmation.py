"""Confirming a fan's e-mail address with a signed link: until then their account can't write.

The link carries the account and the address it was sent to, signed (django.core.signing) and
timestamped. It works once: it confirms only an unconfirmed account still using that address.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from community.models import User
from community.tasks import send_email

_SALT = "community.email-confirmation"

LINK_INVALID = gettext_lazy(
    "This confirmation link isn't valid. Check that you copied all of it, or ask for a new one."
)
LINK_EXPIRED = gettext_lazy(
    "This confirmation link has expired. Log in and ask for a new one in your settings."
)
LINK_USED = gettext_lazy("This link was already used: your e-mail address is confirmed.")


def _max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.EMAIL_CONFIRMATION_DAYS)


def email_confirmation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=_SALT)


def email_confirmation_send(*, user: User, site_url: str) -> None:
    """E-mail the fan their link, in the background. site_url: "https://fans.example"."""
    path = reverse("community:confirm-email", args=[email_confirmation_token(user)])
    context: dict[str, Any] = {
        "user": user,
        "link": site_url.rstrip("/") + path,
        "days": settings.EMAIL_CONFIRMATION_DAYS,
        "site_name": settings.SITE_NAME,
    }
    send_email.enqueue(
        subject=gettext("Confirm your e-mail address for %(site_name)s")
        % {"site_name": settings.SITE_NAME},
        body=render_to_string("community/emails/confirm_email.txt", context),
        to=[user.email],
    )


def email_confirmation_user(token: str) -> User:
    """The account a link is for, if the link is genuine, fresh and unused; else ValidationError."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=_max_age())
    except signing.SignatureExpired:
        raise ValidationError(LINK_EXPIRED, code="expired") from None
    except signing.BadSignature:
        raise ValidationError(LINK_INVALID, code="invalid") from None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email.lower() != data.get("e"):
        raise ValidationError(LINK_INVALID, code="invalid")
    if user.has_confirmed_email:
        raise ValidationError(LINK_USED, code="used")
    return user


@transaction.atomic
def email_confirm(*, token: str) -> User:
    """Mark the address confirmed; a second use of the same link is refused (code "used")."""
    user = email_confirmation_user(token)
    # Locked, so two clicks at once confirm once.
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_confirmed_email:
        raise ValidationError(LINK_USED, code="used")
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email_confirmed_at"])
    return user
