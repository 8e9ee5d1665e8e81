"""The header's unread counts, cached per fan in the shared cache so most pages cost no query.

Every write that changes the notifications count calls `notifications_changed`, after its
transaction commits. The alerts count is kept for a minute (a new video reaches a fan's alerts
without any write of theirs); visiting the alerts page resets it (`alerts_seen`).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from community.alerts import unread_alert_count
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


ALERTS_CACHE_SECONDS = 60


def alerts_key(user_id: int) -> str:
    return f"alerts-unread:{user_id}"


def unread_alerts(user: User) -> int:
    """New videos in the fan's alerts since they last looked (1 query once a minute)."""
    count = cache.get(alerts_key(user.pk))
    if count is None:
        count = unread_alert_count(user)
        cache.set(alerts_key(user.pk), count, ALERTS_CACHE_SECONDS)
    return count


def alerts_seen(user_id: int) -> None:
    """Everything is seen now: the header's badge reads zero without counting again."""
    cache.set(alerts_key(user_id), 0, ALERTS_CACHE_SECONDS)
