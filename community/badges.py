"""The header's unread counts, cached per fan in the shared cache so most pages cost no query.

Every write that changes a count calls `notifications_changed`, after its transaction commits.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from community.models import Notification, User

CACHE_SECONDS = 300


def unread_key(user_id: int) -> str:
    return f"notifications-unread:{user_id}"


def unread_notification_count(user: User) -> int:
    count = cache.get(unread_key(user.pk))
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(unread_key(user.pk), count, CACHE_SECONDS)
    return count


def notifications_changed(user_id: int) -> None:
    # Now, and again after commit: a request reading in between can't keep a stale count.
    cache.delete(unread_key(user_id))
    transaction.on_commit(lambda: cache.delete(unread_key(user_id)))
