from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from catalog.dates import PartialDate

register = template.Library()


@register.simple_tag
def partial_date(value: PartialDate | None, unknown: str | None = None) -> SafeString:
    """<time> with only the known part: "March 2025" is never shown as "1 March 2025"."""
    if value is None:
        return format_html('<span class="unknown">{}</span>', unknown or gettext("Date unknown"))
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), value)
