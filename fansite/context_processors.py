from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        # Query strings (filters, pages, tracking) are not part of a page's identity.
        "canonical_url": request.build_absolute_uri(request.path),
    }
