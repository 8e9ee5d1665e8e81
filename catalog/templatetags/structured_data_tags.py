from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from catalog import structured_data

register = template.Library()

# Like Django's json_script: these characters must not close the <script> element.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def json_ld(context: template.Context, kind: str, obj: Any) -> SafeString:
    """<script type="application/ld+json"> for a page; kind is group, member, release or video."""
    builder = getattr(structured_data, kind)
    data = builder(context["request"], obj)
    payload = json.dumps(data, ensure_ascii=False).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(payload))
