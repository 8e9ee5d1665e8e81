"""Moderation in the admin: the comment queue, reports, the moderation log, suspending fans.

Moderators are staff with "community.moderate_comment" (and view/change on comments), not only
superusers. Every action goes through community.services.talk, so it is logged, notifies the
author and keeps the counts right; for the same reason nothing here edits or deletes comments
directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community.http import AuthenticatedHttpRequest
from community.models import Comment, ModerationLog, Report, User
from community.services import talk as services

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations


class ReportCounts(TypedDict):
    """What CommentAdmin.get_queryset adds to each comment."""

    open_report_count: int
    has_open_reports: bool


type ReviewedComment = WithAnnotations[Comment, ReportCounts]

MODERATE = "community.moderate_comment"


class NoteActionForm(ActionForm):
    note = forms.CharField(
        label=_("Note (kept in the moderation log)"), required=False, max_length=300
    )


class ModeratedAdmin(admin.ModelAdmin):
    """Actions marked permissions=["moderate"] are offered only to moderators, and the admin
    never runs one POSTed by anybody else."""

    action_form: ClassVar[type[ActionForm]] = NoteActionForm

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MODERATE)

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        act: Callable[[Any, str], object],
        done: str,
    ) -> None:
        """Run act(obj, note) on each selected row; skipped rows are reported, not fatal.
        done: the success message, with %(count)d for how many succeeded."""
        note = request.POST.get("note", "").strip()
        succeeded, skipped = 0, []
        for obj in queryset:
            try:
                act(obj, note)
            except ValidationError as error:
                skipped.append(
                    gettext("Skipped %(object)s: %(reason)s")
                    % {"object": obj, "reason": error.messages[0]}
                )
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done % {"count": succeeded}, messages.SUCCESS)
        for problem in skipped:
            self.message_user(request, problem, messages.WARNING)


class OpenReportsFilter(admin.SimpleListFilter):
    title = _("open reports")
    parameter_name = "reported"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        return [("yes", _("Has open reports")), ("no", _("No open reports"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[ReviewedComment]
    ) -> QuerySet[ReviewedComment]:
        if self.value() == "yes":
            return queryset.filter(has_open_reports=True)
        if self.value() == "no":
            return queryset.filter(has_open_reports=False)
        return queryset


class ReportInline(admin.TabularInline):
    model = Report
    fk_name = "comment"
    extra = 0
    can_delete = False
    fields = ("created_at", "reporter", "reason", "note", "status", "resolved_by", "resolved_at")
    readonly_fields = fields
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(ModeratedAdmin):
    """The moderators' queue: filter on open reports or held comments, act in bulk."""

    list_display = ("excerpt", "author", "video", "status", "open_reports", "created_at")
    list_filter = ("status", OpenReportsFilter)
    list_select_related = ("author", "video")
    search_fields = ("body", "author__username")

    class Media:
        css = {"all": ["css/curation.css"]}  # the comment's column takes the room it needs

    ordering = ("-created_at",)
    show_full_result_count = False  # no COUNT(*) over every comment on each filtered page
    inlines = [ReportInline]
    actions = ["hide", "restore", "approve", "dismiss_reports"]
    fields = (
        "video",
        "author",
        "parent",
        "body",
        "status",
        "like_count",
        "reply_count",
        "created_at",
        "edited_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewedComment]:
        # Subqueries on the partial index of open reports: one query for the whole page.
        open_reports = Report.objects.filter(comment=OuterRef("pk"), status=Report.Status.OPEN)
        counted = open_reports.order_by().values("comment").annotate(n=Count("pk")).values("n")
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_report_count=Coalesce(Subquery(counted), Value(0)),
                has_open_reports=Exists(open_reports),
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a raw delete would skip the counts; authors delete, moderators hide

    @admin.display(description=_("comment"))
    def excerpt(self, comment: Comment) -> str:
        # Enough to judge most comments from the list without opening them.
        return comment.body[:300] + ("…" if len(comment.body) > 300 else "")

    @admin.display(description=_("open reports"), ordering="open_report_count")
    def open_reports(self, comment: ReviewedComment) -> int:
        return comment.open_report_count

    @admin.action(description=_("Hide the selected comments"), permissions=["moderate"])
    def hide(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Comment]) -> None:
        self._each(
            request,
            queryset,
            lambda c, note: services.comment_hide(comment=c, moderator=request.user, note=note),
            gettext("Hidden: %(count)d."),
        )

    @admin.action(description=_("Restore the selected hidden comments"), permissions=["moderate"])
    def restore(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Comment]) -> None:
        self._each(
            request,
            queryset,
            lambda c, note: services.comment_restore(comment=c, moderator=request.user, note=note),
            gettext("Restored: %(count)d."),
        )

    @admin.action(description=_("Approve the selected held comments"), permissions=["moderate"])
    def approve(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Comment]) -> None:
        self._each(
            request,
            queryset,
            lambda c, note: services.comment_approve(comment=c, moderator=request.user, note=note),
            gettext("Approved: %(count)d."),
        )

    @admin.action(
        description=_("Dismiss the open reports on the selected"), permissions=["moderate"]
    )
    def dismiss_reports(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[Comment]
    ) -> None:
        self._each(
            request,
            queryset,
            lambda c, note: services.reports_dismiss(comment=c, moderator=request.user, note=note),
            gettext("Reports dismissed on: %(count)d."),
        )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-mostly: reports are acted on from the comment queue, where they are grouped."""

    list_display = ("comment", "reason", "reporter", "status", "created_at", "resolved_by")
    list_filter = ("status", "reason")
    list_select_related = ("comment", "reporter", "resolved_by")
    search_fields = ("note", "reporter__username", "comment__body")
    date_hierarchy = "created_at"
    readonly_fields = (
        "comment",
        "reporter",
        "reason",
        "note",
        "status",
        "created_at",
        "resolved_at",
        "resolved_by",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "moderator", "action", "comment", "target", "note")
    list_filter = ("action",)
    list_select_related = ("moderator", "comment", "target")
    search_fields = ("note", "moderator__username", "target__username")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SuspendActionForm(ActionForm):
    note = forms.CharField(
        label=_("Reason (the fan is told; kept in the log)"), required=False, max_length=300
    )


class SuspendedFilter(admin.SimpleListFilter):
    title = _("suspended")
    parameter_name = "suspended"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, StrOrPromise]]:
        return [("yes", _("Suspended")), ("no", _("Not suspended"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() in ("yes", "no"):
            return queryset.filter(suspended_at__isnull=self.value() == "no")
        return queryset


class FanAdmin(ModeratedAdmin, UserAdmin):
    """Django's user admin plus suspensions, which only the moderation actions change."""

    action_form = SuspendActionForm
    list_display = (*UserAdmin.list_display, "suspended_at")  # type: ignore[misc]  # read once
    list_filter = (*UserAdmin.list_filter, SuspendedFilter)
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Community"), {"fields": ("suspended_at", "suspension_reason")}),
    )
    readonly_fields = ("suspended_at", "suspension_reason")
    actions = ["suspend", "unsuspend"]

    @admin.action(description=_("Suspend the selected fans"), permissions=["moderate"])
    def suspend(self, request: AuthenticatedHttpRequest, queryset: QuerySet[User]) -> None:
        self._each(
            request,
            queryset,
            lambda u, note: services.fan_suspend(user=u, moderator=request.user, reason=note),
            gettext("Suspended: %(count)d."),
        )

    @admin.action(description=_("Lift the selected fans' suspensions"), permissions=["moderate"])
    def unsuspend(self, request: AuthenticatedHttpRequest, queryset: QuerySet[User]) -> None:
        self._each(
            request,
            queryset,
            lambda u, note: services.fan_unsuspend(user=u, moderator=request.user, reason=note),
            gettext("Suspension lifted for: %(count)d."),
        )


admin.site.unregister(User)
admin.site.register(User, FanAdmin)
