"""Catalog pages' share of suggested corrections: the link to suggest one, and the fans whose
accepted corrections a page carries."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model, Q
from django.urls import reverse

from catalog.invalidation import CATALOG_VERSION
from community.invalidation import FANS_VERSION
from community.models import Suggestion, public_name_of
from community.suggestions import (
    corrected_page,
    fact_label,
    kind_of,
    record_name,
    suggest_url,
)
from foundation import page_cache

register = template.Library()


@register.inclusion_tag("includes/suggest_link.html", takes_context=True)
def suggest_link(context: template.Context, record: Model, name: str = "") -> dict[str, Any]:
    """ "Suggest a correction" to the record; for staff, a link to edit it in the admin too.
    With a `name`, the compact form for a line of a list (a track, a chart record)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    opts = record._meta
    return {
        "url": suggest_url(record),
        "name": name,
        "kind": kind_of(record).label,
        "admin_url": (
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
            if getattr(user, "is_staff", False)
            else ""
        ),
    }


@register.inclusion_tag("includes/contributors.html", takes_context=True)
def contributors(context: template.Context, *records: Any) -> dict[str, Any]:
    """The fans whose corrections to these records (each a record or a list of them) were
    accepted, unless they opted out, in the order they first contributed. One query, none when
    kept: accepting a correction saves its record (the catalog's version moves on), and a fan's
    name, opting out or leaving moves FANS_VERSION on."""
    found: list[Model] = []
    for item in records:
        if isinstance(item, Model):
            found.append(item)
        elif item is not None:
            found.extend(item)
    if not found:
        return {"fans": []}
    request = context.get("request")
    if request is None or not page_cache.keeps_for(request, staff=True):
        return {"fans": _contributors(found)}
    parts = sorted(f"{record._meta.label}:{record.pk}" for record in found)
    fans = page_cache.kept(
        "contributors", parts, (CATALOG_VERSION, FANS_VERSION), lambda: _contributors(found)
    )
    return {"fans": fans}


def _contributors(records: list[Model]) -> list[dict[str, str]]:
    rows = (
        Suggestion.objects.accepted()
        .about(records)
        .filter(~Q(author__profile__credit_corrections=False), author__is_active=True)
        .order_by("decided_at", "id")
        .values_list("author__username", "author__profile__display_name")
    )
    fans: dict[str, str] = {}
    for username, display_name in rows:
        fans.setdefault(username, public_name_of(username, display_name))
    return [
        {"name": name, "url": reverse("community:profile", args=[username])}
        for username, name in fans.items()
    ]


@register.filter
def suggestion_page(suggestion: Suggestion) -> str:
    """The page the corrected record is read on ("" if it is gone). Prefetch the targets
    (community.suggestions.target_prefetch)."""
    return corrected_page(suggestion)


@register.filter
def suggestion_record(suggestion: Suggestion) -> str:
    return record_name(suggestion.target)


@register.filter
def suggestion_fact(suggestion: Suggestion) -> Any:
    return fact_label(suggestion.field)
