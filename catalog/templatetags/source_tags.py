"""Numbered references (catalog.citations): {% cite record %} or {% cite record "released_on" %}
next to a fact, {% sources_list %} once at the foot of the page. Both read the page's
`references` from the context."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from catalog.citations import ranges

register = template.Library()


def _link(number: int) -> SafeString:
    # Translators: the accessible name of a reference number, e.g. "Source 3".
    label = gettext("Source %(number)s") % {"number": number}
    return format_html('<a href="#source-{}" aria-label="{}">{}</a>', number, label, number)


@register.simple_tag(takes_context=True)
def cite(context: template.Context, record: Any, field: str = "") -> SafeString:
    """[1-3, 5] after a fact (with an en dash), each number a link to its source below."""
    references = context.get("references")
    if references is None or record is None:
        return mark_safe("")
    runs = ranges(references.cite(record, field))
    if not runs:
        return mark_safe("")
    links = [
        _link(first) if first == last else format_html("{}\u2013{}", _link(first), _link(last))
        for first, last in runs
    ]
    parts = format_html_join(", ", "{}", ((link,) for link in links))
    return format_html('<sup class="cite">[{}]</sup>', parts)


@register.simple_tag(takes_context=True)
def sources_list(context: template.Context) -> SafeString:
    """The page's numbered sources (templates/includes/sources.html); nothing when none."""
    references = context.get("references")
    if not references:
        return mark_safe("")
    return render_to_string(
        "includes/sources.html", {"entries": references.entries}, context.get("request")
    )
