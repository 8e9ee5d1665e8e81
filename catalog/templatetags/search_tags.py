from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """Wrap each query word found in text in <mark>; everything else escaped."""
    text = str(text or "")
    words = [re.escape(word) for word in str(query or "").split() if word]
    if not words:
        return escape(text)
    pattern = re.compile("|".join(sorted(words, key=len, reverse=True)), re.IGNORECASE)
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))
