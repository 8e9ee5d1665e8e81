"""A fan's own rows that shared pages show them (community/fan_parts.py), kept in the cache
between requests under a version of the fan's own.

Kept per fan: their "Watch later" list and its videos, their follows of the group and of
members (the same on every page), with all their likes, reports, scores, blocks and held or
hidden comments' videos when they are few; and per page they open, for a fan with more: their
likes and reports among the comments it shows, their score, their blocks either way and their
held or hidden comments. The
entries are read with the shared copy, in the same round trip, and carry the version they were
read under: an entry of an older version is not used.

Every write to those rows moves the version of each fan it concerns on (INCR), at once and
again once the transaction commits: a reader reads the version before the database, so whatever
it keeps under that version is stale as soon as a write commits. The writes are caught where
they happen: saves and deletes (signals, community/invalidation.py), and the query paths that
send none (update(), bulk_create(), bulk_update()) in the models' KeptRowsQuerySet.
A block moves both fans' versions (it changes what the blocked fan sees too); a comment held,
hidden or shown again by staff moves its author's.

Without the cache (Redis down) no version is read or started and every page reads the database.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, models

from foundation.after_commit import now_and_after_commit

M = TypeVar("M", bound=models.Model)

PREFIX = "fan-rows"
# Entries are only ever made stale by a version; the timeouts bound the memory of fans who left.
SECONDS = 3600
VERSION_SECONDS = 24 * 3600  # longer than the entries: an expired version starts afresh


def version_key(user_id: int) -> str:
    return f"{PREFIX}:version:{user_id}"


def own_key(user_id: int) -> str:
    """The rows every page shows the same (lists and follows), and, when few, all the fan's
    rows that talk shows (community/fan_parts.py, talk_rows())."""
    return f"{PREFIX}:own:2:{user_id}"


def page_key(user_id: int, copy_key: str) -> str:
    """The rows of one page (the talk under a video): per fan and shared copy."""
    return f"{PREFIX}:page:{user_id}:{copy_key.rsplit(':', 1)[-1]}"


def start(user_id: int) -> int | None:
    """The fan's version, started when there is none (a random number, so entries kept under
    an earlier one never match); None without the cache."""
    key = version_key(user_id)
    cache.add(key, secrets.randbits(48), VERSION_SECONDS)
    value = cache.get(key)
    return value if isinstance(value, int) else None


def changed(user_ids: Iterable[int | None], using: str = DEFAULT_DB_ALIAS) -> None:
    """What these fans' pages show of their own rows was written: their kept rows are stale
    now, and again once the transaction commits (a reader in between may keep the old rows)."""
    for pk in sorted({pk for pk in user_ids if pk is not None}):
        now_and_after_commit(_bump, pk, using=using)


def _bump(user_id: int) -> None:
    with contextlib.suppress(ValueError):  # not started (or evicted): nothing kept under it
        cache.incr(version_key(user_id))


class KeptRowsQuerySet(models.QuerySet[M]):
    """A model whose rows are kept for fans: writes that send no signal move the fans'
    versions on too. `fans`: the lookups naming the fans whose rows they are; `kept`: the fields
    kept (a write to the others, such as counters, changes nothing kept)."""

    fans: ClassVar[tuple[str, ...]] = ()
    kept: ClassVar[frozenset[str]] = frozenset()

    def touches(self, fields: Iterable[str]) -> bool:
        return any(self.model._meta.get_field(name).name in self.kept for name in fields)

    def _fan_ids(self) -> set[int]:
        rows = self.order_by().values_list(*self.fans).distinct()
        return {pk for row in rows for pk in row if pk is not None}

    def update(self, **kwargs: Any) -> int:
        if not self.touches(kwargs):
            return super().update(**kwargs)
        fans = self._fan_ids()
        count = super().update(**kwargs)
        fans |= self._fan_ids()  # a row moved to another fan is theirs now
        changed(fans, self.db)
        return count

    def bulk_update(
        self, objs: Iterable[M], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        objs, fields = list(objs), list(fields)
        if not self.touches(fields):
            return super().bulk_update(objs, fields, batch_size)
        written = self.model._default_manager.using(self.db).filter(pk__in=[o.pk for o in objs])
        fans = written._fan_ids()  # type: ignore[attr-defined]  # this queryset's class
        count = super().bulk_update(objs, fields, batch_size)
        changed(fans | written._fan_ids(), self.db)  # type: ignore[attr-defined]  # as above
        return count

    def bulk_create(self, objs: Iterable[M], *args: Any, **kwargs: Any) -> list[M]:
        created = super().bulk_create(objs, *args, **kwargs)
        changed(self._fans_of(created), self.db)
        return created

    def _fans_of(self, objs: list[M]) -> set[int]:
        """The fans of rows in hand, which may have no id (bulk_create(ignore_conflicts=True))."""
        fans: set[int] = set()
        for lookup in self.fans:
            name, _, rest = lookup.partition("__")
            field = self.model._meta.get_field(name)
            values = {getattr(obj, field.attname) for obj in objs} - {None}  # type: ignore[union-attr]  # a field of the model's own
            if rest and values:  # through the row it belongs to (an item's list)
                related = field.related_model._default_manager.using(self.db)  # type: ignore[union-attr]  # a foreign key
                values = set(related.filter(pk__in=values).values_list(rest, flat=True))
            fans |= values - {None}
        return fans
