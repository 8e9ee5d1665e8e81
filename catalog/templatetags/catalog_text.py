"""Catalog text in the page's language (see catalog.localize).

{% with bio=member|localized:"bio" %}{% if bio %}
  <div class="prose"{{ bio.lang_attr }}>{{ bio|linebreaks }}</div>
{% endif %}{% endwith %}

<h1>{{ member|names }}</h1>   {# both forms, the page's own script first #}
{% with name=member|names %}{{ name.first }} … {{ name.second }}{% endwith %}
"""

from __future__ import annotations

from django import template

from catalog import localize
from catalog.models import Member, MusicVideo, Person, Release, Track

register = template.Library()


@register.filter
def localized(obj: object, field: str) -> localize.Localized:
    """The object's text field in the page's language, else in English (then lang_attr is set)."""
    return localize.localized(obj, field)


@register.filter
def names(obj: Member | Person | Release | Track | MusicVideo) -> localize.Names:
    """A member's, person's, release's, track's or video's name in both forms, ordered for the
    page. Titles of tracks and videos carry their featured artists (prefetch the credits)."""
    if isinstance(obj, Member):
        return localize.names(obj.stage_name, obj.native_name)
    if isinstance(obj, Person):
        return localize.names(obj.name, obj.native_name)
    if isinstance(obj, Track | MusicVideo):
        return localize.names(obj.display_title, obj.native_title)
    return localize.names(obj.title, obj.native_title)
