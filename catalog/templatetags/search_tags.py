from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, pgettext

from catalog.templatetags.catalog_tags import partial_date
from catalog.templatetags.catalog_text import alias_lang, translated

register = template.Library()


def _highlighter(query: str, escape: Callable[[str], str]) -> Callable[[Any], str]:
    """highlight(text, query) for many texts, the pattern compiled once."""
    words = [re.escape(word) for word in str(query or "").split() if word]
    if not words:
        return lambda text: escape(str(text or ""))
    pattern = re.compile("|".join(sorted(words, key=len, reverse=True)), re.IGNORECASE)

    def mark(text: Any) -> str:
        text = str(text or "")
        parts: list[str] = []
        last = 0
        for match in pattern.finditer(text):
            parts.append(escape(text[last : match.start()]))
            parts.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
        parts.append(escape(text[last:]))
        return "".join(parts)

    return mark


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """Wrap each query word found in text in <mark>; everything else escaped."""
    return mark_safe(_highlighter(query, escape)(text))


# ---- Result lines ------------------------------------------------------------------------------
#
# A results page shows up to 31 lines. As an {% include %} per line (a chain of {% if %} on the
# kind, filters, translations and a reverse() each) they were most of the cost of a search made
# from scratch: for /search/?q=fearless (16 lines) 9,800 of its 21,100 Python calls; built with
# format_html, 4,000; built here, 2,000 (cProfile call counts of one request). So each line
# is a plain string in the markup the include had: every catalog text goes through _escape (what
# django.utils.html.escape does, in one call) or mark (which escapes all but its <mark>), and
# only SafeStrings from the site's own tags go in as they are. The lines read the attributes a
# model instance has (the ?kind= page passes instances) and catalog.search's Found* rows have.

_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def _escape(text: Any) -> str:
    return str(text).translate(_HTML)


def _address(name: str) -> Callable[[str], str]:
    """reverse(name, args=[slug]) for many slugs, resolved once and escaped for an attribute: a
    slug ([-a-zA-Z0-9_]+, what the <slug> converter accepts) needs no quoting."""
    before, after = reverse(name, args=["-"]).rsplit("-", 1)
    before, after = _escape(before), _escape(after)
    return lambda slug: f"{before}{_escape(slug)}{after}"


def _native(text: str, mark: Callable[[Any], str]) -> str:
    return f' <span class="native">{mark(text)}</span>' if text else ""


def _videos(items: Iterable[Any], mark: Callable[[Any], str]) -> Iterable[str]:
    url = _address("catalog:video-detail")
    kind = _escape(pgettext("search result kind", "video"))
    for item in items:
        yield (
            f'<a href="{url(item.slug)}">{mark(item.display_title)}</a>'
            f' <span class="muted">· {kind} · {partial_date(item.published)}</span>'
        )


def _releases(items: Iterable[Any], mark: Callable[[Any], str]) -> Iterable[str]:
    url = _address("catalog:release-detail")
    for item in items:
        note: str
        if item.ordinal_note:
            note = translated(item, "ordinal_note")
        else:
            note = _escape(item.get_kind_display())
        yield (
            f'<a href="{url(item.slug)}">{mark(item.title)}</a>{_native(item.native_title, mark)}'
            f' <span class="muted">· {note}</span>'
        )


def _tracks(items: Iterable[Any], mark: Callable[[Any], str]) -> Iterable[str]:
    url = _address("catalog:release-detail")
    for item in items:
        # The translators' text is trusted, as {% blocktranslate %} trusts it; the title is not.
        on = gettext("song on %(release)s") % {"release": _escape(item.release.title)}
        yield (
            f'<a href="{url(item.release.slug)}">{mark(item.title)}</a>'
            f' <span class="muted">· {on}</span>'
        )


def _members(items: Iterable[Any], mark: Callable[[Any], str]) -> Iterable[str]:
    url = _address("catalog:member-detail")
    for item in items:
        romanized = item.romanized_name
        line = f'<a href="{url(item.slug)}">{mark(item.stage_name)}</a>'
        line += _native(item.native_name, mark)
        if romanized:
            line += f' <span class="muted">({mark(romanized)})</span>'
        for alias in item.alias_list:
            line += f' <span class="native"{alias_lang(alias)}>{mark(alias)}</span>'
        yield line


def _people(items: Iterable[Any], mark: Callable[[Any], str]) -> Iterable[str]:
    url = _address("catalog:member-detail")
    for item in items:
        name = mark(item.name)
        if item.member_id:
            name = f'<a href="{url(item.member.slug)}">{name}</a>'
        note = f" · {translated(item, 'note')}" if item.note else ""
        yield (
            f"{name}{_native(item.native_name, mark)}"
            f' <span class="muted">· {_escape(item.get_kind_display().lower())}{note}</span>'
        )


def _themes(items: Iterable[Any], mark: Callable[[Any], str]) -> Iterable[str]:
    url = _address("catalog:theme-detail")
    kind = _escape(pgettext("search result kind", "theme"))
    english = get_language() == "en"
    for item in items:
        name = mark(item.name) if english else translated(item, "name")
        yield f'<a href="{url(item.slug)}">{name}</a> <span class="muted">· {kind}</span>'


_LINES = {
    "videos": _videos,
    "releases": _releases,
    "tracks": _tracks,
    "members": _members,
    "people": _people,
    "themes": _themes,
}


@register.simple_tag
def result_lines(kind: str, items: Iterable[Any], query: str) -> SafeString:
    """<li class="result"> for each item of a kind (a key of catalog.search.KINDS), the query's
    words highlighted."""
    lines = _LINES[kind](items, _highlighter(query, _escape))
    return mark_safe("".join([f'<li class="result">{line}</li>' for line in lines]))
