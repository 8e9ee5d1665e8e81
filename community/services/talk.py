"""Talk: comments and replies on videos, likes, reports, blocks, moderation and notifications.

The figures pages show (a video's comment_count, a comment's reply_count and like_count) count
visible comments only and change in the same transaction as the rows, with F() updates. A status
change first locks the comment and its parent, parent first (the lower id), so two writers never
move the same comment twice or deadlock over a thread.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalog.models import MusicVideo
from community import text
from community.badges import notifications_changed
from community.live import events as live
from community.models import (
    Block,
    Comment,
    CommentLike,
    CommentMoment,
    ModerationLog,
    Notification,
    Report,
    User,
)
from community.writing import check_may_write

MAX_LINKS = 3
# Moments stored per comment: enough for any real comment, not a table-filler for spam.
MAX_MOMENTS = 10
# New accounts' comments with links wait for a moderator: the usual shape of link spam.
NEW_ACCOUNT_AGE = timedelta(hours=24)
NEW_ACCOUNT_COMMENTS = 3

Status = Comment.Status


OWN_LIKE = gettext_lazy("You can't like your own comment.")


def _check_moderator(user: User) -> None:
    if not user.has_perm("community.moderate_comment"):
        raise PermissionDenied("Only moderators can do this.")


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if len(body) > Comment.MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("Keep it to %(limit)s characters (this has %(count)s).")
                % {"limit": f"{Comment.MAX_LENGTH:,}", "count": f"{len(body):,}"}
            }
        )
    if "\x00" in body:
        raise ValidationError({"body": _("The text contains a character that can't be saved.")})
    if text.link_count(body) > MAX_LINKS:
        raise ValidationError(
            {
                "body": ngettext(
                    "A comment can have at most %(count)d link.",
                    "A comment can have at most %(count)d links.",
                    MAX_LINKS,
                )
                % {"count": MAX_LINKS}
            }
        )
    return body


def _needs_review(author: User, body: str) -> bool:
    if text.link_count(body) == 0 or timezone.now() - author.date_joined >= NEW_ACCOUNT_AGE:
        return False
    shown = Comment.objects.filter(author=author, status=Status.VISIBLE).count()
    return shown < NEW_ACCOUNT_COMMENTS


def _save_moments(comment: Comment, *, new: bool = False) -> None:
    if not new:
        CommentMoment.objects.filter(comment=comment).delete()
    seconds = text.moment_seconds(comment.body)[:MAX_MOMENTS]
    CommentMoment.objects.bulk_create(
        CommentMoment(comment=comment, video_id=comment.video_id, seconds=s) for s in seconds
    )


def _changed(comment: Comment, **like: Any) -> None:
    """Open pages of the video show the comment as it is once this commits."""
    live.comment_changed(
        comment_id=comment.pk,
        video_id=comment.video_id,
        parent_id=comment.parent_id,
        author_id=comment.author_id,
        **like,
    )


def _count(comment: Comment, delta: int) -> None:
    """Add delta to the figures this comment counts in (call only for visible comments)."""
    MusicVideo.objects.filter(pk=comment.video_id).update(comment_count=F("comment_count") + delta)
    if comment.parent_id:
        Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") + delta)


def _lock(comment: Comment) -> Comment:
    """The comment re-read under a row lock, its parent locked first (no-op locks on SQLite)."""
    ids = [comment.pk] if comment.parent_id is None else [comment.parent_id, comment.pk]
    rows = {c.pk: c for c in Comment.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if comment.pk not in rows:
        raise Comment.DoesNotExist("The comment is gone.")
    return rows[comment.pk]


def blocked_between(a: User, b: User | None) -> bool:
    """Has either fan blocked the other?"""
    if b is None:
        return False
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def _notify_reply(reply: Comment, replied_to: Comment) -> None:
    recipient = replied_to.author
    if recipient is None or recipient.pk == reply.author_id or replied_to.status != Status.VISIBLE:
        return
    if blocked_between(recipient, reply.author):
        return
    Notification.objects.create(
        recipient=recipient, kind=Notification.Kind.REPLY, actor=reply.author, comment=reply
    )
    notifications_changed(recipient.pk)


# ---- Fans: writing ------------------------------------------------------------------------------


@transaction.atomic
def comment_create(
    *, author: User, video: MusicVideo, body: str, parent: Comment | None = None
) -> Comment:
    """A comment, or a reply (a reply to a reply joins the same thread: one level deep).

    A new account's comment with a link is held for a moderator and counts nowhere until approved.
    """
    check_may_write(author)
    if video.is_draft:
        raise PermissionDenied("Drafts can't be commented on.")
    body = _clean_body(body)
    replied_to = parent
    if parent is not None:
        if parent.video_id != video.pk:
            raise ValidationError(_("That comment is on another video."))
        # Locked (with its parent) so the thread can't be deleted or moderated meanwhile.
        replied_to = _lock(parent)
        parent = (
            Comment.objects.get(pk=replied_to.parent_id) if replied_to.parent_id else replied_to
        )
        if replied_to.status != Status.VISIBLE or parent.status not in (
            Status.VISIBLE,
            Status.DELETED,
        ):
            raise ValidationError(_("This comment can't be replied to."))
    status = Status.HELD if _needs_review(author, body) else Status.VISIBLE
    comment = Comment(video=video, author=author, parent=parent, body=body, status=status)
    # The video, the fan and the locked parent are rows in hand: no query to check they exist.
    comment.full_clean(exclude=["video", "author", "parent"])
    comment.save()
    _save_moments(comment, new=True)
    if status == Status.VISIBLE:
        _count(comment, +1)
        if replied_to is not None:
            _notify_reply(comment, replied_to)
    _changed(comment)
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, editor: User, body: str) -> Comment:
    """The author's new text; a new account adding a link sends the comment back for review."""
    if comment.author_id != editor.pk:
        raise PermissionDenied("Only the author can edit a comment.")
    check_may_write(editor)
    body = _clean_body(body)
    locked = _lock(comment)
    if locked.status not in (Status.VISIBLE, Status.HELD):
        raise ValidationError(_("This comment can no longer be edited."))
    if locked.status == Status.VISIBLE and _needs_review(editor, body):
        locked.status = Status.HELD
        _count(locked, -1)
    locked.body = body
    locked.edited_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["body", "status", "edited_at"])
    _save_moments(locked)
    _changed(locked)
    return locked


@transaction.atomic
def comment_delete(*, comment: Comment, user: User) -> None:
    """The author's delete: a comment with replies leaves a placeholder to keep the thread;
    anything else goes, and a placeholder whose last reply goes goes with it."""
    if comment.author_id != user.pk:
        raise PermissionDenied("Only the author can delete a comment.")
    locked = _lock(comment)
    if locked.status == Status.DELETED:
        return
    if locked.status == Status.VISIBLE:
        _count(locked, -1)
    _changed(locked)
    if Comment.objects.filter(parent=locked).exists():
        locked.status = Status.DELETED
        locked.body = ""
        locked.save(update_fields=["status", "body"])
        CommentMoment.objects.filter(comment=locked).delete()
        return
    locked.delete()
    if (
        locked.parent_id
        and not Comment.objects.filter(parent_id=locked.parent_id).exists()
        and Comment.objects.filter(pk=locked.parent_id, status=Status.DELETED).delete()[0]
    ):
        live.comment_changed(
            comment_id=locked.parent_id,
            video_id=locked.video_id,
            parent_id=None,
            author_id=None,
        )


@transaction.atomic
def comment_like(*, user: User, comment: Comment) -> bool:
    """Like once; False when the fan already liked it. Not one's own comment: a like says that
    someone else enjoyed it, and "Most liked" ranks what other fans enjoyed."""
    check_may_write(user)
    if comment.author_id == user.pk:
        raise ValidationError(OWN_LIKE)
    if comment.status != Status.VISIBLE:
        raise ValidationError(_("Only visible comments can be liked."))
    try:
        with transaction.atomic():  # a double click racing itself hits the unique constraint
            CommentLike.objects.create(user=user, comment=comment)
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)
    _changed(comment, liker_id=user.pk, liked=True)
    return True


@transaction.atomic
def comment_unlike(*, user: User, comment: Comment) -> bool:
    deleted, _ = CommentLike.objects.filter(user=user, comment=comment).delete()
    if deleted:
        Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") - 1)
        _changed(comment, liker_id=user.pk, liked=False)
    return bool(deleted)


@transaction.atomic
def report_create(*, reporter: User, comment: Comment, reason: str, note: str = "") -> Report:
    check_may_write(reporter)
    if comment.author_id == reporter.pk:
        raise ValidationError(_("You can't report your own comment."))
    if comment.status != Status.VISIBLE:
        raise ValidationError(_("Only visible comments can be reported."))
    if Report.objects.filter(reporter=reporter, comment=comment).exists():
        raise ValidationError(_("You already reported this comment."))
    report = Report(reporter=reporter, comment=comment, reason=reason, note=note.strip())
    report.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError(_("You already reported this comment.")) from None
    return report


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> Block:
    """Block a fan (again is harmless): neither sees the other's comments any more."""
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You can't block yourself."))
    block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    if created:
        live.blocks_changed(fan_ids=(blocker.pk, blocked.pk))
    return block


@transaction.atomic
def block_delete(*, blocker: User, blocked: User) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    if deleted:
        live.blocks_changed(fan_ids=(blocker.pk, blocked.pk))
    return bool(deleted)


def notifications_mark_read(
    *, user: User, pk: int | None = None, up_to: datetime | None = None
) -> int:
    """Mark the fan's unread notifications read: one (pk), or all up to a moment (up_to)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    if up_to is not None:
        unread = unread.filter(created_at__lte=up_to)
    marked = unread.update(read_at=timezone.now())
    if marked:
        notifications_changed(user.pk)
    return marked


def notifications_mark_all_read(*, user: User) -> int:
    marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    notifications_changed(user.pk)
    return marked


# ---- Moderators ---------------------------------------------------------------------------------


def _resolve_reports(comment: Comment, moderator: User, status: str) -> int:
    return Report.objects.filter(comment=comment, status=Report.Status.OPEN).update(
        status=status, resolved_at=timezone.now(), resolved_by=moderator
    )


def _moderate(
    comment: Comment,
    moderator: User,
    *,
    allowed_from: tuple[str, ...],
    to: str,
    action: str,
    notify: str,
    note: str,
) -> Comment:
    _check_moderator(moderator)
    locked = _lock(comment)
    if locked.status not in allowed_from:
        raise ValidationError(
            # Translators: status is a comment's state in lower case, like "held for review".
            _("The comment is %(status)s.") % {"status": locked.get_status_display().lower()}
        )
    was_counted = locked.status == Status.VISIBLE
    locked.status = to
    locked.save(update_fields=["status"])
    if was_counted != (to == Status.VISIBLE):
        _count(locked, -1 if was_counted else +1)
    _resolve_reports(locked, moderator, Report.Status.ACTIONED)
    ModerationLog.objects.create(
        moderator=moderator, action=action, comment=locked, target=locked.author, note=note
    )
    if locked.author_id:
        Notification.objects.create(
            recipient_id=locked.author_id, kind=notify, actor=moderator, comment=locked
        )
        notifications_changed(locked.author_id)
    _changed(locked)
    return locked


@transaction.atomic
def comment_hide(*, comment: Comment, moderator: User, note: str = "") -> Comment:
    return _moderate(
        comment,
        moderator,
        allowed_from=(Status.VISIBLE, Status.HELD),
        to=Status.HIDDEN,
        action=ModerationLog.Action.HIDE,
        notify=Notification.Kind.HIDDEN,
        note=note,
    )


@transaction.atomic
def comment_restore(*, comment: Comment, moderator: User, note: str = "") -> Comment:
    return _moderate(
        comment,
        moderator,
        allowed_from=(Status.HIDDEN,),
        to=Status.VISIBLE,
        action=ModerationLog.Action.RESTORE,
        notify=Notification.Kind.RESTORED,
        note=note,
    )


@transaction.atomic
def comment_approve(*, comment: Comment, moderator: User, note: str = "") -> Comment:
    """Publish a held comment; a held reply now tells the thread's author, as it would have."""
    approved = _moderate(
        comment,
        moderator,
        allowed_from=(Status.HELD,),
        to=Status.VISIBLE,
        action=ModerationLog.Action.APPROVE,
        notify=Notification.Kind.RESTORED,
        note=note,
    )
    if approved.parent_id:
        _notify_reply(approved, Comment.objects.select_related("author").get(pk=approved.parent_id))
    return approved


@transaction.atomic
def reports_dismiss(*, comment: Comment, moderator: User, note: str = "") -> int:
    """Close the comment's open reports without acting on it; 0 if there were none."""
    _check_moderator(moderator)
    dismissed = _resolve_reports(comment, moderator, Report.Status.DISMISSED)
    if dismissed:
        ModerationLog.objects.create(
            moderator=moderator,
            action=ModerationLog.Action.DISMISS,
            comment=comment,
            target_id=comment.author_id,
            note=note or f"{dismissed} report{'s' if dismissed != 1 else ''}",
        )
    return dismissed


@transaction.atomic
def fan_suspend(*, user: User, moderator: User, reason: str) -> User:
    """The fan can still read; every write (comment, edit, like, report) is refused."""
    _check_moderator(moderator)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason: the fan is told why."))
    if user.pk == moderator.pk:
        raise ValidationError(_("You can't suspend yourself."))
    if user.is_suspended:
        raise ValidationError(_("Already suspended."))
    user.suspended_at = timezone.now()
    user.suspension_reason = reason[: User._meta.get_field("suspension_reason").max_length]
    user.save(update_fields=["suspended_at", "suspension_reason"])
    ModerationLog.objects.create(
        moderator=moderator, action=ModerationLog.Action.SUSPEND, target=user, note=reason[:500]
    )
    return user


@transaction.atomic
def fan_unsuspend(*, user: User, moderator: User, reason: str = "") -> User:
    _check_moderator(moderator)
    if not user.is_suspended:
        raise ValidationError(_("Not suspended."))
    user.suspended_at = None
    user.suspension_reason = ""
    user.save(update_fields=["suspended_at", "suspension_reason"])
    ModerationLog.objects.create(
        moderator=moderator,
        action=ModerationLog.Action.UNSUSPEND,
        target=user,
        note=reason.strip()[:500],
    )
    return user


# ---- Checks -------------------------------------------------------------------------------------


def comment_recount(video: MusicVideo) -> int:
    """comment_count as the comments table has it now (for checks and repairs)."""
    return Comment.objects.filter(video=video, status=Status.VISIBLE).count()


def reply_recount(comment: Comment) -> int:
    return Comment.objects.filter(parent=comment, status=Status.VISIBLE).count()


def moments_cited(video: MusicVideo, limit: int = 5) -> list[tuple[int, int]]:
    """The video's most-cited moments as (seconds, comments citing it), visible comments only."""
    rows = (
        CommentMoment.objects.filter(video=video, comment__status=Status.VISIBLE)
        .values("seconds")
        .annotate(n=Count("id"))
        .order_by("-n", "seconds")[:limit]
    )
    return [(row["seconds"], row["n"]) for row in rows]
