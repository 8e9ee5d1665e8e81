"""Personal API tokens. The key is shown to the fan once; only its SHA-256 is stored."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import ngettext

from community.authentication import hash_key
from community.models import ApiToken, User

MAX_TOKENS_PER_FAN = 10


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token and its key. The key can't be recovered later: hand it to the fan now."""
    # Locks the fan's row so two simultaneous creates can't both slip under the cap.
    User.objects.select_for_update().only("pk").get(pk=user.pk)
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_FAN:
        raise ValidationError(
            ngettext(
                "You have %(count)d token already; revoke one you no longer use.",
                "You have %(count)d tokens already; revoke one you no longer use.",
                MAX_TOKENS_PER_FAN,
            )
            % {"count": MAX_TOKENS_PER_FAN}
        )
    key = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, key_hash=hash_key(key), prefix=key[:8])
    token.full_clean()
    token.save()
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    token.delete()
