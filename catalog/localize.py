"""Catalog text in the reader's language: translated descriptions, and names in the right script.

English is the catalog's own language. A curator may add Korean and Japanese versions of the long
texts (a member's bio, a release's description…) as `<field>_ko` and `<field>_ja`; where one is
empty the English text is shown, marked lang="en" so screen readers read it as English.

Names and titles have an English (or romanized) form and often a native one. A Korean page puts a
Korean native form first, a Japanese page a Japanese one; otherwise the English form comes first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

SOURCE_LANGUAGE = "en"
TRANSLATIONS = ("ko", "ja")  # languages a curator may translate the long texts into

_LABELS = {
    "bio": {"ko": _("bio (Korean)"), "ja": _("bio (Japanese)")},
    "description": {"ko": _("description (Korean)"), "ja": _("description (Japanese)")},
    "joining_note": {"ko": _("joining note (Korean)"), "ja": _("joining note (Japanese)")},
    "departure_note": {"ko": _("departure note (Korean)"), "ja": _("departure note (Japanese)")},
    "note": {"ko": _("note (Korean)"), "ja": _("note (Japanese)")},
    "summary": {"ko": _("summary (Korean)"), "ja": _("summary (Japanese)")},
    "verification_note": {
        "ko": _("verification note (Korean)"),
        "ja": _("verification note (Japanese)"),
    },
    # Words and names rather than texts: a theme, a chart, a note on a credit…
    "name": {"ko": _("name (Korean)"), "ja": _("name (Japanese)")},
    "chart": {"ko": _("chart (Korean)"), "ja": _("chart (Japanese)")},
    "peak_label": {"ko": _("peak label (Korean)"), "ja": _("peak label (Japanese)")},
    "partner": {"ko": _("partner (Korean)"), "ja": _("partner (Japanese)")},
    "market": {"ko": _("market (Korean)"), "ja": _("market (Japanese)")},
    "ordinal_note": {"ko": _("ordinal note (Korean)"), "ja": _("ordinal note (Japanese)")},
    "nationality": {"ko": _("nationality (Korean)"), "ja": _("nationality (Japanese)")},
    "position_note": {"ko": _("position (Korean)"), "ja": _("position (Japanese)")},
    "role_note": {"ko": _("role note (Korean)"), "ja": _("role note (Japanese)")},
}


def translation_field(
    field: str, language: str, *, max_length: int | None = None
) -> models.TextField | models.CharField:
    """The `<field>_<language>` model field: a curator's translation of `field` (a CharField as
    long as the English one when `max_length` is given)."""
    options: dict[str, Any] = {
        "blank": True,
        "help_text": _("Leave empty to show the English text."),
    }
    if max_length is not None:
        return models.CharField(_LABELS[field][language], max_length=max_length, **options)
    return models.TextField(_LABELS[field][language], **options)


def translated_fields(model: type[models.Model]) -> list[tuple[str, list[str]]]:
    """(English field, its translation fields) for each translated text of the model."""
    names = {field.name for field in model._meta.get_fields()}
    return [
        (name, [f"{name}_{language}" for language in TRANSLATIONS])
        for name in sorted(names)
        if all(f"{name}_{language}" in names for language in TRANSLATIONS)
    ]


def page_language() -> str:
    """The active language without its region: "ko" for ko-kr."""
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def script_language(text: str) -> str:
    """ "ko" for Hangul, "ja" for kana or kanji, "" for anything else.

    Kanji without kana counts as Japanese: the catalog writes Korean names in Hangul, and the kanji
    names it holds (宮脇咲良, 中村一葉) are Japanese."""
    han = False
    for ch in text:
        name = unicodedata.name(ch, "")
        if name.startswith(("HANGUL", "HALFWIDTH HANGUL")):
            return "ko"
        if name.startswith(("HIRAGANA", "KATAKANA", "HALFWIDTH KATAKANA")):
            return "ja"
        han = han or name.startswith("CJK")
    return "ja" if han else ""


@dataclass(frozen=True)
class Localized:
    """A text and the language it is in; `marked` when its element needs a lang attribute."""

    text: str
    lang: str
    marked: bool = False

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def lang_attr(self) -> SafeString:
        """' lang="en"' to put in the element's start tag, or nothing."""
        if not (self.marked and self.lang):
            return mark_safe("")
        return format_html(' lang="{}"', self.lang)


def localized(obj: Any, field: str) -> Localized:
    """The object's `field` in the page's language, else in English.

    Reads `<field>_<language>` on a Korean or Japanese page: a queryset narrowed with only() must
    include it there, or each object costs a query."""
    language = page_language()
    if language in TRANSLATIONS:
        translated = getattr(obj, f"{field}_{language}")
        if translated:
            return Localized(translated, language)
    return Localized(getattr(obj, field), SOURCE_LANGUAGE, marked=language != SOURCE_LANGUAGE)


@dataclass(frozen=True)
class Names:
    """A name in two forms, the one to show first and the other (if any)."""

    first: Localized
    second: Localized | None

    def __str__(self) -> SafeString:
        """'KIM CHAEWON <span class="native" lang="ko">김채원</span>', in the page's order."""
        first = self.first
        html = format_html("<span{}>{}</span>", first.lang_attr, first) if first.marked else first
        if self.second is None:
            return format_html("{}", html)
        return format_html(
            '{} <span class="native"{}>{}</span>', html, self.second.lang_attr, self.second
        )

    __html__ = __str__


def names(english: str, native: str, others: Iterable[str] = ()) -> Names:
    """Both forms of a name in the order the page's language wants: a form written in the
    page's own script (the native name, else the first such of `others`) first, then the
    English one; otherwise the English form, then the native one."""
    language = page_language()
    latin = Localized(english, SOURCE_LANGUAGE, marked=language != SOURCE_LANGUAGE)
    own = next((form for form in (native, *others) if script_language(form) == language), "")
    # Native text always says its language: Hangul and kanji fonts and voices depend on it.
    if own:
        return Names(Localized(own, language, marked=True), latin)
    if not native:
        return Names(latin, None)
    return Names(latin, Localized(native, script_language(native), marked=True))


def name_language(text: str) -> str:
    """The language a name's script says ("ko", "ja"), or English for a Latin one; marked only
    where the page's language differs."""
    return script_language(text) or SOURCE_LANGUAGE
