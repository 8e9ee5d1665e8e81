"""The curators' desk: one admin page with what needs attention, and deciding fans' corrections.

Curators are staff with "community.curate_suggestion"; accepting also takes the right to change
the record. A correction is applied through the record's own admin form (ModelAdmin.get_form,
limited to the fact), so it is checked and saved exactly as a curator's edit on the record's page
would be (community.services.suggestions.suggestion_accept).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from catalog.models import (
    ChartAchievement,
    Credit,
    MusicVideo,
    Release,
    Status,
    TieIn,
)
from community.http import fan_of
from community.models import Comment, Report, Suggestion
from community.services import suggestions as services
from community.suggestions import fact_label, page_of, record_name, target_prefetch

CURATE = services.CURATE_PERMISSION
SHOWN = 25  # rows per section; the counts say how many there are in all

# Facts a fan is told are not confirmed yet, as in catalog.admin.facts_to_check.
UNVERIFIED_MODELS: list[type[Model]] = [Release, MusicVideo, Credit, ChartAchievement, TieIn]


def _admin_url(obj: Model, view: str = "change") -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def _oldest_first(model: type[Model]) -> list[str]:
    # Credits, chart records and tie-ins keep no creation time: their ids are in that order.
    names = {field.name for field in model._meta.concrete_fields}
    return ["created_at", "id"] if "created_at" in names else ["id"]


def desk_sections() -> dict[str, Any]:
    """Counts and the oldest rows of each queue. A fixed number of queries: one count and one
    page per queue (and per kind of record), plus one per kind of record suggestions are about."""
    suggestions = Suggestion.objects.open().order_by("created_at", "id")
    unverified = []
    unverified_count = 0
    for model in UNVERIFIED_MODELS:
        rows = model._default_manager.filter(verified=False)
        count = rows.count()
        unverified_count += count
        if model is Credit:
            rows = rows.select_related("person", "track", "video")
        elif model is ChartAchievement:
            rows = rows.select_related("release", "track")
        for obj in rows.order_by(*_oldest_first(model))[:SHOWN] if count else []:
            unverified.append(
                {
                    "kind": model._meta.verbose_name,
                    "label": _label(obj),
                    "note": getattr(obj, "verification_note", ""),
                    "url": _admin_url(obj),
                    "since": getattr(obj, "created_at", None),
                }
            )
    drafts = []
    draft_count = 0
    for model in (Release, MusicVideo):
        rows = model._default_manager.filter(status=Status.DRAFT)
        count = rows.count()
        draft_count += count
        for obj in rows.order_by("updated_at", "id")[:SHOWN] if count else []:
            drafts.append({"kind": model._meta.verbose_name, "obj": obj, "url": _admin_url(obj)})
    held = Comment.objects.filter(status=Comment.Status.HELD)
    reports = Report.objects.filter(status=Report.Status.OPEN)
    return {
        "suggestion_count": suggestions.count(),
        "suggestions": suggestions.select_related("author").prefetch_related(target_prefetch())[
            :SHOWN
        ],
        "unverified_count": unverified_count,
        "unverified": unverified[:SHOWN],
        "draft_count": draft_count,
        "drafts": drafts[:SHOWN],
        "held_count": held.count(),
        "held": held.select_related("author", "video").order_by("created_at", "id")[:SHOWN],
        "report_count": reports.count(),
        "reports": reports.select_related("comment__video", "reporter").order_by(
            "created_at", "id"
        )[:SHOWN],
    }


def _label(obj: Model) -> str:
    if isinstance(obj, Credit):
        on = obj.track.title if obj.track else obj.video.title if obj.video else ""
        return f"{obj.name} ({obj.get_role_display()}) on {on}"
    if isinstance(obj, ChartAchievement):
        subject = obj.track.title if obj.track else obj.release.title if obj.release else ""
        return f"{obj.chart} {obj.position_text}: {subject}"
    return str(obj)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the fan reads it)",
        max_length=Suggestion._meta.get_field("reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": "Tell the fan why: they will read it."},
    )


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """Every suggestion, for looking one up; the desk is where they are decided."""

    list_display = ("__str__", "author", "field", "status", "created_at", "decided_by")
    list_filter = ("status", "content_type")
    list_select_related = ("author", "decided_by", "content_type")
    search_fields = ("author__username", "correction", "source_url")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Suggestion._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # fans write them, on the site

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decided on the desk, through the service

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("desk/", view(self.desk_view), name="curators_desk"),
            path("<int:pk>/decide/", view(self.decide_view), name="community_suggestion_decide"),
            *super().get_urls(),
        ]

    def _check_curator(self, request: HttpRequest) -> None:
        if not request.user.has_perm(CURATE):
            raise PermissionDenied

    def desk_view(self, request: HttpRequest) -> HttpResponse:
        self._check_curator(request)
        context = {
            **self.admin_site.each_context(request),
            "title": "Curators' desk",
            "opts": self.model._meta,
            **desk_sections(),
        }
        return TemplateResponse(request, "admin/community/desk.html", context)

    def _accept_form(
        self, request: HttpRequest, suggestion: Suggestion, data: Any = None
    ) -> ModelForm | None:
        """The record's admin form, limited to the suggested fact (and its date precision);
        None for "something missing", which the curator has added on the record's page."""
        target = suggestion.target
        if not suggestion.field or target is None:
            return None
        model_admin = self.admin_site.get_model_admin(type(target))
        if not model_admin.has_change_permission(request, target):
            raise PermissionDenied
        names = [suggestion.field]
        precision = f"{suggestion.field}_precision"
        if precision in {field.name for field in target._meta.concrete_fields}:
            names.append(precision)
        form_class = model_admin.get_form(request, target, change=True, fields=names)
        initial = {suggestion.field: suggestion.correction}
        return form_class(data, instance=target, initial=initial)

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._check_curator(request)
        suggestion = get_object_or_404(
            Suggestion.objects.select_related("author", "decided_by"), pk=pk
        )
        target = suggestion.target
        if target is None:
            messages.error(request, "The record this suggestion is about no longer exists.")
        action = request.POST.get("action") if request.method == "POST" else None
        accept_form = self._accept_form(request, suggestion, request.POST or None)
        decline_form = DeclineForm(request.POST if action == "decline" else None)
        if not suggestion.is_open and action:
            messages.warning(request, "This suggestion was already decided.")
            return redirect("admin:curators_desk")
        if action == "accept" and target is not None:
            if accept_form is None or accept_form.is_valid():
                try:
                    services.suggestion_accept(
                        suggestion=suggestion, curator=fan_of(request), form=accept_form
                    )
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                else:
                    model_admin = self.admin_site.get_model_admin(type(target))
                    model_admin.log_change(
                        request,
                        target,
                        services.change_reason(suggestion),
                    )
                    messages.success(
                        request,
                        format_html(
                            'Accepted: {} now cites {}. <a href="{}">See the page</a>.',
                            record_name(target),
                            suggestion.source_url,
                            page_of(target),
                        ),
                    )
                    return redirect("admin:curators_desk")
        elif action == "decline" and decline_form.is_valid():
            services.suggestion_decline(
                suggestion=suggestion,
                curator=fan_of(request),
                reason=decline_form.cleaned_data["reason"],
            )
            messages.success(request, "Declined: the fan is told why.")
            return redirect("admin:curators_desk")
        if action == "accept":
            decline_form = DeclineForm()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Suggestion {suggestion.pk}",
            "opts": self.model._meta,
            "suggestion": suggestion,
            "target": target,
            "target_name": record_name(target),
            "target_admin_url": _admin_url(target) if target is not None else "",
            "target_page": page_of(target) if target is not None else "",
            "fact": fact_label(suggestion.field),
            "accept_form": accept_form,
            "decline_form": decline_form,
            "media": self.media + (accept_form.media if accept_form else forms.Media()),
        }
        return TemplateResponse(
            request,
            "admin/community/decide.html",
            context,
            status=400 if action else 200,
        )


# The admin's index: the catalog first, then the community with the desk on top; accounts'
# security, sign-in apps, the old two-factor devices and background tasks together under "Site".
FIRST_APPS = ("catalog", "community")
_stock_app_list = admin.site.get_app_list


def grouped_app_list(request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
    apps = _stock_app_list(request, app_label)
    if app_label is not None:
        return apps
    first = sorted(
        (app for app in apps if app["app_label"] in FIRST_APPS),
        key=lambda app: FIRST_APPS.index(app["app_label"]),
    )
    rest = [app for app in apps if app["app_label"] not in FIRST_APPS]
    if request.user.has_perm(CURATE):
        desk = {
            "name": "Curators' desk",
            "object_name": "Desk",
            "perms": {"view": True},
            "admin_url": reverse("admin:curators_desk"),
            "add_url": None,
            "view_only": True,
        }
        community = next((app for app in first if app["app_label"] == "community"), None)
        if community is not None:
            community["models"] = [desk, *community["models"]]
    if not rest:
        return first
    site = {
        "name": "Site",
        "app_label": "site",
        "app_url": reverse("admin:index") + "#site",
        "has_module_perms": True,
        "models": [
            {**model, "name": f"{app['name']}: {model['name']}"}
            for app in rest
            for model in app["models"]
        ],
    }
    return [*first, site]


admin.site.get_app_list = grouped_app_list  # type: ignore[method-assign]
