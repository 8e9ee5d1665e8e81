"""Watchlists and the watch diary.

Every write to a list's items takes the list's row lock first, so positions and `item_count` are
never read and written by two transactions at once. `follower_count` belongs to the follow
service and is never touched here. Suspended fans can't write names, notes or diary lines
(lists can be public), but may still reorder, remove and delete what is theirs.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import MusicVideo
from community.models import User, WatchEntry, Watchlist, WatchlistItem
from community.writing import check_may_write
from foundation import page_cache
from foundation.compiled_queries import CompiledQuery, int_marks

Direction = Literal["up", "down", "top", "bottom"]
DIRECTIONS: tuple[Direction, ...] = ("up", "down", "top", "bottom")


def _latest_watch_date() -> datetime.date:
    """One day past the server's today: fans east of the server reach tomorrow first (in Seoul,
    UTC+9, a UTC server's today is already tomorrow from 15:00 UTC)."""
    return timezone.localdate() + datetime.timedelta(days=1)


def _check_watched_on(watched_on: datetime.date | None) -> None:
    if watched_on is not None and watched_on > _latest_watch_date():
        raise ValidationError({"watched_on": _("That date is in the future.")})


def _check_published(video: MusicVideo) -> None:
    if video.is_draft:
        raise ValidationError(_("Only published videos can be added or logged."))


def _locked_list(watchlist: Watchlist) -> Watchlist:
    return Watchlist.objects.select_for_update().get(pk=watchlist.pk)


def _check_name_free(*, owner_id: int, name: str, exclude_pk: int | None = None) -> None:
    # The database constraint ignores case; say so kindly before it says so with an error.
    taken = Watchlist.objects.filter(owner_id=owner_id, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(
            {"name": _("You already have a list called “%(name)s”.") % {"name": name}}
        )


def _save_named(watchlist: Watchlist) -> None:
    """Save, turning a lost race for the name (a double-clicked Create) into a form error."""
    try:
        with transaction.atomic():
            watchlist.save()
    except IntegrityError:
        raise ValidationError(
            {"name": _("You already have a list called “%(name)s”.") % {"name": watchlist.name}}
        ) from None


def watchlist_default_for(*, user: User) -> Watchlist:
    """The fan's "Watch later" list, created (private) the first time it is needed.

    Not atomic as a whole: pages call this on GET, and the common case (the list exists) should
    not take SQLite's write lock, which every transaction there takes at BEGIN.
    """
    default = Watchlist.objects.filter(owner=user, is_default=True).first()
    if default is not None:
        default.owner = user  # the fan in hand, not a query when a write checks them
        return default
    try:
        with transaction.atomic():
            # A list the fan already named "Watch later" becomes the default, as they meant it.
            same_name = (
                Watchlist.objects.select_for_update()
                .filter(owner=user, name__iexact=Watchlist.DEFAULT_NAME)
                .first()
            )
            if same_name is not None:
                same_name.is_default = True
                same_name.save(update_fields=["is_default"])
                return same_name
            return Watchlist.objects.create(
                owner=user, name=Watchlist.DEFAULT_NAME, is_public=False, is_default=True
            )
    except IntegrityError:  # another request of this fan's created it a moment ago
        return Watchlist.objects.get(owner=user, is_default=True)


@transaction.atomic
def watchlist_create(*, owner: User, name: str, description: str, is_public: bool) -> Watchlist:
    check_may_write(owner)
    _check_name_free(owner_id=owner.pk, name=name)
    watchlist = Watchlist(owner=owner, name=name, description=description, is_public=is_public)
    watchlist.full_clean(validate_constraints=False)
    _save_named(watchlist)
    return watchlist


@transaction.atomic
def watchlist_update(
    *, watchlist: Watchlist, name: str, description: str, is_public: bool
) -> Watchlist:
    check_may_write(watchlist.owner)
    if watchlist.is_default and name != watchlist.name:
        raise ValidationError(
            {"name": _("“%(name)s” keeps its name.") % {"name": watchlist.display_name}}
        )
    _check_name_free(owner_id=watchlist.owner_id, name=name, exclude_pk=watchlist.pk)
    was_public = watchlist.is_public
    watchlist.name = name
    watchlist.description = description
    watchlist.is_public = is_public
    watchlist.full_clean(validate_constraints=False)
    _save_named(watchlist)
    _shown(was_public or is_public)  # made private: no kept copy may show it any more
    return watchlist


@transaction.atomic
def watchlist_delete(*, watchlist: Watchlist) -> None:
    """Delete a list with its items and follows. The default list stays: empty it instead."""
    if watchlist.is_default:
        raise ValidationError(
            _("“%(name)s” can't be deleted; empty it instead.") % {"name": watchlist.display_name}
        )
    watchlist.delete()
    _shown(watchlist.is_public)


def _shown(is_public: bool) -> None:
    """A write to what others see of a list: a public list's page is kept for visitors and
    other fans (foundation/page_cache.py), and stale from now on. A private list's page is
    rendered for its owner every time, so writes to it leave every kept page as it is."""
    if is_public:
        page_cache.content_changed()


def _touch(locked: Watchlist, target: Watchlist, item_delta: int = 0) -> None:
    locked.item_count += item_delta
    locked.save(update_fields=["item_count", "updated_at"])
    target.item_count = locked.item_count
    target.updated_at = locked.updated_at
    _shown(locked.is_public)


@transaction.atomic
def watchlist_add_video(
    *, watchlist: Watchlist, video: MusicVideo, note: str = ""
) -> WatchlistItem:
    """Append a published video to the end of the list; ValidationError if it is already in."""
    check_may_write(watchlist.owner)
    _check_published(video)
    return _append(_locked_list(watchlist), watchlist, video, note)


@transaction.atomic
def watch_later_add(*, user: User, video: MusicVideo, note: str = "") -> WatchlistItem:
    """watchlist_add_video() to the fan's "Watch later" list, found and locked in one query (made
    the first time). The item's `watchlist` is the list, for the message that names it."""
    check_may_write(user)
    _check_published(video)
    defaults = Watchlist.objects.select_for_update().filter(owner=user, is_default=True)
    locked = defaults.first() or _locked_list(watchlist_default_for(user=user))
    return _append(locked, locked, video, note)


# A list's last place and whether it has a video, in one statement compiled once a process
# (foundation/compiled_queries.py): building the aggregate each time was the add's largest cost
# in Python.
_LIST_MARK, _VIDEO_MARK = int_marks(2)
_PLACE = CompiledQuery(
    lambda watchlist, video: (
        WatchlistItem.objects.filter(watchlist_id=watchlist)
        .order_by()
        .values("watchlist_id")
        .annotate(last=Max("position"), listed=Count("pk", filter=Q(video_id=video)))
        .values_list("last", "listed")
    ),
    _LIST_MARK,
    _VIDEO_MARK,
)


def _append(locked: Watchlist, target: Watchlist, video: MusicVideo, note: str) -> WatchlistItem:
    # Read under the list's lock, by a statement of its own: one that took the lock would read
    # the items as they were before it waited for it.
    found = _PLACE.rows(locked.pk, video.pk)
    last, listed = found[0] if found else (0, 0)  # an empty list has no group
    if listed:
        raise ValidationError(_("Already in this list."), code="duplicate")
    item = WatchlistItem(watchlist=locked, video=video, position=last + 1, note=note)
    # The list is locked and the video was just read: no query to check that they exist.
    item.full_clean(exclude=["watchlist", "video"], validate_constraints=False)
    item.save()
    _touch(locked, target, item_delta=1)
    return item


@transaction.atomic
def item_move(*, item: WatchlistItem, direction: Direction | int) -> WatchlistItem:
    """Move an item one step, to either end, or to a 1-based place in the list.

    Positions are reused, not renumbered, so moving one step swaps two rows' positions; ties
    left by older data are settled by numbering 1..n.
    """
    check_may_write(item.watchlist.owner)
    locked = _locked_list(item.watchlist)
    rows = list(
        WatchlistItem.objects.filter(watchlist=locked)
        .order_by("position", "id")
        .values_list("id", "position")
    )
    order = [pk for pk, _ in rows]
    old = dict(rows)
    if item.pk not in old:  # removed by another request a moment ago
        return item
    slots = [position for _, position in rows]
    if len(set(slots)) != len(slots):
        slots = list(range(1, len(rows) + 1))
    here = order.index(item.pk)
    match direction:
        case "up":
            there = here - 1
        case "down":
            there = here + 1
        case "top":
            there = 0
        case "bottom":
            there = len(order) - 1
        case int(place):
            there = place - 1
        case _:
            raise ValidationError(f"Unknown direction {direction!r}.")
    there = max(0, min(there, len(order) - 1))
    order.insert(there, order.pop(here))
    changed = [
        WatchlistItem(pk=pk, position=slot)
        for pk, slot in zip(order, slots, strict=True)
        if old[pk] != slot
    ]
    if changed:
        WatchlistItem.objects.bulk_update(changed, ["position"])
        _touch(locked, item.watchlist)
    item.position = slots[there]
    return item


@transaction.atomic
def item_update(
    *, item: WatchlistItem, note: str, watched_on: datetime.date | None
) -> WatchlistItem:
    check_may_write(item.watchlist.owner)
    _check_watched_on(watched_on)
    item.note = note
    item.watched_on = watched_on
    item.full_clean(validate_constraints=False)
    item.save(update_fields=["note", "watched_on"])
    _shown(item.watchlist.is_public)
    return item


@transaction.atomic
def item_remove(*, item: WatchlistItem) -> None:
    locked = _locked_list(item.watchlist)
    # A second, simultaneous remove of the same item finds nothing and changes no count.
    deleted, _ = WatchlistItem.objects.filter(pk=item.pk, watchlist=locked).delete()
    if deleted:
        _touch(locked, item.watchlist, item_delta=-1)


@transaction.atomic
def watch_log(
    *, user: User, video: MusicVideo, watched_on: datetime.date, note: str = ""
) -> WatchEntry:
    """A diary line. Watching again is another line: that is how rewatches are counted."""
    check_may_write(user)
    _check_published(video)
    _check_watched_on(watched_on)
    entry = WatchEntry(user=user, video=video, watched_on=watched_on, note=note)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def watch_entry_delete(*, entry: WatchEntry) -> None:
    entry.delete()
