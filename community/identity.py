"""The signed-in fan's own row, kept in the cache so that a request knows who is asking without a
query, and exact: every write to the row, or to the fan's e-mail addresses, shows on the very next
request.

Each fan has a version in the cache, moved on (INCR) by every save or delete of their User row or
of one of their allauth EmailAddress rows, once at the write and again once it commits. An entry
holds the row's fields and the version it was read under; a request reads both in one round trip
and uses the entry only if the versions match. On a miss the version is read *before* the
database, so a write committing meanwhile moves it past the entry stored after.

The password hash itself is not kept (a cache is no place for it): the entry holds what every
request asks of it instead, the session's HMAC of it (all that signing a request in compares) and
whether it is usable, and the fan is built with the password deferred, loaded by whatever needs
it (changing it, checking it).

One more number, the epoch, is part of every entry: a migration moves it on, since it may write
fans' rows with queryset updates that no receiver sees. Writes outside the ORM (SQL by hand, a
database restored) need forget_all(). Without the cache, fans are read from the database.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.db.models.signals import post_delete, post_migrate, post_save

from community.models import User
from foundation.after_commit import now_and_after_commit

EPOCH_KEY = "identity:epoch"
ENTRY_SECONDS = 24 * 3600
# The fields kept: all of the row's but the password (its HMAC is kept instead).
_FIELDS = tuple(
    field.attname for field in User._meta.concrete_fields if field.attname != "password"
)
# Entries stored by code reading other fields, or under another SECRET_KEY (the HMAC), never match.
_FORMAT = hashlib.sha256(f"{_FIELDS} {settings.SECRET_KEY}".encode()).hexdigest()[:12]


def _entry_key(user_id: int) -> str:
    return f"identity:{_FORMAT}:{user_id}"


def _version_key(user_id: int) -> str:
    return f"identity:version:{user_id}"


def fan(user_id: int) -> User | None:
    """The fan with this id, with whether their address is confirmed, as
    User.objects.with_email_state() reads them; no query when the cache holds them."""
    version_key, entry_key = _version_key(user_id), _entry_key(user_id)
    found = cache.get_many([EPOCH_KEY, version_key, entry_key])
    entry = found.get(entry_key)
    epoch, version = found.get(EPOCH_KEY), found.get(version_key)
    if entry is not None and None not in (epoch, version) and entry[:2] == (epoch, version):
        return _build(*entry[2:])
    # A miss: the numbers first (started if missing: a random one matches no older entry), then
    # the row, so that a write committing in between leaves this entry stale.
    if epoch is None:
        epoch = _start(EPOCH_KEY)
    if version is None and epoch is not None:
        version = _start(version_key)
    user = User.objects.with_email_state().filter(pk=user_id).first()
    if user is not None and epoch is not None and version is not None:
        values = tuple(getattr(user, name) for name in _FIELDS)
        password = (user.get_session_auth_hash(), user.has_usable_password())
        kept = (epoch, version, values, user.primary_email_verified, password)
        cache.set(entry_key, kept, ENTRY_SECONDS)
    return user


def _build(values: tuple[Any, ...], verified: bool, password: tuple[str, bool]) -> User:
    user = User.from_db(router.db_for_read(User), _FIELDS, values)  # the password deferred
    user.primary_email_verified = verified  # as with_email_state() annotates
    user.__dict__[User.KEPT_PASSWORD] = password
    return user


def _start(key: str) -> int | None:
    value = secrets.randbits(48)
    if cache.add(key, value, timeout=None):
        return value
    return cache.get(key)  # another request started it first; None without the cache


# ---- Writes -------------------------------------------------------------------------------------


def changed(user_id: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """The fan's row or addresses were written on `using`: their entry is stale now, and again
    once the transaction commits (a request in between may have stored the row before it)."""
    now_and_after_commit(_bump, user_id, using=using)


def forget_all() -> None:
    """Every kept fan is stale from now on: after writing fans' rows where no receiver sees it."""
    cache.set(EPOCH_KEY, secrets.randbits(48), timeout=None)


def _bump(user_id: int) -> None:
    with contextlib.suppress(ValueError):  # not started (or evicted): the next one is new
        cache.incr(_version_key(user_id))


def logged_in(sender: type, request: Any, user: User, **kwargs: Any) -> None:
    """A fan logged in (by any way: a password, a code, a passkey, another site): keep their row
    once logging in has written it (last_login) and committed, so that their first page reads
    none. Connected after Django's own receiver, which saves last_login; the entry is read as on
    a miss (the numbers first, then the row), so a write committing meanwhile leaves it stale."""
    if user.pk is None:
        return
    using = router.db_for_write(User, instance=user)
    transaction.on_commit(functools.partial(_keep, user.pk), using=using, robust=True)


def _keep(user_id: int) -> None:
    fan(user_id)  # a miss after the write at logging in: the numbers, the row, then the entry


def connect_signals() -> None:
    """Saves and deletes of fans and of their e-mail addresses (allauth writes those with
    save() and delete() only; so do our services and the admin), migrations, and logging in."""
    from allauth.account.models import EmailAddress

    uid = "identity_user"
    post_save.connect(_user_written, sender=User, dispatch_uid=uid)
    post_delete.connect(_user_written, sender=User, dispatch_uid=uid)
    uid = "identity_email_address"
    post_save.connect(_address_written, sender=EmailAddress, dispatch_uid=uid)
    post_delete.connect(_address_written, sender=EmailAddress, dispatch_uid=uid)
    post_migrate.connect(_migrated, dispatch_uid="identity_migrated")
    user_logged_in.connect(logged_in, dispatch_uid="identity_logged_in")


def _user_written(
    sender: type, instance: User, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    changed(instance.pk, using)


def _address_written(
    sender: type, instance: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    changed(instance.user_id, using)


def _migrated(**kwargs: Any) -> None:
    forget_all()
