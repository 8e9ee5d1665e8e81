"""Suggested corrections: a fan proposes, with a source; a curator accepts or declines.

Accepting applies the change through the record's admin form (the desk hands it in, bound and
valid), so it is saved exactly as a curator's own edit would be: history names the curator as
the one who changed it and the fan in the change reason, the page cache and the API follow the
save, and the fan's sources are cited on the fact.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.forms import ModelForm
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.models import Source
from community.badges import notifications_changed
from community.models import Notification, Suggestion, User, web_address_validator
from community.suggestions import MISSING, current_value, kind_of

# A fan's suggestions per day: plenty for a careful reader, too few to flood the desk.
PER_DAY = 10
CURATE_PERMISSION = "community.curate_suggestion"


class DailyLimitReached(ValidationError):
    """The fan has sent PER_DAY suggestions in the last day."""


def _check_can_suggest(author: User) -> None:
    if author.is_suspended:
        raise ValidationError(_("Your account is suspended: you can read, but not post or react."))
    since = timezone.now() - timedelta(days=1)
    if Suggestion.objects.filter(author=author, created_at__gte=since).count() >= PER_DAY:
        raise DailyLimitReached(
            ngettext(
                "You have sent %(count)d suggestion in the last day, the most we take. "
                "Please come back tomorrow.",
                "You have sent %(count)d suggestions in the last day, the most we take. "
                "Please come back tomorrow.",
                PER_DAY,
            )
            % {"count": PER_DAY}
        )


def clean_more_sources(text: str) -> str:
    """One web address a line, at most Suggestion.MAX_MORE_SOURCES; blank lines dropped."""
    urls = [line.strip() for line in text.splitlines() if line.strip()]
    if len(urls) > Suggestion.MAX_MORE_SOURCES:
        raise ValidationError(
            _("Give at most %(count)d more sources.") % {"count": Suggestion.MAX_MORE_SOURCES}
        )
    for url in urls:
        try:
            web_address_validator(url)
        except ValidationError:
            raise ValidationError(
                _("“%(url)s” is not a web address (https://…).") % {"url": url[:80]}
            ) from None
    return "\n".join(urls)


@transaction.atomic
def suggestion_create(
    *,
    author: User,
    target: Model,
    field: str,
    correction: str,
    source_url: str,
    more_sources: str = "",
) -> Suggestion:
    kind = kind_of(target)
    if field != MISSING and field not in kind.facts:
        raise ValidationError({"field": _("Choose one of the facts listed.")})
    # Lock the fan's row: two suggestions sent at once can't both slip under the day's limit.
    User.objects.select_for_update().filter(pk=author.pk).first()
    _check_can_suggest(author)
    suggestion = Suggestion(
        author=author,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        field=field,
        current_value=current_value(target, field),
        correction=correction.strip(),
        source_url=source_url.strip(),
        more_sources=clean_more_sources(more_sources),
    )
    suggestion.full_clean()
    suggestion.save()
    return suggestion


def _check_curator(curator: User) -> None:
    if not curator.is_staff or not curator.has_perm(CURATE_PERMISSION):
        raise PermissionDenied("Only curators can decide on suggestions.")


def _lock_open(suggestion: Suggestion) -> Suggestion:
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not locked.is_open:
        raise ValidationError(_("This suggestion was already decided."))
    return locked


def _notify(suggestion: Suggestion, kind: str) -> None:
    Notification.objects.create(recipient=suggestion.author, kind=kind, suggestion=suggestion)
    notifications_changed(suggestion.author_id)


def change_reason(suggestion: Suggestion) -> str:
    return f"Correction suggested by {suggestion.author.username} (suggestion {suggestion.pk})"


@transaction.atomic
def suggestion_accept(
    *, suggestion: Suggestion, curator: User, form: ModelForm | None = None
) -> Suggestion:
    """Apply the correction and cite its sources. `form`: the record's admin form, bound to the
    record and valid, holding the new value; None when the curator changed the record already
    (something missing: a credit added on its own page). Either way the record is saved once
    more so its history names the fan."""
    _check_curator(curator)
    locked = _lock_open(suggestion)
    target = form.instance if form is not None else locked.target
    if target is None:
        raise ValidationError(_("The record this suggestion is about no longer exists."))
    if form is not None:
        target = form.save(commit=False)
    target._history_user = curator
    target._change_reason = change_reason(locked)
    target.save()
    if form is not None:
        form.save_m2m()
    content_type = ContentType.objects.get_for_model(target)
    cited = Source.objects.filter(content_type=content_type, object_id=target.pk)
    position = (cited.aggregate(last=Max("position"))["last"] or 0) + 1
    for url in locked.source_urls:
        if cited.filter(field=locked.field, url=url).exists():
            continue
        source = Source(target=target, field=locked.field, url=url, position=position)
        source.full_clean()
        source._history_user = curator  # type: ignore[attr-defined]
        source._change_reason = change_reason(locked)  # type: ignore[attr-defined]
        source.save()
        position += 1
    locked.status = Suggestion.Status.ACCEPTED
    locked.decided_by = curator
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    _notify(locked, Notification.Kind.ACCEPTED)
    return locked


@transaction.atomic
def suggestion_decline(*, suggestion: Suggestion, curator: User, reason: str) -> Suggestion:
    _check_curator(curator)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the fan why: they will read it.")})
    locked = _lock_open(suggestion)
    locked.status = Suggestion.Status.DECLINED
    locked.reason = reason[: Suggestion._meta.get_field("reason").max_length]
    locked.decided_by = curator
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    _notify(locked, Notification.Kind.DECLINED)
    return locked
