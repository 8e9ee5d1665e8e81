from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from catalog.dates import PartialDate
from catalog.models import Member, MusicVideo, Publishable, Release

register = template.Library()


@register.simple_tag
def partial_date(value: PartialDate | None, unknown: str | None = None) -> SafeString:
    """<time> with only the known part: "March 2025" is never shown as "1 March 2025"."""
    if value is None:
        return format_html('<span class="unknown">{}</span>', unknown or gettext("Date unknown"))
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), value)


# The site's drawings (catalog/art.py): the address and the size of each kind of picture.
ART = {
    Release: ("catalog:release-art", 480, 480),
    MusicVideo: ("catalog:video-art", 480, 270),
    Member: ("catalog:member-art", 480, 600),
}


def _version(obj: Release | MusicVideo | Member) -> str:
    """When the item (and a video's release, if loaded) last changed, so a changed palette or
    title is a new address: read only from fields the page's query already loaded. Members keep
    no such date; their drawing (the name) rarely changes and is revalidated daily."""
    stamps = []
    for item in (obj, obj._state.fields_cache.get("release")):
        if (
            item is not None
            and isinstance(item, Publishable)
            and "updated_at" not in item.get_deferred_fields()
        ):
            stamps.append(int(item.updated_at.timestamp()))
    return str(max(stamps)) if stamps else ""


@register.simple_tag
def drawing(obj: Release | MusicVideo | Member, css_class: str = "") -> SafeString:
    """The site's own picture of a release, video or member, in the page's colour scheme:
    decorative (alt=""), since the card's heading already names the item."""
    name, width, height = ART[type(obj)]
    version = _version(obj)
    query = f"?v={version}" if version else ""
    return format_html(
        '<picture class="drawing {}"><source media="(prefers-color-scheme: dark)" srcset="{}">'
        '<img src="{}" alt="" loading="lazy" width="{}" height="{}"></picture>',
        css_class,
        reverse(name, args=[obj.slug, "dark"]) + query,
        reverse(name, args=[obj.slug, "light"]) + query,
        width,
        height,
    )
