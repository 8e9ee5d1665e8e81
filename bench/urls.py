"""The site's URLs plus /bench/floor/, the baseline bench/run.py compares every page with: the
middleware and a tiny template, no database."""

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


@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FLOOR.render({"title": "floor"}, request))


# First, so the floor is the middleware and a template, not a walk through every pattern.
urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *site_urlpatterns]

__all__ = ["handler404", "urlpatterns"]
