"""{% kept_for_visitors %}: a part of every page that is the same for all visitors at an address.

The site's header (navigation, search box, "Log in" back to this page, the language menu) is the
same for every visitor to a given address in a given language, and rendering it was a large
part of a video page rendered again after a write elsewhere (docs/performance.md,
"Decisions"). It is kept with page_cache.fragment per
address and language, for PAGE_CACHE_SECONDS (a deploy that changes it shows within that time).
Signed-in fans, whose header carries their name, badges and a CSRF token, get it rendered.
"""

from __future__ import annotations

from django import template
from django.template.base import NodeList, Parser, Token
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
