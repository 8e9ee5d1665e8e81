"""Follows: a fan follows a fan, a public watchlist, a member, or the whole group."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from catalog.models import Member
from community.models import Follow, User, Watchlist
from community.writing import check_may_write
from foundation import page_cache

Target = User | Watchlist | Member | None


def _target_fields(kind: str, target: Target) -> dict[str, object]:
    if kind == Follow.Kind.FAN:
        return {"fan": target}
    if kind == Follow.Kind.LIST:
        return {"watchlist": target}
    if kind == Follow.Kind.MEMBER:
        return {"member": target}
    if kind == Follow.Kind.GROUP:
        return {}
    raise ValidationError({"kind": _("Choose a fan, a list, a member or the group.")})


@transaction.atomic
def follow_create(*, follower: User, kind: str, target: Target) -> Follow:
    """Follow; following twice is harmless and returns the existing follow."""
    check_may_write(follower)
    fields = _target_fields(kind, target)
    if kind == Follow.Kind.FAN and target == follower:
        raise ValidationError(_("You can't follow yourself."))
    if kind == Follow.Kind.LIST and isinstance(target, Watchlist) and not target.is_public:
        raise ValidationError(_("Only public lists can be followed."))
    existing = Follow.objects.filter(follower=follower, kind=kind, **fields).first()
    if existing:
        return existing
    try:
        with transaction.atomic():  # a double click racing itself hits the unique constraint
            follow = Follow.objects.create(follower=follower, kind=kind, **fields)
    except IntegrityError:
        return Follow.objects.get(follower=follower, kind=kind, **fields)
    if kind == Follow.Kind.LIST and isinstance(target, Watchlist):
        Watchlist.objects.filter(pk=target.pk).update(follower_count=F("follower_count") + 1)
        page_cache.content_changed()  # the list's kept page shows its followers
    return follow


@transaction.atomic
def follow_delete(*, follower: User, kind: str, target: Target) -> bool:
    fields = _target_fields(kind, target)
    deleted, _ = Follow.objects.filter(follower=follower, kind=kind, **fields).delete()
    if deleted and kind == Follow.Kind.LIST and isinstance(target, Watchlist):
        Watchlist.objects.filter(pk=target.pk).update(follower_count=F("follower_count") - 1)
        page_cache.content_changed()
    return bool(deleted)
