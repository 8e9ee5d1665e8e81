from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from community.views import security
from fansite import languages, views
from fansite.page_cache import for_visitors
from fansite.sitemaps import SITEMAPS

# Pages for people: English at /…, Korean at /ko/…, Japanese at /ja/… (fansite/languages.py).
pages = [
    path("", for_visitors()(views.home), name="home"),
    path("search/", views.search, name="search"),
    path("", include("catalog.urls")),
    path("", include("community.urls")),
    # Ahead of Django's own: the login asks for the two-factor code when there is one, and the
    # reset e-mail is a background task.
    path("accounts/login/", security.login, name="login"),
    path("accounts/password_reset/", security.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
]

# Addresses for machines, the admin and the language menu: one address each.
urlpatterns = [
    path("language/", languages.switch_language, name="switch-language"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    # The admin's login is the site's login page (stricter lockout).
    path(f"{settings.ADMIN_URL}login/", security.login),
    path("api/", include("fansite.api_urls")),
    path("live/", include("community.live.urls")),  # the event streams: served by ASGI
    path(settings.ADMIN_URL, admin.site.urls),
    *i18n_patterns(*pages, prefix_default_language=False),
]

if settings.SERVE_MEDIA:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCH_FLOOR:  # bench/run.py's baseline; off unless BENCH_FLOOR=1
    # First, so the floor is the middleware and a template, not a walk through every pattern.
    urlpatterns.insert(0, path("bench/floor/", views.bench_floor, name="bench-floor"))

handler404 = "fansite.views.page_not_found"
