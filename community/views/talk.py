"""Talk on the video pages: posting, replying, editing and deleting comments, likes, reports,
blocks, and the fan's notifications. The thread itself is read by the comments_section tag.

Every write is a POST by a signed-in fan and goes through community.services.talk; another
fan's comment is a 404 for editing and deleting, as if it weren't there.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import MusicVideo, Status
from catalog.queries import featured_credits
from community import threads
from community.decorators import may_write_required
from community.forms_talk import CommentForm, ReportForm
from community.http import AuthenticatedHttpRequest
from community.models import Comment, CommentQuerySet, Notification, User
from community.ratelimit import rate_limited
from community.services import talk as services
from community.suggestions import corrected_page, target_prefetch
from community.threads import thread_url
from community.widgets import talk_context
from foundation.redirects import redirect_next

NOTIFICATIONS_SHOWN = 50


def _comments() -> CommentQuerySet:
    return Comment.objects.filter(video__status=Status.PUBLISHED).select_related(
        "video", "parent", "author__profile"
    )


def _get_comment_for_user(request: HttpRequest, pk: int) -> Comment:
    """A comment on a published video that the viewer may see (blocks and held ones count)."""
    return get_object_or_404(_comments().visible_to(request.user), pk=pk)


def _get_own_comment_for_user(request: HttpRequest, pk: int) -> Comment:
    comment = get_object_or_404(_comments().exclude(status=Comment.Status.DELETED), pk=pk)
    if comment.author_id != request.user.pk:
        raise Http404("Not your comment.")
    return comment


def _form_page(
    request: HttpRequest, form: CommentForm, video: MusicVideo, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"form": form, "video": video, **extra}
    return render(request, "community/comments/form.html", context, status=status)


def _posted(request: HttpRequest, comment: Comment, *, new: bool = True) -> HttpResponse:
    """To the comment on the normal page of its talk, scrolled to it and highlighted."""
    if comment.status == Comment.Status.HELD:
        messages.info(
            request,
            _("Your comment is waiting for a moderator: new accounts' links are checked first."),
        )
    if new:
        return redirect(threads.new_comment_url(comment, request.user))
    return redirect(threads.comment_url(comment, request.user))


# ---- Reading a thread ---------------------------------------------------------------------------


@require_GET
def comment_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment with all its replies, oldest first, in keyset pages: where the video page's
    "See the whole thread" leads (it shows only the first few replies). No JavaScript needed."""
    comment = threads.thread_comment(pk, request.user)
    if comment is None:
        raise Http404("No such comment.")
    if comment.parent_id is not None:  # a reply: the page of its thread that holds it
        return redirect(threads.comment_url(comment, request.user))
    page = threads.replies_page(comment, request.user, after=request.GET.get("after", ""))
    video = comment.video
    context = {**talk_context(request, video), "page": page, "video_title": video.display_title}
    return render(request, "community/comments/replies.html", context)


@require_GET
def comment_go(request: HttpRequest, pk: int) -> HttpResponse:
    """What lists of comments link to (threads.thread_url): the page of the talk that holds
    the comment, found only when a link is followed."""
    comment = threads.thread_comment(pk, request.user)
    if comment is None:
        raise Http404("No such comment.")
    return redirect(threads.comment_url(comment, request.user))


# ---- Writing ------------------------------------------------------------------------------------


@login_required
@may_write_required
@require_http_methods(["GET", "POST"])
@rate_limited("comment")
def comment_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    video = get_object_or_404(MusicVideo.objects.published(), slug=slug)

    def page(form: CommentForm, status: int = 200) -> HttpResponse:
        # Only the form's page shows the title with its featured artists (a query for them).
        heading = _("Comment on “%(title)s”") % {"title": video.display_title}
        return _form_page(
            request, form, video, status=status, heading=heading, submit=_("Post comment")
        )

    if request.method != "POST":
        return page(CommentForm())
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_create(
                author=request.user, video=video, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _posted(request, comment)
    return page(form, status=400)


@login_required
@may_write_required
@require_http_methods(["GET", "POST"])
@rate_limited("comment")
def comment_reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    parent = _get_comment_for_user(request, pk)
    if parent.status != Comment.Status.VISIBLE:
        raise Http404("This comment can't be replied to.")
    page: dict[str, Any] = {
        "heading": pgettext("page heading", "Reply"),
        "submit": _("Post reply"),
        "replying_to": parent,
    }
    if request.method != "POST":
        return _form_page(request, CommentForm(), parent.video, **page)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_create(
                author=request.user,
                video=parent.video,
                body=form.cleaned_data["body"],
                parent=parent,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except Comment.DoesNotExist:  # deleted while the fan was typing
            raise Http404("This comment is gone.") from None
        else:
            return _posted(request, comment)
    return _form_page(request, form, parent.video, status=400, **page)


@login_required
@may_write_required
@require_http_methods(["GET", "POST"])
@rate_limited("comment")
def comment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    comment = _get_own_comment_for_user(request, pk)
    if comment.status == Comment.Status.HIDDEN:
        raise Http404("A moderator removed this comment.")
    page: dict[str, Any] = {
        "heading": _("Edit your comment"),
        "submit": _("Save"),
        "editing": comment,
    }
    if request.method != "POST":
        form = CommentForm(initial={"body": comment.body})
        return _form_page(request, form, comment.video, **page)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            edited = services.comment_edit(
                comment=comment, editor=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your comment was updated."))
            edited.video = comment.video
            return _posted(request, edited, new=False)
    return _form_page(request, form, comment.video, status=400, **page)


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    comment = _get_own_comment_for_user(request, pk)
    if request.method == "POST":
        services.comment_delete(comment=comment, user=request.user)
        messages.success(request, _("Your comment was deleted."))
        # A reply goes back to the rest of its thread, unless the thread went with it.
        if comment.parent_id and Comment.objects.filter(pk=comment.parent_id).exists():
            return redirect("community:comment-thread", comment.parent_id)
        return redirect(f"{comment.video.get_absolute_url()}#comments")
    has_replies = Comment.objects.filter(parent=comment).exists()
    return render(
        request,
        "community/comments/confirm_delete.html",
        {"comment": comment, "has_replies": has_replies},
    )


@require_POST
@login_required
@may_write_required
def comment_like(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    comment = _get_comment_for_user(request, pk)
    try:
        services.comment_like(user=request.user, comment=comment)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect_next(request, thread_url(comment))


@require_POST
@login_required
def comment_unlike(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    comment = _get_comment_for_user(request, pk)
    services.comment_unlike(user=request.user, comment=comment)
    return redirect_next(request, thread_url(comment))


@login_required
@may_write_required
@require_http_methods(["GET", "POST"])
def comment_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    comment = _get_comment_for_user(request, pk)
    if comment.status != Comment.Status.VISIBLE:
        raise Http404("Only visible comments can be reported.")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(reporter=request.user, comment=comment, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: a moderator will look at this comment."))
            return redirect(threads.comment_url(comment, request.user))
    return render(
        request,
        "community/comments/report.html",
        {"form": form, "comment": comment, "video": comment.video},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def block(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    fan = get_object_or_404(User, username=username)
    try:
        services.block_create(blocker=request.user, blocked=fan)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("You blocked %(name)s: neither of you will see the other's comments.")
            % {"name": fan.public_name},
        )
    return redirect_next(request, fan.get_absolute_url())


@require_POST
@login_required
def unblock(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    fan = get_object_or_404(User, username=username)
    if services.block_delete(blocker=request.user, blocked=fan):
        messages.success(request, _("You unblocked %(name)s.") % {"name": fan.public_name})
    return redirect_next(request, fan.get_absolute_url())


# ---- Notifications ------------------------------------------------------------------------------


@require_GET
@login_required
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The fan's latest notifications. Opening the page reads them: the ones new until now
    keep their "New" mark on this view, and the header's count goes back to none."""
    rows = list(
        Notification.objects.filter(recipient=request.user)
        .select_related(
            "actor__profile", "comment__video", "comment__parent", "video", "suggestion"
        )
        # Each names its video by display_title: the featured artists of all of them at once.
        .prefetch_related(
            featured_credits("comment__video__credits"),
            featured_credits("video__credits"),
            target_prefetch("suggestion__target"),  # the corrected records, if any
        )[:NOTIFICATIONS_SHOWN]
    )
    unread = [row for row in rows if row.read_at is None]
    if unread:
        # Up to the newest shown: one arriving meanwhile stays new for the next look.
        services.notifications_mark_read(user=request.user, up_to=unread[0].created_at)
        request._unread_notifications = 0  # type: ignore[attr-defined]  # the header's count
    return render(request, "community/comments/notifications.html", {"notifications": rows})


@require_GET
@login_required
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Following a notification: marks it read and goes where it points (a comment on the
    page of its talk that holds it, or a video)."""
    notification = get_object_or_404(
        Notification.objects.select_related("video", "suggestion"), pk=pk, recipient=request.user
    )
    if notification.read_at is None:
        services.notifications_mark_read(user=request.user, pk=notification.pk)
    if notification.comment_id is not None:
        comment = threads.thread_comment(notification.comment_id, request.user)
        if comment is not None:
            return redirect(threads.comment_url(comment, request.user))
    elif notification.video is not None and notification.video.status == Status.PUBLISHED:
        return redirect(notification.video.get_absolute_url())
    elif notification.suggestion is not None:  # a curator's answer to a fan's correction
        page = corrected_page(notification.suggestion)
        if page:
            return redirect(page)
    messages.info(request, _("What this notification was about is no longer there."))
    return redirect("community:notifications")


@require_POST
@login_required
def notifications_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    if services.notifications_mark_all_read(user=request.user):
        messages.success(request, _("All caught up."))
    return redirect("community:notifications")
