"""Catalog text in the page's language (see catalog.localize).

{% with bio=member|localized:"bio" %}{% if bio %}
  <div class="prose"{{ bio.lang_attr }}>{{ bio|linebreaks }}</div>
{% endif %}{% endwith %}

<h1>{{ member|names }}</h1>   {# both forms, the page's own script first #}
{% with name=member|names %}{{ name.first }} … {{ name.second }}{% endwith %}
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from catalog import localize
from catalog.models import Credit, Member, MusicVideo, Person, Release, Track

register = template.Library()


@register.filter
def localized(obj: object, field: str) -> localize.Localized:
    """The object's text field in the page's language, else in English (then lang_attr is set)."""
    return localize.localized(obj, field)


@register.filter
def translated(obj: object, field: str) -> SafeString:
    """The field in the page's language, as HTML: in a <span lang="en"> when it falls back to
    the English text on a Korean or Japanese page."""
    text = localize.localized(obj, field)
    if text.marked:
        return format_html("<span{}>{}</span>", text.lang_attr, text)
    return format_html("{}", text)


@register.filter
def names(obj: Member | Person | Release | Track | MusicVideo) -> localize.Names:
    """A member's, person's, release's, track's or video's name in both forms, ordered for the
    page. Titles of tracks and videos carry their featured artists (prefetch the credits)."""
    if isinstance(obj, Member):
        return localize.names(obj.stage_name, obj.native_name, obj.alias_list)
    if isinstance(obj, Person):
        return localize.names(obj.name, obj.native_name)
    if isinstance(obj, Track | MusicVideo):
        return localize.names(obj.display_title, obj.native_title)
    return localize.names(obj.title, obj.native_title)


@register.filter
def credit_name(credit: Credit) -> str:
    """Who a credit names, in the page's script: a member as her own page names her, another
    person by their native name where the page's language writes it. A name typed as credited
    stays as it is. (Select the credits with person__member.)"""
    person = credit.person
    if credit.credited_as or person is None:
        return credit.name
    if person.member is not None:
        return str(names(person.member).first)
    return str(names(person).first)


@register.simple_tag
def alias_lang(text: str) -> SafeString:
    """' lang="ko"' for a name in Hangul, "ja" in kana or kanji, "en" for a Latin one: the fonts
    and voices that read it depend on it, whatever the page's language."""
    return localize.Localized(text, localize.name_language(text), marked=True).lang_attr
