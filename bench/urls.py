"""The site's URLs plus the benchmark's two floors, the baselines bench/run.py compares every page
with: /bench/bare/, a view returning a short string (bench/wsgi.py serves it with no middleware),
and /bench/floor/, the site's middleware and a tiny template, no database."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_GET

from fansite.urls import handler404
from fansite.urls import urlpatterns as site_urlpatterns

FLOOR = engines["django"].from_string(
    '<!doctype html>\n<html lang="en">\n'
    '<head><meta charset="utf-8"><title>{{ title }}</title></head>\n'
    "<body><p>The benchmark's {{ title }}: a view and this template, no database.</p></body>\n"
    "</html>\n"
)


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("The benchmark's bare floor.", content_type="text/plain")


@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FLOOR.render({"title": "floor"}, request))


# First, so the floors are not a walk through every pattern.
urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/floor/", floor, name="bench-floor"),
    *site_urlpatterns,
]

__all__ = ["handler404", "urlpatterns"]
