"""{% kept_for_visitors %}: a part of every page that is the same for all visitors at an address;
{% same_for_language %}: markup that is the same for every page in a language.

The site's header (navigation, search box, "Log in" back to this page, the language menu) is the
same for every visitor to a given address in a given language, and rendering it was a large
part of a video page rendered again after a write elsewhere (docs/performance.md,
"Decisions"). It is kept with page_cache.fragment per
address and language, for PAGE_CACHE_SECONDS (a deploy that changes it shows within that time).
Signed-in fans, whose header carries their name, badges and a CSRF token, get it rendered.
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import RequestContext
from django.template.base import NodeList, Parser, Token
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString

from foundation import page_cache

register = template.Library()

MAX_ADDRESS = 200  # longer addresses (a long search) are rendered, not kept


@register.tag
def kept_for_visitors(parser: Parser, token: Token) -> KeptNode:
    """{% kept_for_visitors "name" ["version" …] %}…{% endkept_for_visitors %}: with versions
    (page_cache.version_changed), kept until one of them moves on too (the filters of a list,
    whose choices are the catalog's: "catalog")."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes the part's name, then versions")
    nodelist = parser.parse(("endkept_for_visitors",))
    parser.delete_first_token()
    return KeptNode(
        parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]], nodelist
    )


class KeptNode(template.Node):
    def __init__(
        self,
        name: template.base.FilterExpression,
        versions: list[template.base.FilterExpression],
        nodelist: NodeList,
    ) -> None:
        self.name = name
        self.versions = versions
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        request = context.get("request")

        def render() -> SafeString:
            return SafeString(self.nodelist.render(context))

        if (
            request is None
            or request.method not in ("GET", "HEAD")
            or not page_cache.keeps_for(request)
        ):
            return render()
        address = request.get_full_path()
        if len(address) > MAX_ADDRESS:
            return render()
        versions = [str(version.resolve(context)) for version in self.versions]
        return page_cache.fragment(str(self.name.resolve(context)), (address,), versions, render)


# The frame's {% url %}, {% static %} and {% translate %} tags, the same on every page, cost
# about 5,000 of the 53,000 Python calls of a visitor's video page rendered from scratch.
@register.tag
def same_for_language(parser: Parser, token: Token) -> SameForLanguageNode:
    """{% same_for_language [key …] %}…{% endsame_for_language %}: markup that depends only on
    the active language (translations, {% url %}, {% static %}, settings) and on the keys, each
    from a small set (the page's URL name, whether the fan is signed in). It is rendered once per
    process for each language and key and then copied: nothing that varies by request (an
    address, a query string, a user's name, a CSRF token, a nonce) may go inside, and a variable
    set inside ({% translate … as x %}) is not set for what follows it."""
    bits = token.split_contents()
    nodelist = parser.parse(("endsame_for_language",))
    parser.delete_first_token()
    return SameForLanguageNode([parser.compile_filter(bit) for bit in bits[1:]], nodelist)


# Settings that change what the kept markup says (tests override them) start it over.
_generation = 0


@receiver(setting_changed)
def _start_over(**kwargs: object) -> None:
    global _generation
    _generation += 1


class SameForLanguageNode(template.Node):
    def __init__(self, keys: list[template.base.FilterExpression], nodelist: NodeList) -> None:
        self.keys = keys
        self.nodelist = nodelist
        self.kept: dict[tuple[object, ...], SafeString] = {}
        self.generation = _generation

    def render(self, context: template.Context) -> SafeString:
        if not isinstance(context, RequestContext):
            # Without a request the context processors (LANGUAGE_CODE, SITE_NAME, user) did
            # not run: what renders here is not what every page gets.
            return SafeString(self.nodelist.render(context))
        if self.generation != _generation:
            self.kept, self.generation = {}, _generation
        key = (
            translation.get_language(),
            get_script_prefix(),
            *(key.resolve(context) for key in self.keys),
        )
        markup = self.kept.get(key)
        if markup is None:
            markup = self.kept[key] = SafeString(self.nodelist.render(context))
        return markup
