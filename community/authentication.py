"""API tokens: `Authorization: Token <key>`, looked up by the key's SHA-256 (only hashes are kept).

DRF imports this module while `rest_framework.views` is still loading: keep its imports light
(the token's OpenAPI description lives in community/api/common.py).
"""

from __future__ import annotations

import datetime
import hashlib

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from community.models import ApiToken, User

KEYWORD = "Token"
# Recording every use would turn each read into a write; once a minute is enough to show fans.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _primary_email_verified() -> Exists:
    from allauth.account.models import EmailAddress

    return Exists(
        EmailAddress.objects.filter(user=OuterRef("user_id"), primary=True, verified=True)
    )


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD.lower().encode():
            return None  # no token: another scheme (the session) may still apply
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(_("Send `Authorization: Token <key>`, one key."))
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = (
            ApiToken.objects.select_related("user")
            .annotate(user_email_verified=_primary_email_verified())
            .filter(key_hash=hash_key(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = token.user
        user.primary_email_verified = token.user_email_verified  # for has_confirmed_email
        if not user.is_active or user.is_suspended:
            raise exceptions.AuthenticationFailed(_("This account is inactive or suspended."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            # An UPDATE, not save(): two simultaneous requests may both write, harmlessly.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
