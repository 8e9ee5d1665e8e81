"""Who may write: the one rule every page, API endpoint and service asks.

Writing is adding to or changing what others see: rating, talking (comments, replies, likes,
reports), following, keeping lists and the diary. It takes a signed-in fan who is not suspended
and has confirmed their e-mail address. Taking one's own things back (removing a rating, a
comment, a like, a follow, a list or a diary line) is not writing: it harms no one, so a suspended
fan may still tidy up. Blocking someone is protection, not writing, and stays open too.

The pages refuse early (community.decorators.may_write_required), the API too
(community.permissions.IsActiveFanOrReadOnly), and every write service checks again with
check_may_write(), so a path that forgets the first two still can't write.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

SUSPENDED = _("Your account is suspended: you can read, but not write.")
UNCONFIRMED = _(
    "Confirm your e-mail address first: follow the link we e-mailed you "
    "(or ask for a new one at /accounts/confirm-email/resend/)."
)


class WriteRefused(PermissionDenied):
    """The fan may not write; `code` says why ("anonymous", "suspended" or "unconfirmed")."""

    def __init__(self, code: str, message: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def write_refusal(user: Any) -> WriteRefused | None:
    """Why `user` may not write, or None if they may. No query for the signed-in fan of a request
    (the login backend and API tokens read the e-mail state with the user)."""
    if user is None or not user.is_authenticated:
        return WriteRefused("anonymous", _("Sign in first."))
    if user.is_suspended:
        return WriteRefused("suspended", SUSPENDED)
    if not user.has_confirmed_email:
        return WriteRefused("unconfirmed", UNCONFIRMED)
    return None


def may_write(user: Any) -> bool:
    return write_refusal(user) is None


def check_may_write(user: Any) -> None:
    """For services: raise WriteRefused (a PermissionDenied: a 403) unless `user` may write."""
    refusal = write_refusal(user)
    if refusal is not None:
        raise refusal
