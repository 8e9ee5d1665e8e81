from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from fansite.languages import alternates


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        # Query strings (filters, pages, tracking) are not part of a page's identity.
        "canonical_url": request.build_absolute_uri(request.path),
        # This page in each language: hreflang links and the language menu (only where used).
        "language_alternates": SimpleLazyObject(lambda: alternates(request)),
    }
